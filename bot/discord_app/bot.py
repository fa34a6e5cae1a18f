"""The Discord bot: the factory, checks, cooldowns, the one error handler, and the lifecycle."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import uuid
from collections import OrderedDict

import discord
from discord.ext import commands

from bot import redact
from bot.app import Services, build_services, open_services
from bot.config import Settings
from bot.core.knowledge.desk import KnowledgeDesk
from bot.core.language import Language
from bot.core.reply import Reply
from bot.core.router import Coach
from bot.core.stats import stats_reply
from bot.discord_app.common import NO_PINGS, send_reply
from bot.errors import DataFileError

log = logging.getLogger(__name__)

MESSAGE_CONTENT_HINT = (
    "The message-content intent is not granted, so prefix commands such as !ask cannot be read; "
    "slash commands still work. To enable prefix commands: Discord Developer Portal -> your "
    "application -> Bot -> Privileged Gateway Intents -> turn on MESSAGE CONTENT INTENT "
    "(and SERVER MEMBERS INTENT for the teacher role)."
)
COMMANDS_WITH_COOLDOWN = ("ask", "review", "strategy", "stats", "reload")
MAX_CONVERSATIONS = 5000


def default_intents() -> discord.Intents:
    """Return the intents the coach asks for: messages with their content, DMs, and members.

    Message content and members are privileged: without them (not granted in the Developer
    Portal) the bot still starts, with slash commands only, and says how to enable them.
    """
    intents = discord.Intents.default()
    intents.message_content = True
    intents.members = True  # members and their roles, for the teacher role
    return intents


class CoachBot(commands.Bot):
    """A commands.Bot around the core's Coach."""

    def __init__(
        self,
        settings: Settings,
        services: Services | None = None,
        intents: discord.Intents | None = None,
    ) -> None:
        super().__init__(
            command_prefix="!",
            intents=intents or default_intents(),
            allowed_mentions=NO_PINGS,
            help_command=None,
            case_insensitive=True,
        )
        self.settings = settings
        self.services = services
        self._watcher: asyncio.Task[None] | None = None
        self._owns_services = services is None
        self.conversations: OrderedDict[int, str] = OrderedDict()
        self._cooldowns = {
            name: commands.CooldownMapping.from_cooldown(
                1, settings.cooldown_seconds, commands.BucketType.member
            )
            for name in COMMANDS_WITH_COOLDOWN
        }
        self.add_check(self._listens_here)
        self.add_check(self._cooldown)

    @property
    def coach(self) -> Coach:
        assert self.services is not None, "setup_hook has not run"
        return self.services.coach

    async def setup_hook(self) -> None:
        """Build the services (unless given), add one cog per command group, describe commands."""
        if self.services is None:
            self.services = await build_services(self.settings)
        from bot.discord_app.cogs import admin, ask, review, strategy

        for module in (ask, review, strategy, admin):
            await module.setup(self)
        strings = self.coach.strings
        for app_command in self.tree.get_commands():
            key = f"discord.descriptions.{app_command.name}"
            if strings.has(key) and isinstance(app_command, discord.app_commands.Command):
                app_command.description = strings.t("nb", key)[:100]
        for text_command in self.commands:
            key = f"discord.descriptions.{text_command.name}"
            if strings.has(key):
                text_command.help = strings.t("nb", key)
        if not self.intents.message_content:
            log.warning(MESSAGE_CONTENT_HINT)
        self._watcher = asyncio.create_task(self.services.watch_added())

    async def close(self) -> None:
        """Close the Discord connection, then what the factory built (HTTP client, database)."""
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await watcher
        try:
            await super().close()
        finally:
            if self._owns_services and self.services is not None:
                await self.services.close()

    # -- checks ----------------------------------------------------------------------------

    async def _listens_here(self, ctx: commands.Context[CoachBot]) -> bool:
        """Listen only in COACH_CHANNELS (and their threads) when set; DMs always work."""
        allowed = self.settings.channel_ids
        if not allowed or ctx.guild is None:
            return True
        channel = ctx.channel
        parent = getattr(channel, "parent_id", None)
        if channel.id in allowed or parent in allowed:
            return True
        raise _Ignored()

    async def _cooldown(self, ctx: commands.Context[CoachBot]) -> bool:
        """A per-member cooldown for each command (COACH_COOLDOWN_SECONDS)."""
        if ctx.command is None or self.settings.cooldown_seconds <= 0:
            return True
        mapping = self._cooldowns.get(ctx.command.name)
        if mapping is None or ctx.message is None:
            return True
        bucket = mapping.get_bucket(ctx.message)
        retry = bucket.update_rate_limit() if bucket is not None else None
        if retry:
            assert bucket is not None
            raise commands.CommandOnCooldown(bucket, retry, commands.BucketType.member)
        return True

    # -- conversations ---------------------------------------------------------------------

    def remember(self, messages: list[discord.Message], conversation: str) -> None:
        """Map the coach's answer messages to their conversation, so a reply continues it."""
        for message in messages:
            self.conversations[message.id] = conversation
        while len(self.conversations) > MAX_CONVERSATIONS:
            self.conversations.popitem(last=False)

    # -- the one error handler -------------------------------------------------------------

    async def on_command_error(  # type: ignore[override]
        self, ctx: commands.Context[CoachBot], error: commands.CommandError
    ) -> None:
        """Explain wrong usage, cooldowns and permissions; log the rest with an id and apologise."""
        if isinstance(error, commands.HybridCommandError):
            error = getattr(error, "original", error)  # type: ignore[assignment]
        original = getattr(error, "original", error)
        lang = self._language(ctx)
        strings = self.coach.strings
        if isinstance(error, _Ignored) or isinstance(original, _Ignored):
            return
        if isinstance(error, commands.CommandNotFound):
            name = ctx.invoked_with or ""
            text = strings.t(lang, "general.unknown_command", name=name[:40])
            await self._private(ctx, Reply(parts=[text], language=lang))
            return
        if isinstance(error, commands.CommandOnCooldown):
            name = ctx.command.name if ctx.command else ""
            seconds = max(1, round(error.retry_after))
            text = strings.t(lang, "discord.cooldown", command=name, seconds=seconds)
            await self._private(ctx, Reply(parts=[text], language=lang, private=True), dm=True)
            return
        if isinstance(error, commands.CheckFailure):
            text = strings.t(lang, "discord.not_allowed")
            await self._private(ctx, Reply(parts=[text], language=lang, private=True))
            return
        if isinstance(error, commands.UserInputError):
            name = ctx.command.name if ctx.command else ""
            usage = strings.t(lang, f"discord.usages.{name}") if name else ""
            text = strings.t(lang, "discord.usage", usage=usage)
            await self._private(ctx, Reply(parts=[text], language=lang, private=True))
            return
        error_id = uuid.uuid4().hex[:8]
        log.error(
            "command %s failed (error id %s)",
            ctx.command.qualified_name if ctx.command else "?",
            error_id,
            exc_info=(type(original), original, original.__traceback__),
        )
        text = strings.t(lang, "discord.error", id=error_id)
        with contextlib.suppress(discord.HTTPException):
            await self._private(ctx, Reply(parts=[text], language=lang, private=True))

    @property
    def desk(self) -> KnowledgeDesk:
        assert self.services is not None, "setup_hook has not run"
        return self.services.desk

    def reply_language(self, ctx: commands.Context[CoachBot]) -> Language:
        """Return the language to answer a command in (the setting, or the message's)."""
        return self._language(ctx)

    def _language(self, ctx: commands.Context[CoachBot]) -> Language:
        if self.settings.language in ("nb", "en"):
            return "en" if self.settings.language == "en" else "nb"
        text = ctx.message.content if ctx.message is not None else ""
        return self.coach.language.of(text.partition(" ")[2]) if text else "nb"

    async def _private(
        self, ctx: commands.Context[CoachBot], reply: Reply, dm: bool = False
    ) -> None:
        """Send a notice that holds nothing private: ephemeral on a slash command, else a reply.

        With `dm` (a cooldown), a prefix command's notice goes by DM so the channel stays quiet,
        and falls back to a reply when the member's DMs are closed.
        """
        if ctx.interaction is None and dm:
            with contextlib.suppress(discord.HTTPException):
                await ctx.author.send(reply.text, allowed_mentions=NO_PINGS)
                return
        reply.private = False
        await send_reply(ctx, reply, ephemeral=True)

    # -- admin helpers (used by the admin cog) ---------------------------------------------

    async def reload_data(self, lang: Language) -> Reply:
        """Reload knowledge, steps and prompts; report what loaded, or the file and line."""
        assert self.services is not None
        strings = self.coach.strings
        try:
            coach = await self.services.reload()
        except DataFileError as exc:
            text = strings.t(lang, "discord.reload_failed", problem=str(exc))
            return Reply(parts=[text], language=lang, private=True)
        knowledge = coach.knowledge
        text = coach.strings.t(
            lang,
            "discord.reload_done",
            posts=len(knowledge.base.posts),
            passages=len(knowledge.base.passages),
            steps=len(knowledge.steps.steps),
            prompts=len(coach.prompts.templates) if coach.prompts is not None else 0,
        )
        return Reply(parts=[text], language=lang, private=True)

    async def stats_reply(self, ctx: commands.Context[CoachBot], lang: Language) -> Reply:
        """Return usage counts, the questions declined most often, and the weakest answers."""
        guild_id = ctx.guild.id if ctx.guild else 0
        return await stats_reply(self.coach.usage, guild_id, self.coach.strings, lang)

    async def sync_commands(self, lang: Language) -> Reply:
        """Sync slash commands to COACH_GUILD_ID (fast for a course) or globally."""
        guild_id = self.settings.guild_id
        if guild_id:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            where = f"server {guild_id}"
        else:
            synced = await self.tree.sync()
            where = "global" if lang == "en" else "alle servere"
        text = self.coach.strings.t(lang, "discord.sync_done", count=len(synced), where=where)
        return Reply(parts=[text], language=lang, private=True)


