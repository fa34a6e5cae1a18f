"""What a review returns: flags with their fixes, the tone by norm, and the JSON the CLI prints."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from bot.core.language import Language


class Suggestion(BaseModel):
    """One flag explained: the words that triggered it, why it matters, and what to do."""

    flag: str
    words: list[str]
    explanation: str
    fix: str


class Tone(BaseModel):
    """The tone summary: a label, a remark per course norm, readability, and a verdict."""

    label: str
    norms: dict[str, str]
    lix: int | None
    verdict: str


class ReviewResult(BaseModel):
    """A review in the pinned JSON shape (plus fields the adapters use)."""

    text: str
    platform: str
    weighted_length: int
    limit: int
    fits: bool
    over_by: int
    flags: list[str]
    tone: Tone
    suggestions: list[Suggestion]
    notes: list[str]
    thread: list[str]
    engine: Literal["offline", "llm"] = "offline"
    language: Language = "nb"
    fitting_text: str = ""
    course_limit: int | None = None
    remarks: list[str] = Field(default_factory=list)
    rewrite: str | None = None
    fallback_reason: str | None = None

    def to_json(self) -> dict[str, object]:
        """Return the JSON object for the CLI (pinned fields first)."""
        data = self.model_dump(exclude={"fallback_reason", "remarks", "rewrite"})
        if self.remarks:
            data["remarks"] = self.remarks
        if self.rewrite:
            data["rewrite"] = self.rewrite
        if self.fallback_reason:
            data["fallback_reason"] = self.fallback_reason
        return data


__all__ = ["ReviewResult", "Suggestion", "Tone"]
