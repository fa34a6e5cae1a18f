"""What `!ask` returns: the answer in the pinned JSON shape, with its sources and parts."""

from __future__ import annotations

from pydantic import BaseModel, Field

from bot.core.knowledge.posts import Post
from bot.core.language import Language


class SourceOut(BaseModel):
    """A cited post in the pinned JSON shape."""

    title: str
    path: str
    score: float
    # An added document's page or slide ("side 4", "slide 3"; None for the course's posts or a
    # document without pages) and the file it came from ("Forelesning 3.pdf").
    location: str | None = None
    source: str | None = None


class PartOut(BaseModel):
    """One part of a question that asks two things, and whether the course answers it."""

    text: str
    answered: bool


class AskResult(BaseModel):
    """The answer to a question, in the pinned JSON shape (plus fields for the adapters)."""

    question: str
    answered: bool
    answer: str
    sources: list[SourceOut] = Field(default_factory=list)
    related: list[str] = Field(default_factory=list)
    language: Language
    engine: str = "offline"
    fallback_reason: str | None = None
    notice: str | None = None
    # True when the answer or the decline stands where a post is cut ("Les videre").
    cut_off: bool = False
    # The parts of a question that asks two things or more, each answered or declined.
    parts: list[PartOut] = Field(default_factory=list)
    # A model's advice on applying the cited course to the student's own case (never offline).
    advice: str | None = None

    def to_json(self) -> dict[str, object]:
        """Return the pinned JSON fields (fallback_reason only when the engine fell back)."""
        data = self.model_dump(exclude={"fallback_reason", "notice"})
        if self.fallback_reason is not None:
            data["fallback_reason"] = self.fallback_reason
        return data


def source_out(post: Post, location: str | None, score: float) -> SourceOut:
    """Return a post cited as a source, with the page or slide of an added document."""
    return SourceOut(
        title=post.title,
        path=post.path,
        score=score,
        location=location,
        source=post.meta.source,
    )


__all__ = ["AskResult", "PartOut", "SourceOut", "source_out"]
