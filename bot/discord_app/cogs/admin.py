"""`!reload`, `!stats`, `!knowledge` and `!sync`: for teachers, administrators and the owner."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.core.knowledge.bundle import megabytes
from bot.core.knowledge.desk import action_of
from bot.core.knowledge.library import LibraryError
from bot.core.language import Language
from bot.core.reply import Reply
from bot.discord_app.common import is_teacher, send_reply, working

if TYPE_CHECKING:
    from bot.discord_app.bot import CoachBot


async def _teacher_or_owner(ctx: commands.Context[CoachBot]) -> bool:
    """Allow the owner, members with Manage Server, and the teacher role."""
    if await ctx.bot.is_owner(ctx.author) or is_teacher(ctx):
        return True
    raise commands.CheckFailure("teachers only")


async def _manager_or_owner(ctx: commands.Context[CoachBot]) -> bool:
    """Allow the owner and members with Manage Server."""
    author = ctx.author
    if await ctx.bot.is_owner(author):
        return True
    if isinstance(author, discord.Member) and author.guild_permissions.manage_guild:
        return True
    raise commands.CheckFailure("managers only")


class AdminCog(commands.Cog):
    """Reload data files, see usage, sync slash commands."""

    def __init__(self, bot: CoachBot) -> None:
        self.bot = bot

    def _lang(self) -> Language:
        return "en" if self.bot.settings.language == "en" else "nb"

    @commands.hybrid_command(name="reload")
    @commands.check(_manager_or_owner)
    async def reload(self, ctx: commands.Context[CoachBot]) -> None:
        """Reload knowledge, steps and prompts without a restart."""
        async with working(ctx, ephemeral=True):  # defers a slash command: loading takes a while
            await send_reply(ctx, await self.bot.reload_data(self._lang()))

    @commands.hybrid_command(name="stats")
    @commands.check(_teacher_or_owner)
    async def stats(self, ctx: commands.Context[CoachBot]) -> None:
        """Show usage and the questions the course does not cover."""
        async with working(ctx, ephemeral=True):
            await send_reply(ctx, await self.bot.stats_reply(ctx, self._lang()))

    @commands.command(name="knowledge", aliases=["kunnskap"])
    @commands.check(_teacher_or_owner)
    async def knowledge(
        self, ctx: commands.Context[CoachBot], action: str = "", *, rest: str = ""
    ) -> None:
        """Add course material (files attached), list it, or remove it by its slug."""
        lang = self.bot.reply_language(ctx)
        desk = self.bot.desk
        async with working(ctx):
            chosen = action_of(action)
            if chosen == "add":
                text, ok = await self._add(ctx, lang, rest)
            elif chosen == "list":
                outcome = await desk.listing(lang)
                text, ok = outcome.text, outcome.ok
            elif chosen == "remove" and rest.strip():
                outcome = await desk.remove(rest.split()[0], lang)
                text, ok = outcome.text, outcome.ok
            else:
                text, ok = self.bot.coach.strings.t(lang, "knowledge.usage"), False
        kind = "info" if ok else "error"
        await send_reply(ctx, Reply(parts=[text], language=lang, kind=kind))

    async def _add(
        self, ctx: commands.Context[CoachBot], lang: Language, rest: str
    ) -> tuple[str, bool]:
        """Read the attached files (none over the limit is downloaded) and add them."""
        desk = self.bot.desk
        attachments = ctx.message.attachments if ctx.message is not None else []
        if not attachments:
            return desk.error_text(lang, LibraryError("no_files")), False
        limit = self.bot.settings.knowledge_max_bytes
        files: list[tuple[str, bytes]] = []
        for attachment in attachments:
            if attachment.size > limit:
                error = LibraryError("too_big", file=attachment.filename, limit=megabytes(limit))
                return desk.error_text(lang, error), False
            try:
                files.append((attachment.filename, await attachment.read()))
            except discord.HTTPException:
                error = LibraryError("unreadable", file=attachment.filename)
                return desk.error_text(lang, error), False
        title = rest.strip() or None
        outcome = await desk.add(files, lang, title)
        return outcome.text, outcome.ok

    @commands.command(name="sync")
    @commands.is_owner()
    async def sync(self, ctx: commands.Context[CoachBot]) -> None:
        """Sync slash commands to COACH_GUILD_ID (fast) or globally; owner only, never on start."""
        await send_reply(ctx, await self.bot.sync_commands(self._lang()))


async def setup(bot: CoachBot) -> None:
    await bot.add_cog(AdminCog(bot))
