"""Feedback on a step's answer, by rules that are data (`knowledge/strategy_checks.yaml`).

Each step has checks: what a good answer covers, as patterns, named groups of patterns, a number
or a length, and the question to ask when it is missing. Feedback asks questions and gives
hints; it never writes the member's answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from bot.core.datafiles import compile_patterns, load_yaml_model
from bot.core.language import Language
from bot.core.strategy.forms import Terms, compile_terms
from bot.core.strategy.texts import Texts, plain
from bot.core.text import words
from bot.errors import DataFileError

if TYPE_CHECKING:  # steps.py loads these rules, so it can only be named here for the types
    from bot.core.strategy.steps import Steps


class Check(BaseModel):
    """One thing a good answer covers, and the question to ask when it is missing."""

    model_config = ConfigDict(extra="forbid")

    id: str
    words: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)
    groups: dict[str, list[str]] = Field(default_factory=dict)
    number: bool = False
    min_words: int | None = None
    hint: Texts
    praise: Texts | None = None
    # A time frame must lie ahead: a year before this one gets `past_hint` ($year) instead.
    past_hint: Texts | None = None
    # Meeting this check shows the answer is about the step (a figure or 'fordi' alone does not).
    topical: bool = True
    # Meeting this check makes the answer good on its own (a summary that is a concrete change);
    # its first group met but not the others, its hint asks for the rest; else it is left out.
    enough: bool = False
    # Use another step's words and patterns too ('audience.who'), instead of a second copy.
    like: str | None = None


class StepChecks(BaseModel):
    """A step's checks, and the words that show an answer is about the step at all."""

    model_config = ConfigDict(extra="forbid")

    keywords: list[str] = Field(default_factory=list)
    keyword_patterns: list[str] = Field(default_factory=list)
    checks: list[Check] = Field(min_length=1)


class ChecksFile(BaseModel):
    """The checks file: the vague answers, the shortest real one, and each step's checks."""

    model_config = ConfigDict(extra="forbid")

    vague: list[str]
    min_words: int = 4
    steps: dict[str, StepChecks]


_NUMBER_WORDS = re.compile(
    # 'en', 'ett' and 'to' are left out: they are also an article and 'to' in English.
    r"\b(tre|fire|fem|seks|sju|syv|åtte|ni|ti|tjue|hundre|tusen|dobbelt|halvparten|"
    r"one|two|three|four|five|six|seven|eight|nine|ten|twenty|hundred|thousand|double|half)\b",
    re.IGNORECASE,
)


# A word with no vowel (four letters or more) or a run of six consonants is no word.
_MASH = re.compile(r"^[^\Waeiouyæøåéèáàü\d]{4,}$|[^\Waeiouyæøåéèáàü\d]{6,}", re.IGNORECASE)


# Words a quotation should not end on.
_SMALL_WORDS = frozenset(
    [
        "på",
        "i",
        "et",
        "en",
        "ei",
        "og",
        "som",
        "til",
        "med",
        "av",
        "for",
        "er",
        "om",
        "at",
        "å",
        "the",
        "a",
        "an",
        "of",
        "on",
        "in",
        "to",
        "and",
        "for",
        "is",
        "at",
    ]
)


@dataclass(frozen=True)
class CompiledCheck:
    """A check with its patterns compiled, ready to test an answer."""

    id: str
    terms: Terms | None
    groups: dict[str, Terms]
    number: bool
    min_words: int | None
    hint: Texts
    praise: Texts | None = None
    past_hint: Texts | None = None
    topical: bool = True
    enough: bool = False

    def past(self, text: str) -> str | None:
        """Return the latest year the answer names when it lies before this year, else None."""
        if self.past_hint is None:
            return None
        years = [int(y) for y in re.findall(r"\b(?:19|20)\d{2}\b", text)]
        return str(max(years)) if years and max(years) < datetime.now(UTC).year else None

    def evidence(self, text: str) -> str:
        """Return the member's own words that met this check ('500 følgere', 'innen juni')."""
        found: tuple[int, int] | None = None
        if self.terms is not None:
            found = self.terms.search(text)
        elif self.number:
            number = re.search(r"\d[\d\s.,%]*", text) or _NUMBER_WORDS.search(text)
            found = number.span() if number else None
        if found is None:
            return ""
        # The matched words and a few after them, cut at the clause, no small word at the end.
        rest = re.split(r"[.,;:!?()]", text[found[0] :], maxsplit=1)[0].split()[:4]
        while len(rest) > 1 and rest[-1].lower() in _SMALL_WORDS:
            rest.pop()
        return " ".join(rest)

    def missing(self, text: str) -> list[str] | None:
        """Return None when the answer passes, else the missing group names ([] if none)."""
        if self.terms is not None and self.terms.search(text) is None:
            return []
        if self.number and not _figure(text):
            return []
        if self.min_words is not None and len(words(text)) < self.min_words:
            return []
        absent = [name for name, terms in self.groups.items() if terms.search(text) is None]
        return absent or None


