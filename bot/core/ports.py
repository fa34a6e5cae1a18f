"""What the core needs from outside, as Protocols: a chat model and a store.

The adapters implement them (`bot.llm`, `bot.store`); core tests use fakes at this seam.
"""

from __future__ import annotations

from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel

Role = Literal["system", "user", "assistant"]


class ChatMessage(BaseModel):
    """One message of a chat completion request."""

    role: Role
    content: str


@runtime_checkable
class ChatModel(Protocol):
    """An OpenAI-compatible chat model: messages in, the assistant's text out."""

    async def complete(
        self, messages: list[ChatMessage], *, temperature: float = 0.2, max_tokens: int = 512
    ) -> str:
        """Return the assistant's reply; raise bot.errors.LLMError on any failure."""
        ...


@runtime_checkable
class Store(Protocol):
    """Durable storage the core writes through; it must survive restarts and crashes."""

    async def close(self) -> None:
        """Flush and close the store."""
        ...


__all__ = ["ChatMessage", "ChatModel", "Role", "Store"]
