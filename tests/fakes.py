"""Fakes at the core's outer seam: a chat model that answers from a queue."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.core.ports import ChatMessage
from bot.errors import LLMError

# A queued reply: a text, an error to raise, or a function of the request (to cite by number).
Scripted = str | LLMError | Callable[[list[ChatMessage]], str]


def cite(messages: list[ChatMessage], phrase: str) -> int:
    """Return the number [n] the `!ask` prompt gave the passage holding `phrase`."""
    for line in messages[-1].content.splitlines():
        found = re.match(r"\[(\d+)\] \(", line)
        if found and phrase in line:
            return int(found.group(1))
    raise AssertionError(f"no passage given holds {phrase!r}")


class QueuedChatModel:
    """A ChatModel whose replies are queued by the test; it records every request."""

    def __init__(self, *replies: Scripted) -> None:
        self.replies: list[Scripted] = list(replies)
        self.requests: list[list[ChatMessage]] = []

    def enqueue(self, *replies: Scripted) -> None:
        self.replies.extend(replies)

    async def complete(
        self,
        messages: list[ChatMessage],
        *,
        temperature: float = 0.2,
        max_tokens: int = 512,
        json_mode: bool = False,
    ) -> str:
        self.requests.append(list(messages))
        if not self.replies:
            raise AssertionError("the fake chat model was asked more often than expected")
        reply = self.replies.pop(0)
        if isinstance(reply, LLMError):
            raise reply
        return reply(messages) if callable(reply) else reply
