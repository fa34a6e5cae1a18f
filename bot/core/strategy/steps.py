"""The ten strategy steps as data: their schema, and loading them with every quote checked.

`knowledge/strategy_steps.yaml` is validated at start-up: the steps must come in the fixed order,
and every course quote must stand word for word in the post it names; a bad file stops the bot
with a message naming the file and, where it can, the line. The feedback rules for each step
(`knowledge/strategy_checks.yaml`) are loaded with them, by `feedback.load_checks`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.core.datafiles import load_yaml_model
from bot.core.knowledge import KnowledgeBase
from bot.core.language import Language
from bot.core.strategy.feedback import CompiledCheck, load_checks
from bot.core.strategy.forms import Terms
from bot.core.strategy.texts import Texts, plain
from bot.errors import DataFileError

STEPS_FILE = "strategy_steps.yaml"
CHECKS_FILE = "strategy_checks.yaml"
STEP_KEYS = (
    "company",
    "goals",
    "audience",
    "channels",
    "content",
    "norms",
    "roles",
    "following",
    "measuring",
    "summary",
)


class TextLists(BaseModel):
    """A list of points in both languages (the same number in each)."""

    model_config = ConfigDict(extra="forbid")

    nb: list[str] = Field(min_length=1)
    en: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _same_length(self) -> TextLists:
        if len(self.nb) != len(self.en):
            raise ValueError("nb and en must list the same number of points")
        return self

    def __call__(self, lang: Language) -> list[str]:
        return self.en if lang == "en" else self.nb


class Quote(BaseModel):
    """A sentence from the course, word for word, and the post it is in."""

    model_config = ConfigDict(extra="forbid")

    quote: str = Field(min_length=1)
    post: str


class Example(BaseModel):
    """An example answer: from the course's own Elegantè case, or the coach's own."""

    model_config = ConfigDict(extra="forbid")

    source: Literal["elegante", "coach"]
    nb: str
    en: str


class Step(BaseModel):
    """One step of the strategy."""

    model_config = ConfigDict(extra="forbid")

    key: str
    title: Texts
    question: Texts
    why: Texts
    course: list[Quote] = Field(default_factory=list)
    course_silent: Texts | None = None
    covers: TextLists
    example: Example

    @model_validator(mode="after")
    def _silence_is_said(self) -> Step:
        if not self.course and self.course_silent is None:
            raise ValueError("a step without course quotes must say so in course_silent")
        return self


class StepsFile(BaseModel):
    """The steps file: the steps, in order."""

    model_config = ConfigDict(extra="forbid")

    steps: list[Step]


@dataclass(frozen=True)
class Steps:
    """The ten steps in order, with their compiled feedback rules."""

    steps: tuple[Step, ...]
    checks: dict[str, tuple[CompiledCheck, ...]]
    keywords: dict[str, Terms | None]
    vague: re.Pattern[str]
    min_words: int

    def index(self, ref: str) -> int | None:
        """Return the 0-based index for a step number ('3') or key ('audience'), or None."""
        ref = ref.strip().lower()
        if ref.isdigit() and 1 <= int(ref) <= len(self.steps):
            return int(ref) - 1
        for i, step in enumerate(self.steps):
            if step.key == ref:
                return i
        return None


def load_steps(knowledge_dir: Path, knowledge: KnowledgeBase) -> Steps:
    """Load and validate the steps and their checks; every course quote must be in its post."""
    path = knowledge_dir / STEPS_FILE
    data = load_yaml_model(StepsFile, path)
    keys = tuple(step.key for step in data.steps)
    if keys != STEP_KEYS:
        raise DataFileError(path, None, f"steps must be, in order: {', '.join(STEP_KEYS)}")
    _check_quotes(data.steps, path, knowledge)
    rules = load_checks(knowledge_dir / CHECKS_FILE, STEP_KEYS)
    return Steps(tuple(data.steps), rules.checks, rules.keywords, rules.vague, rules.min_words)


def _check_quotes(steps: list[Step], path: Path, knowledge: KnowledgeBase) -> None:
    """Raise DataFileError, naming the line, for a quote not word for word in its post."""
    text = path.read_text(encoding="utf-8")
    for step in steps:
        for quote in step.course:
            try:
                post = knowledge.post(quote.post)
            except KeyError:
                line = _line_of(text, quote.quote)
                raise DataFileError(path, line, f"no post '{quote.post}'") from None
            if plain(quote.quote) not in plain(post.body):
                raise DataFileError(
                    path,
                    _line_of(text, quote.quote),
                    f"quote is not in '{quote.post}' word for word",
                )


def _line_of(text: str, fragment: str) -> int | None:
    probe = fragment[:40]
    for number, line in enumerate(text.splitlines(), start=1):
        if probe in line:
            return number
    return None


__all__ = [
    "CHECKS_FILE",
    "STEPS_FILE",
    "STEP_KEYS",
    "Example",
    "Quote",
    "Step",
    "Steps",
    "StepsFile",
    "TextLists",
    "Texts",
    "load_steps",
]
