"""Fakes at the core's outer seam: a chat model that answers from a queue."""

from __future__ import annotations

from bot.core.ports import ChatMessage
from bot.errors import LLMError


class QueuedChatModel:
    """A ChatModel whose replies are queued by the test; it records every request."""

    def __init__(self, *replies: str | LLMError) -> None:
        self.replies: list[str | LLMError] = list(replies)
        self.requests: list[list[ChatMessage]] = []

    def enqueue(self, *replies: str | LLMError) -> None:
        self.replies.extend(replies)

    async def complete(
        self, messages: list[ChatMessage], *, temperature: float = 0.2, max_tokens: int = 512
    ) -> str:
        self.requests.append(list(messages))
        if not self.replies:
            raise AssertionError("the fake chat model was asked more often than expected")
        reply = self.replies.pop(0)
        if isinstance(reply, LLMError):
            raise reply
        return reply
