"""One conversation memory for `!ask`, offline and with a model alike: the last few turns.

A follow-up ("og hva med den andre?", "why?") leans on the previous question; a question with a
topic of its own never does.
"""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.core.text import words

MEMORY_TURNS = 3
MEMORY_SECONDS = 30 * 60
Clock = Callable[[], float]
_FOLLOW_UP = re.compile(
    r"^(og|men|hva med|hvordan med|hvorfor det|hva da|den|det|de|dette|disse|dem|hun|han|"
    r"and|but|what about|how about|why is that|it|they|that|this|those|them)\b",
    re.IGNORECASE,
)


@dataclass
class Turn:
    question: str
    answer: str
    at: float


@dataclass
class Memory:
    """A short memory per conversation key: the last few questions and answers."""

    clock: Clock = time.monotonic
    turns: dict[str, deque[Turn]] = field(default_factory=dict)

    def recent(self, key: str) -> list[Turn]:
        """Return the conversation's turns from the last half hour, oldest first."""
        now = self.clock()
        kept = [t for t in self.turns.get(key, ()) if now - t.at < MEMORY_SECONDS]
        return kept

    def add(self, key: str, question: str, answer: str) -> None:
        """Remember a turn (only the last few are kept)."""
        self.turns.setdefault(key, deque(maxlen=MEMORY_TURNS)).append(
            Turn(question, answer, self.clock())
        )
        if len(self.turns) > 10_000:  # forget the oldest conversation
            self.turns.pop(next(iter(self.turns)))


def looks_like_follow_up(question: str, has_topic: bool = False) -> bool:
    """Say whether a question leans on the one before ('og hva med den andre?', 'why?').

    A question with a topic of its own (`has_topic`: a content word that is not an everyday
    word, known to the course or not) never does, however short: "hva er åpenhet" after a
    question about DMs is a new question. Without one, an opener or three words or fewer do.
    """
    if has_topic:
        return False
    return bool(_FOLLOW_UP.match(question.strip())) or len(words(question)) <= 3


__all__ = ["MEMORY_SECONDS", "MEMORY_TURNS", "Clock", "Memory", "Turn", "looks_like_follow_up"]
