"""What the core returns: replies as values, whose look the adapters decide."""

from __future__ import annotations

import re
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


_SEPARATORS = (
    re.compile(r"(\n\s*\n)"),  # paragraphs
    re.compile(r"(\n)"),  # lines
    re.compile(r"(?<=[.!?…])(\s+)"),  # sentences
    re.compile(r"( +)"),  # words (a link has no spaces, so it is never cut)
)


def pieces(text: str, limit: int, level: int = 0) -> list[str]:
    """Split text into pieces of at most `limit`: paragraphs, then lines, sentences, words.

    Shared by the chat adapters (a Discord message, a Slack section); a link is never cut.
    """
    if len(text) <= limit:
        return [text]
    for depth in range(level, len(_SEPARATORS)):
        tokens = _SEPARATORS[depth].split(text)
        if len(tokens) == 1:
            continue
        chunks: list[str] = []
        current = ""
        for token in tokens:
            if len(current) + len(token) <= limit:
                current += token
            else:
                if current.strip():
                    chunks.append(current)
                current = token if token.strip() else ""
        if current.strip():
            chunks.append(current)
        out: list[str] = []
        for chunk in chunks:
            out.extend(pieces(chunk, limit, depth + 1) if len(chunk) > limit else [chunk])
        return [c.strip() for c in out if c.strip()]
    # One unbroken run longer than a message (no spaces at all): cut it, as a last resort.
    return [text[i : i + limit] for i in range(0, len(text), limit)]


__all__ = ["Attachment", "Reply", "ReplyKind", "Source", "pieces"]
