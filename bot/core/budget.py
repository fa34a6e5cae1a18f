"""A daily budget of LLM-backed replies per server, shared by every command that asks a model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime


@dataclass
class DailyBudget:
    """LLM-backed replies per server per (UTC) day; 0 means no limit."""

    per_day: int
    today: Callable[[], date] = field(default=lambda: datetime.now(UTC).date())
    used: dict[tuple[int | str, date], int] = field(default_factory=dict)

    def take(self, key: int | str) -> bool:
        """Use one reply of the server's budget; False when today's is spent."""
        if self.per_day <= 0:
            return True
        day = self.today()
        if len(self.used) > 10_000:
            self.used = {k: v for k, v in self.used.items() if k[1] == day}
        spent = self.used.get((key, day), 0)
        if spent >= self.per_day:
            return False
        self.used[(key, day)] = spent + 1
        return True


__all__ = ["DailyBudget"]