class _Ignored(commands.CheckFailure):
    """A command outside the channels the coach listens in: ignored without a reply."""


def create_bot(
    settings: Settings, services: Services | None = None, intents: discord.Intents | None = None
) -> CoachBot:
    """Return the bot; with only settings it builds the services as `python -m bot` does."""
    return CoachBot(settings, services, intents)


def install_signal_handlers(bot: CoachBot) -> None:
    """Close the bot cleanly on SIGTERM (docker stop) and SIGINT."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, lambda: asyncio.ensure_future(bot.close()))


async def run_bot(
    settings: Settings, services: Services, stop: asyncio.Event | None = None
) -> None:
    """Run the bot on the given services until it is closed or `stop` is set.

    Without the privileged intents granted, it starts again with slash commands only.
    """
    assert settings.discord_token is not None
    token = settings.discord_token.get_secret_value()
    intents: discord.Intents | None = None
    while True:
        bot = create_bot(settings, services, intents)
        if stop is None:
            install_signal_handlers(bot)
        closer = asyncio.ensure_future(_close_on(stop, bot)) if stop is not None else None
        try:
            async with bot:
                await bot.start(token)
            return
        except discord.PrivilegedIntentsRequired:
            if intents is not None:
                raise
            log.warning(MESSAGE_CONTENT_HINT)
            intents = default_intents()
            intents.message_content = False
            intents.members = False
        finally:
            if closer is not None:
                closer.cancel()


async def _close_on(stop: asyncio.Event, bot: CoachBot) -> None:
    await stop.wait()
    await bot.close()


async def _serve(settings: Settings) -> None:
    """Run the bot on services this function owns, closed when the bot stops."""
    async with open_services(settings) as services:
        await run_bot(settings, services)


def run_discord(settings: Settings) -> int:
    """Run the bot until it is closed; logging through discord.py, the token never logged."""
    discord.utils.setup_logging(level=logging.INFO, root=True)
    redact.install(settings.secrets())
    try:
        asyncio.run(_serve(settings))
    except discord.LoginFailure:
        log.error("Discord refused the token (DISCORD_TOKEN); check it in the Developer Portal.")
        return 2
    return 0


__all__ = [
    "MESSAGE_CONTENT_HINT",
    "CoachBot",
    "create_bot",
    "install_signal_handlers",
    "run_bot",
    "run_discord",
]
