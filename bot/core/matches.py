"""What a search returns: how each word of a question met the index, and the passages it found."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.knowledge import Passage


@dataclass(slots=True)
class WordMatch:
    """How one content word of a question met the index: its terms and their weights."""

    word: str
    terms: dict[str, float] = field(default_factory=dict)
    how: str = "none"

    @property
    def matched(self) -> bool:
        return bool(self.terms)


@dataclass(frozen=True, slots=True)
class Hit:
    """A passage and its score for a query."""

    passage: Passage
    score: float


@dataclass(slots=True)
class Query:
    """An analysed question: its content words, how each matched, and the weighted terms."""

    text: str
    matches: list[WordMatch]
    weights: dict[str, float]

    @property
    def content_words(self) -> list[str]:
        return [m.word for m in self.matches]


__all__ = ["Hit", "Query", "WordMatch"]