class Rubric(NamedTuple):
    """Every step's compiled checks and keywords, the vague answers, the shortest real answer."""

    checks: dict[str, tuple[CompiledCheck, ...]]
    keywords: dict[str, Terms | None]
    vague: re.Pattern[str]
    min_words: int


def load_checks(path: Path, step_keys: Iterable[str]) -> Rubric:
    """Load the checks file and compile it; every step must have checks, every pattern compile."""
    rules = load_yaml_model(ChecksFile, path)
    missing = set(step_keys) - set(rules.steps)
    if missing:
        raise DataFileError(path, None, f"no checks for step(s): {', '.join(sorted(missing))}")
    compiled: dict[str, tuple[CompiledCheck, ...]] = {}
    keywords: dict[str, Terms | None] = {}
    named = {f"{key}.{c.id}": c for key, step in rules.steps.items() for c in step.checks}
    for key, step_checks in rules.steps.items():
        checks = [_with_like(c, named, path) for c in step_checks.checks]
        compiled[key] = tuple(_compile_check(c, path, key) for c in checks)
        patterns = compile_patterns(step_checks.keyword_patterns, path, f"{key}.keywords")
        keywords[key] = compile_terms(step_checks.keywords, patterns)
    vague = compile_patterns(rules.vague, path, "vague")
    assert vague is not None
    return Rubric(compiled, keywords, vague, rules.min_words)


def _with_like(check: Check, named: dict[str, Check], path: Path) -> Check:
    """Return the check with the words and patterns of the check it is `like` added."""
    if check.like is None:
        return check
    other = named.get(check.like)
    if other is None:
        raise DataFileError(path, None, f"{check.id}: like '{check.like}': no such check")
    return check.model_copy(
        update={"words": check.words + other.words, "patterns": check.patterns + other.patterns}
    )


def _compile_check(check: Check, path: Path, key: str) -> CompiledCheck:
    where = f"{key}.{check.id}"
    return CompiledCheck(
        id=check.id,
        terms=compile_terms(check.words, compile_patterns(check.patterns, path, where)),
        groups={
            name: terms
            for name, listed in check.groups.items()
            if (terms := compile_terms(listed)) is not None
        },
        number=check.number,
        min_words=check.min_words,
        hint=check.hint,
        praise=check.praise,
        past_hint=check.past_hint,
        topical=check.topical,
        enough=check.enough,
    )


FeedbackKind = Literal["good", "hints", "vague", "off_topic", "abusive"]
# The pinned states of an answered step.
State = Literal["good", "needs_work", "off_topic", "abusive", "unclear"]
STATES: tuple[State, ...] = ("good", "needs_work", "off_topic", "abusive", "unclear")


@dataclass(frozen=True)
class Feedback:
    """What the coach says about an answer: its kind, the questions or hints, and its state.

    `missing` holds the ids of the step's checks the answer does not pass.
    """

    kind: FeedbackKind
    hints: list[str]
    state: State = "good"
    missing: tuple[str, ...] = ()
    # What the answer has, in the member's own words ('et tall å måle mot («500 følgere»)').
    praise: tuple[str, ...] = ()


