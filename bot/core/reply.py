"""What the core returns: replies as values, whose look the adapters decide."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.core.language import Language

ReplyKind = Literal["answer", "refusal", "info", "error", "review", "strategy"]


class Source(BaseModel):
    """A course post cited as [n] in a reply."""

    model_config = ConfigDict(frozen=True)

    n: int
    title: str
    path: str
    score: float
    location: str | None = None  # an added document's page or slide ("side 4")
    source: str | None = None  # the added document's file ("Forelesning 3.pdf")

    def place(self, language: Language) -> str:
        """Return where the source is, for a reader: «Forelesning 3.pdf, side 4» or the path."""
        if self.source is None:
            return self.path
        where = self.source
        if self.location is not None:
            word, _, number = self.location.partition(" ")
            if language == "en" and word == "side":
                word = "page"
            where = f"{self.source}, {word} {number}"
        return f"“{where}”" if language == "en" else f"«{where}»"


class Attachment(BaseModel):
    """A file that goes with a reply (an exported plan, a class CSV)."""

    model_config = ConfigDict(frozen=True)

    filename: str
    content: str
    mime: str = "text/markdown"


class Reply(BaseModel):
    """A reply: text parts (paragraphs), cited sources, attachments, and whether it is private."""

    parts: list[str] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    attachments: list[Attachment] = Field(default_factory=list)
    private: bool = False
    language: Language = "nb"
    kind: ReplyKind = "info"
    notice: str | None = None

    @property
    def text(self) -> str:
        """Return the parts as one text, paragraphs separated by blank lines."""
        return "\n\n".join(p for p in self.parts if p)


__all__ = ["Attachment", "Reply", "ReplyKind", "Source"]
