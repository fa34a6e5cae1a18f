"""LLM prompt templates as validated data files in `prompts/`, with `$name` placeholders.

A template has a description, the variables it takes, and a system and a user message. Every
placeholder must be declared and every declared variable used; rendering without one raises
MissingVariables. What members typed is passed in as data (JSON strings), never as instructions.
"""

from __future__ import annotations

import json
import string
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.core.datafiles import load_yaml_model
from bot.core.ports import ChatMessage
from bot.core.strings import placeholders
from bot.errors import DataFileError

PROMPT_NAMES = ("persona", "ask", "followup", "review", "strategy_feedback")


class MissingVariables(Exception):
    """A template was rendered without some of its variables."""

    def __init__(self, template: str, missing: set[str]) -> None:
        super().__init__(f"template {template!r} needs: {', '.join(sorted(missing))}")
        self.missing = missing


class Template(BaseModel):
    """One prompt template."""

    model_config = ConfigDict(extra="forbid")

    description: str = Field(min_length=1)
    variables: list[str] = Field(default_factory=list)
    system: str = ""
    user: str = ""

    @model_validator(mode="after")
    def _placeholders_match(self) -> Template:
        used = placeholders(self.system) | placeholders(self.user)
        declared = set(self.variables)
        if used - declared:
            raise ValueError(f"undeclared placeholders: {', '.join(sorted(used - declared))}")
        if declared - used:
            raise ValueError(f"variables never used: {', '.join(sorted(declared - used))}")
        return self

    def render(self, name: str = "template", **values: object) -> list[ChatMessage]:
        """Return the system and user messages with every variable filled in."""
        missing = set(self.variables) - set(values)
        if missing:
            raise MissingVariables(name, missing)
        filled = {k: str(v) for k, v in values.items()}
        messages = []
        if self.system.strip():
            system = string.Template(self.system).substitute(filled)
            messages.append(ChatMessage(role="system", content=system.strip()))
        if self.user.strip():
            user = string.Template(self.user).substitute(filled)
            messages.append(ChatMessage(role="user", content=user.strip()))
        return messages


@dataclass(frozen=True)
class Prompts:
    """Every template, by name."""

    templates: dict[str, Template]

    @property
    def persona(self) -> str:
        return self.templates["persona"].system.strip()

    def texts(self) -> list[str]:
        """Return every template's own text (system and user), for catching a repeat of it."""
        return [t for template in self.templates.values() for t in (template.system, template.user)]

    def render(self, name: str, **values: object) -> list[ChatMessage]:
        """Render template `name`; the persona is always available as $persona."""
        template = self.templates[name]
        if "persona" in template.variables:
            values.setdefault("persona", self.persona)
        return template.render(name, **values)


def as_data(text: str) -> str:
    """Quote member text as a JSON string, so the model reads it as data, not instructions."""
    return json.dumps(text, ensure_ascii=False)


def load_prompts(folder: Path) -> Prompts:
    """Load and validate every template in `folder`."""
    templates: dict[str, Template] = {}
    for name in PROMPT_NAMES:
        path = folder / f"{name}.yaml"
        if not path.exists():
            raise DataFileError(path, None, "prompt template is missing")
        templates[name] = load_yaml_model(Template, path)
    return Prompts(templates)


__all__ = ["PROMPT_NAMES", "MissingVariables", "Prompts", "Template", "as_data", "load_prompts"]
