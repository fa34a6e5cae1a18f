"""Who a Slack member is to the coach: a teacher or not, their name, and their cooldowns."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger(__name__)

COMMANDS_WITH_COOLDOWN = ("ask", "review", "strategy", "stats")
TEACHER_SECONDS = 300.0  # how long a workspace admin lookup is trusted
MAX_PEOPLE = 5000


class People:
    """Teacher lookups (workspace admins and owners, COACH_SLACK_TEACHERS) and cooldowns."""

    def __init__(self, client: AsyncWebClient, settings: Settings) -> None:
        self.client = client
        self.settings = settings
        self._people: dict[str, tuple[float, bool, str]] = {}
        self._used: dict[tuple[str, str, str], float] = {}

    async def person(self, user: str) -> tuple[bool, str]:
        """Return whether a user is a teacher (admin, owner, COACH_SLACK_TEACHERS) and a name."""
        known = self._people.get(user)
        if known is not None and known[0] > time.monotonic():
            return known[1], known[2]
        listed = user.upper() in self.settings.slack_teacher_ids
        try:
            info = (await self.client.users_info(user=user)).get("user") or {}
        except (TimeoutError, SlackApiError, OSError, aiohttp.ClientError) as exc:
            # Not remembered: the next command asks again (an admin stays a teacher).
            log.warning("could not look up Slack user %s: %s", user, type(exc).__name__)
            return listed, ""
        admin = bool(info.get("is_admin") or info.get("is_owner"))
        profile = info.get("profile") or {}
        found = profile.get("display_name") or profile.get("real_name") or info.get("name")
        name = str(found or user)
        if len(self._people) > MAX_PEOPLE:
            self._people.clear()
        self._people[user] = (time.monotonic() + TEACHER_SECONDS, listed or admin, name)
        return listed or admin, name

    def cooldown(self, team: str, user: str, name: str) -> int:
        """Return the seconds left of the member's cooldown for a command (0: go ahead)."""
        seconds = self.settings.cooldown_seconds
        if name not in COMMANDS_WITH_COOLDOWN or seconds <= 0:
            return 0
        key = (team, user, name)
        now = time.monotonic()
        last = self._used.get(key)
        if last is not None and now - last < seconds:
            return max(1, round(seconds - (now - last)))
        if len(self._used) > 10_000:
            self._used = {k: v for k, v in self._used.items() if now - v < seconds}
        self._used[key] = now
        return 0


__all__ = ["COMMANDS_WITH_COOLDOWN", "People"]
