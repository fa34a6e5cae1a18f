"""What the core needs from outside, as Protocols: a chat model, a strategy store, a usage log.

The adapters implement them (`bot.llm`, `bot.store`); core tests use fakes at this seam.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal, Protocol, runtime_checkable

import numpy as np
from pydantic import BaseModel, Field

Role = Literal["system", "user", "assistant"]

# A member's or a server's id: Discord's (and the console's, the CLI's) are numbers; another
# platform's are strings that name it ("slack:T0123", "slack:T0123:U0456"), so they never collide.
MemberId = int | str


class ChatMessage(BaseModel):
    """One message of a chat completion request."""

    role: Role
    content: str


@runtime_checkable
class ChatModel(Protocol):
    """An OpenAI-compatible chat model: messages in, the assistant's text out."""

    async def complete(
        self,
        messages: list[ChatMessage],
        *,
        temperature: float = 0.2,
        max_tokens: int = 512,
        json_mode: bool = False,
    ) -> str:
        """Return the assistant's reply; raise bot.errors.LLMError on any failure.

        `json_mode` asks the server for a JSON object (`response_format`) where it takes it.
        """
        ...


class Answer(BaseModel):
    """One revision of a member's answer to a step."""

    step: str
    revision: int
    text: str
    created_at: datetime


class Strategy(BaseModel):
    """A member's active strategy: the company, where they are, and their latest answers."""

    guild_id: MemberId
    user_id: MemberId
    company: str
    current_step: int
    created_at: datetime
    updated_at: datetime
    answers: dict[str, Answer] = Field(default_factory=dict)


class MemberProgress(BaseModel):
    """One row of a teacher's class overview."""

    user_id: MemberId
    display_name: str
    company: str
    current_step: int
    answered: list[str]
    revisions: int
    last_active: datetime


class Stats(BaseModel):
    """Usage in a server: commands, the questions declined most often, the weakest answers."""

    commands: dict[str, int]
    declined: list[tuple[str, int]]
    weakest: list[tuple[str, int, int]]


@runtime_checkable
class StrategyStore(Protocol):
    """Durable storage for strategies; every write is committed before it returns."""

    async def get_strategy(self, guild_id: MemberId, user_id: MemberId) -> Strategy | None:
        """Return the member's active strategy, with the latest revision of each answer."""
        ...

    async def start_strategy(
        self, guild_id: MemberId, user_id: MemberId, company: str, display_name: str, language: str
    ) -> Strategy:
        """Start a strategy for a member (there must be no active one)."""
        ...

    async def save_answer(
        self,
        guild_id: MemberId,
        user_id: MemberId,
        step: str,
        text: str,
        language: str | None = None,
    ) -> Answer:
        """Add a new revision of the member's answer to a step (earlier ones are kept)."""
        ...

    async def set_step(self, guild_id: MemberId, user_id: MemberId, step: int) -> None:
        """Move the member to step number `step` (0-based)."""
        ...

    async def reset_strategy(self, guild_id: MemberId, user_id: MemberId) -> bool:
        """Archive the member's active strategy (its answers stay stored); say if there was one."""
        ...

    async def forget_member(self, guild_id: MemberId, user_id: MemberId) -> int:
        """Delete every row of the member in this server, in every table; return rows deleted."""
        ...

    async def class_overview(self, guild_id: MemberId) -> list[MemberProgress]:
        """Return every member with an active strategy in this server."""
        ...

    async def member_language(self, guild_id: MemberId, user_id: MemberId) -> str | None:
        """Return the language the member last wrote in, if known."""
        ...

    async def close(self) -> None:
        """Flush and close the store."""
        ...


@runtime_checkable
class UsageLog(Protocol):
    """What members did (for !stats), and their votes on answers; writes are committed."""

    async def record_event(
        self,
        guild_id: MemberId,
        user_id: MemberId,
        command: str,
        question: str | None = None,
        answered: bool | None = None,
        engine: str | None = None,
    ) -> None:
        """Count a command (and, for !ask, whether the course answered it)."""
        ...

    async def record_vote(
        self,
        guild_id: MemberId,
        user_id: MemberId,
        message_id: MemberId,
        question: str,
        sources: str,
        vote: int,
    ) -> None:
        """Store a member's vote on an answer."""
        ...

    async def stats(self, guild_id: MemberId, limit: int = 5) -> Stats:
        """Return usage, most-declined questions and the weakest answers in a server."""
        ...


class VectorStore(Protocol):
    """Sentence vectors by key (a text's hash), kept between runs; failures are not raised."""

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]: ...

    def put_many(self, items: dict[str, np.ndarray]) -> None: ...


class StoreConflict(Exception):
    """A write the member's state does not allow; the core says why in the member's words."""


class NoActiveStrategy(StoreConflict):
    """The member has no active strategy in this server."""


class StrategyExists(StoreConflict):
    """The member already has an active strategy in this server."""


__all__ = [
    "Answer",
    "ChatMessage",
    "ChatModel",
    "MemberId",
    "MemberProgress",
    "NoActiveStrategy",
    "Role",
    "Stats",
    "StoreConflict",
    "Strategy",
    "StrategyExists",
    "StrategyStore",
    "UsageLog",
    "VectorStore",
]
