"""The Slack adapter: slack-bolt's AsyncApp over Socket Mode, on the same services as Discord.

Mentions (`@coach hva er åpenhet?`) are `!ask`, answered in a thread on the mention; `!ask`,
`!review`, `!strategy`, `!help`, `!stats` and `!knowledge` work as messages in the channels the
app is in and in its DMs; `/ask`, `/review` and `/strategy` answer privately (ephemeral). A reply
in a thread the coach answered in continues that conversation. Every request is acknowledged at
once (Bolt acks events itself; commands and buttons call `ack()` first) and answered after.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from functools import partial
from typing import TYPE_CHECKING, Any

import aiohttp
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.commands import parse_command
from bot.core.knowledge.desk import action_of
from bot.core.knowledge.library import LibraryError
from bot.core.language import Language
from bot.core.reply import Reply
from bot.core.router import Coach, Context
from bot.core.stats import stats_reply
from bot.errors import ConfigError
from bot.slack_app.files import download
from bot.slack_app.people import People
from bot.slack_app.render import (
    VOTE_DOWN,
    VOTE_UP,
    Block,
    fallback_text,
    plain,
    render,
    vote_buttons,
)

if TYPE_CHECKING:
    from bot.app import Services
    from bot.config import Settings

log = logging.getLogger(__name__)
# Bolt reads SLACK_BOT_TOKEN itself and warns that the client (with SLACK_API_URL) wins over it:
# that is the point, so the warning is dropped.
_bolt_log = logging.getLogger("bot.slack_app.bolt")
_bolt_log.addFilter(lambda r: r.getMessage() != warning_client_prioritized_and_token_skipped())

MAX_THREADS = 5000
# Slack's answers that mean a token is wrong (not that Slack is down for a moment).
_REFUSED = ("invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired")
_MESSAGES = (None, "file_share", "thread_broadcast")  # what a member wrote (files attached)
_ALIASES = {"spør": "ask", "vurder": "review", "strategi": "strategy", "hjelp": "help"}


class SlackReplyError(Exception):
    """Slack refused a reply sent to a response_url (its status was not 200)."""


class SlackCoach:
    """The coach in a Slack workspace: one AsyncApp and its Socket Mode connection."""

    def __init__(self, settings: Settings, services: Services) -> None:
        assert settings.slack_bot_token is not None and settings.slack_app_token is not None
        self.settings = settings
        self.services = services
        self._token = settings.slack_bot_token.get_secret_value()
        self.client = AsyncWebClient(token=self._token, base_url=settings.slack_api_url)
        self.app = AsyncApp(client=self.client, logger=_bolt_log)
        self.handler = AsyncSocketModeHandler(
            self.app, settings.slack_app_token.get_secret_value(), web_client=self.client
        )
        self.threads: OrderedDict[tuple[str, str], str] = OrderedDict()
        self.people = People(self.client, settings)
        self._watcher: asyncio.Task[None] | None = None
        self._register()

    @property
    def coach(self) -> Coach:
        return self.services.coach

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Check both tokens, then connect over Socket Mode (events arrive in the background).

        A token Slack refuses raises ConfigError naming it (start-up ends with exit 2); a Slack
        that cannot be reached is retried by the Socket Mode client until the coach is stopped.
        """
        await self._check_tokens()
        await self.handler.connect_async()  # type: ignore[no-untyped-call]
        self._watcher = asyncio.create_task(self.services.watch_added())

    async def close(self) -> None:
        """Close the websocket (the Web API client opens a session per call)."""
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.cancel()
        with contextlib.suppress(Exception):
            await self.handler.close_async()  # type: ignore[no-untyped-call]

    async def _check_tokens(self) -> None:
        app_token = self.handler.app_token
        if await self._check("SLACK_BOT_TOKEN", self.client.auth_test):
            await self._check(
                "SLACK_APP_TOKEN", partial(self.client.apps_connections_open, app_token=app_token)
            )

    async def _check(self, setting: str, call: Callable[[], Awaitable[object]]) -> bool:
        """Make one call with a token; raise ConfigError when Slack refuses the token.

        Return False when Slack cannot be reached (the Socket Mode client keeps trying).
        """
        try:
            await call()
        except SlackApiError as exc:
            error = str(exc.response.get("error", "")) if exc.response is not None else ""
            if error in _REFUSED or error == "not_allowed_token_type":
                raise ConfigError(setting, f"Slack refused it ({error})") from None
            log.warning("Slack answered %s to the %s check", error or "an error", setting)
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            log.warning("Slack cannot be reached (%s); trying again", type(exc).__name__)
            return False
        return True

    # -- wiring ------------------------------------------------------------------------------

    def _register(self) -> None:
        app = self.app
        app.event("app_mention")(self._on_mention)
        app.event("message")(self._on_message)
        for name in ("ask", "review", "strategy"):
            app.command(f"/{name}")(self._slash(name))
        app.action(VOTE_UP)(self._on_vote)
        app.action(VOTE_DOWN)(self._on_vote)
        app.error(self._on_error)

    async def _on_error(self, error: Exception, body: dict[str, Any]) -> None:
        log.error("Slack request failed: %s", type(error).__name__, exc_info=error)

    # -- events ------------------------------------------------------------------------------

    async def _on_mention(
        self, event: dict[str, Any], body: dict[str, Any], context: dict[str, Any]
    ) -> None:
        """`@coach <question>` is `!ask <question>`; `@coach !review ...` runs that command."""
        text = plain(_without_me(event.get("text") or "", context.get("bot_user_id") or ""))
        line = text if parse_command(text) is not None else f"!ask {text}"
        thread = event.get("thread_ts") or event.get("ts") or ""
        await self._line(body, event, line, thread)

    async def _on_message(
        self, event: dict[str, Any], body: dict[str, Any], context: dict[str, Any]
    ) -> None:
        """Run `!commands`; in the coach's threads and DMs, a plain message is a question."""
        if event.get("subtype") not in _MESSAGES or event.get("bot_id") or not event.get("user"):
            return  # edits, joins, bots (the coach itself included)
        text = event.get("text") or ""
        direct = event.get("channel_type") == "im"
        me = context.get("bot_user_id") or ""
        if not direct and me and f"<@{me}" in text:
            return  # the app_mention event answers it
        text = plain(_without_me(text, me))
        channel = event.get("channel") or ""
        thread = event.get("thread_ts")
        if parse_command(text) is not None:
            line = text
        elif direct or (thread and (channel, thread) in self.threads):
            line = f"!ask {text}"  # a follow-up in the coach's thread, or a question in its DMs
        else:
            return
        await self._line(body, event, line, thread or ("" if direct else event.get("ts") or ""))

    async def _line(
        self, body: dict[str, Any], event: dict[str, Any], line: str, thread: str
    ) -> None:
        """Run one command line from a message or a mention and post the reply in `thread`."""
        team = _team(body, event)
        user = event.get("user") or ""
        channel = event.get("channel") or ""
        if not self._listens_in(channel):
            return
        command = parse_command(line)
        name = _ALIASES.get(command.name, command.name) if command is not None else ""
        # A thread is a conversation; so is a DM with the coach.
        where = thread or ("" if channel.startswith("D") else event.get("ts") or "")
        conversation = self._conversation(team, channel, where)
        lang = self.coach.language.of(command.args if command is not None else line)
        try:
            ctx = await self._context(team, user, conversation)
            wait = self.people.cooldown(team, user, name)
            if wait:
                text = self.coach.strings.t(lang, "discord.cooldown", command=name, seconds=wait)
                reply = Reply(parts=[text], language=lang, private=True)
                await self._post(channel, user, reply, thread)
                return
            reply, extra = await self._run(name, line, ctx, lang, event)
            if name == "ask" and thread:
                self._remember(channel, thread, conversation)  # before a reply can come
            await self._post(channel, user, reply, thread, extra)
        except Exception:
            await self._apologise(lambda r: self._post(channel, user, r, thread), lang)

    async def _run(
        self, name: str, line: str, ctx: Context, lang: Language, event: dict[str, Any]
    ) -> tuple[Reply, list[Block]]:
        """Return the reply to a command line, with vote buttons under an answer."""
        command = parse_command(line)
        args = command.args if command is not None else ""
        if name == "stats":
            if not ctx.is_teacher:
                return self._refused(lang), []
            reply = await stats_reply(self.coach.usage, ctx.guild_id, self.coach.strings, lang)
            return reply, []
        if name in ("knowledge", "kunnskap"):
            if not ctx.is_teacher:
                return self._refused(lang), []
            return await self._knowledge(args, lang, event), []
        reply = await self.coach.handle(line, ctx)
        extra: list[Block] = []
        if name == "ask" and reply.kind in ("answer", "refusal"):
            sources = "; ".join(s.path for s in reply.sources)
            extra.append(vote_buttons(args, sources, reply.language))
        return reply, extra

    def _refused(self, lang: Language) -> Reply:
        text = self.coach.strings.t(lang, "slack.not_allowed")
        return Reply(parts=[text], language=lang, private=True, kind="error")

    # -- slash commands ----------------------------------------------------------------------

    def _slash(self, name: str) -> Callable[..., Awaitable[None]]:
        async def run(ack: Any, command: dict[str, Any], respond: Any) -> None:
            await ack()  # within Slack's 3 seconds; the answer follows through response_url
            await self._on_slash(name, command, respond)

        return run

    async def _on_slash(self, name: str, command: dict[str, Any], respond: Any) -> None:
        team = command.get("team_id") or ""
        user = command.get("user_id") or ""
        text = plain(command.get("text") or "")
        lang = self.coach.language.of(text)

        async def send(reply: Reply, extra: list[Block] | None = None) -> None:
            for blocks in render(reply, self.coach.strings, extra):
                sent = await respond(
                    text=fallback_text(reply), blocks=blocks, response_type="ephemeral"
                )
                if getattr(sent, "status_code", 200) != 200:  # refused, or the URL expired
                    raise SlackReplyError(getattr(sent, "body", ""))

        if not self._listens_in(command.get("channel_id") or ""):
            await send(Reply(parts=[self.coach.strings.t(lang, "slack.not_here")], language=lang))
            return
        try:
            conversation = f"slack:{team}:slash:{uuid.uuid4().hex[:12]}"
            ctx = await self._context(team, user, conversation)
            wait = self.people.cooldown(team, user, name)
            if wait:
                text = self.coach.strings.t(lang, "discord.cooldown", command=name, seconds=wait)
                await send(Reply(parts=[text], language=lang))
                return
            reply, extra = await self._run(name, f"!{name} {text}", ctx, lang, {})
            await send(reply, extra)
        except Exception:
            await self._apologise(send, lang)

    # -- votes -------------------------------------------------------------------------------

    async def _on_vote(self, ack: Any, body: dict[str, Any], respond: Any) -> None:
        """Store a 👍 or 👎 with the question and its sources; thank the member privately."""
        await ack()
        action = (body.get("actions") or [{}])[0]
        team = (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id", "")
        user = (body.get("user") or {}).get("id", "")
        try:
            value = json.loads(action.get("value") or "{}")
        except ValueError:
            value = {}
        lang: Language = "en" if value.get("l") == "en" else "nb"
        channel = (body.get("channel") or {}).get("id", "")
        message = (body.get("container") or {}).get("message_ts") or ""
        store = self.coach.usage
        if store is not None:
            with contextlib.suppress(Exception):  # a vote is not worth an error message
                await store.record_vote(
                    f"slack:{team}",
                    f"slack:{team}:{user}",
                    f"slack:{team}:{channel}:{message}",
                    str(value.get("q", ""))[:300],
                    str(value.get("s", "")),
                    1 if action.get("action_id") == VOTE_UP else -1,
                )
        thanks = self.coach.strings.t(lang, "discord.vote_thanks")
        with contextlib.suppress(Exception):
            await respond(text=thanks, response_type="ephemeral", replace_original=False)

    # -- knowledge ---------------------------------------------------------------------------

    async def _knowledge(self, args: str, lang: Language, event: dict[str, Any]) -> Reply:
        """`!knowledge add` (files attached to the message), `list`, `remove <slug>`."""
        action, _, rest = args.strip().partition(" ")
        chosen = action_of(action)
        desk = self.services.desk
        if chosen == "list":
            outcome = await desk.listing(lang)
        elif chosen == "remove" and rest.strip():
            outcome = await desk.remove(rest.split()[0], lang)
        elif chosen == "add":
            files = event.get("files") or []
            if not files:
                return Reply(parts=[desk.error_text(lang, LibraryError("no_files"))], language=lang)
            limit = self.settings.knowledge_max_bytes
            loaded = await download(files, self._token, limit, desk, lang)
            if isinstance(loaded, str):
                return Reply(parts=[loaded], language=lang, kind="error")
            outcome = await desk.add(loaded, lang, rest.strip() or None)
        else:
            return Reply(parts=[self.coach.strings.t(lang, "knowledge.usage")], language=lang)
        return Reply(parts=[outcome.text], language=lang, kind="info" if outcome.ok else "error")

    # -- helpers -----------------------------------------------------------------------------

    async def _post(
        self,
        channel: str,
        user: str,
        reply: Reply,
        thread: str,
        extra: list[Block] | None = None,
    ) -> None:
        """Post a reply in the channel (in `thread`); a private one only the member sees."""
        hidden = reply.private and not channel.startswith("D")
        for blocks in render(reply, self.coach.strings, extra):
            options: dict[str, Any] = {"channel": channel, "blocks": blocks}
            options["text"] = fallback_text(reply)
            if thread:
                options["thread_ts"] = thread
            # No name linking and no parsing: a member's "@channel" stays text.
            options.update(link_names=False, parse="none")
            if hidden:
                await self.client.chat_postEphemeral(user=user, **options)
            else:
                await self.client.chat_postMessage(
                    unfurl_links=False, unfurl_media=False, **options
                )

    async def _apologise(self, send: Callable[[Reply], Awaitable[None]], lang: Language) -> None:
        """Log a failed command with an id and tell the member, without a traceback."""
        error_id = uuid.uuid4().hex[:8]
        log.exception("Slack command failed (error id %s)", error_id)
        text = self.coach.strings.t(lang, "discord.error", id=error_id)
        with contextlib.suppress(Exception):
            await send(Reply(parts=[text], language=lang, private=True, kind="error"))

    async def _context(self, team: str, user: str, conversation: str) -> Context:
        teacher, name = await self.people.person(user)
        return Context(
            user_id=f"slack:{team}:{user}",
            guild_id=f"slack:{team}",
            conversation=conversation,
            is_teacher=teacher,
            display_name=name,
            budget_key=f"slack:{team}",
        )

    def _listens_in(self, channel: str) -> bool:
        """Listen only in COACH_SLACK_CHANNELS when set; DMs always."""
        allowed = self.settings.slack_channel_ids
        return not allowed or channel.startswith("D") or channel.upper() in allowed

    def _conversation(self, team: str, channel: str, thread: str) -> str:
        return self.threads.get((channel, thread)) or f"slack:{team}:{channel}:{thread}"

    def _remember(self, channel: str, thread: str, conversation: str) -> None:
        self.threads[(channel, thread)] = conversation
        self.threads.move_to_end((channel, thread))
        while len(self.threads) > MAX_THREADS:
            self.threads.popitem(last=False)


def _without_me(text: str, me: str) -> str:
    """Drop the coach's own mention at the start of a text (a classmate's stays)."""
    if not me:
        return text
    return re.sub(rf"^\s*<@{re.escape(me)}(?:\|[^>]*)?>[\s:,]*", "", text, count=1)


def _team(body: dict[str, Any], event: dict[str, Any]) -> str:
    return str(body.get("team_id") or event.get("team") or "")


__all__ = ["SlackCoach"]