def feedback(
    steps: Steps, key: str, text: str, lang: Language, hostile: re.Pattern[str] | None
) -> Feedback:
    """Check an answer against the step's rubric; return questions and hints, never an answer.

    Its state: `abusive` (insults, profanity), `unclear` (keyboard mashing, a single word, a
    shrug: nothing to judge), `off_topic` (none of the step's words and no check that shows the
    step met), `needs_work` (on the step, but something it needs is missing) or `good`.
    """
    text = plain(text)
    if hostile is not None and hostile.search(text):
        return Feedback("abusive", [], "abusive")
    tokens = words(text)
    if steps.vague.search(text) or len(tokens) <= 1 or _mashed(tokens):
        return Feedback("vague", [], "unclear")
    judged = _judge(steps.checks[key], text, lang)
    if len(tokens) < steps.min_words:  # a few real words: something to build on, too little
        return Feedback("vague", [], "needs_work", (*judged.missing, "detail"))
    keyword = steps.keywords.get(key)
    if not judged.topical and (keyword is None or keyword.search(text) is None):
        return Feedback("off_topic", [], "off_topic")
    if judged.missing and not judged.enough:
        return Feedback("hints", judged.hints, "needs_work", judged.missing, judged.praise)
    return Feedback("good", [], "good", (), judged.praise)


class _Judged(NamedTuple):
    hints: list[str]
    missing: tuple[str, ...]
    praise: tuple[str, ...]
    topical: bool  # a check met that shows the answer is about the step
    enough: bool  # a check met that makes the answer good on its own


def _judge(checks: Iterable[CompiledCheck], text: str, lang: Language) -> _Judged:
    """Run a step's checks on an answer: hints and ids for those it misses, praise for the rest."""
    hints: list[str] = []
    missing: list[str] = []
    praise: list[str] = []
    topical = enough = False
    for check in checks:
        absent = check.missing(text)
        year = check.past(text) if absent is None else None
        if year is not None and check.past_hint is not None:  # a deadline already passed
            hints.append(check.past_hint(lang).replace("$year", year))
            missing.append(check.id)
            continue
        if absent is None:
            topical |= check.topical
            enough |= check.enough
            if check.praise is not None:
                quote = check.evidence(text)
                label = check.praise(lang)
                praise.append(label.replace("$quote", quote) if quote else _unquoted(label))
            continue
        if check.enough and (not absent or next(iter(check.groups)) in absent):
            continue  # an alternative way to a good answer, not taken (its first group unmet)
        topical |= check.enough and check.topical
        hint = check.hint(lang)
        if absent:
            hint = hint.replace("$missing", _join(absent, lang))
        hints.append(hint)
        missing.append(check.id)
    return _Judged(hints, tuple(missing), tuple(praise), topical, enough)


def _unquoted(label: str) -> str:
    """Drop the quotation from a praise whose check left no words to quote."""
    return re.sub(r"\s*\([«“]\$quote[»”]\)", "", label)


def _figure(text: str) -> bool:
    """Say whether an answer holds a figure to measure: a number that is not a year alone."""
    numbers = re.findall(r"\d+(?:[.,]\d+)?", text)
    counted = [n for n in numbers if not re.fullmatch(r"(?:19|20)\d{2}", n)]
    return bool(counted) or _NUMBER_WORDS.search(text) is not None


def _mashed(tokens: list[str]) -> bool:
    """Say whether most words are keyboard mashing ('asdfghjkl', 'jjjjjj', 'qwrtpz')."""
    mashy = sum(1 for t in tokens if _MASH.search(t) or (len(t) >= 6 and len(set(t)) <= 2))
    return mashy * 2 >= len(tokens)


def _join(names: list[str], lang: Language) -> str:
    # Group names are written 'nb / en'; show the member's half.
    parts = [n.split(" / ")[1 if lang == "en" and " / " in n else 0] for n in names]
    word = " and " if lang == "en" else " og "
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + word + parts[-1]


__all__ = [
    "STATES",
    "Check",
    "ChecksFile",
    "CompiledCheck",
    "Feedback",
    "FeedbackKind",
    "Rubric",
    "State",
    "StepChecks",
    "feedback",
    "load_checks",
]
