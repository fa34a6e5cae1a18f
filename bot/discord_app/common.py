"""What every cog shares: the member's context, and sending a reply safely."""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.core.coach import Context
from bot.core.reply import Reply
from bot.discord_app.render import render

if TYPE_CHECKING:
    from bot.discord_app.bot import CoachBot

log = logging.getLogger(__name__)
NO_PINGS = discord.AllowedMentions.none()


def is_teacher(ctx: commands.Context[CoachBot]) -> bool:
    """Say whether the author may see the class: Manage Server, or the teacher role."""
    author = ctx.author
    if not isinstance(author, discord.Member):
        return False
    if author.guild_permissions.manage_guild:
        return True
    role = ctx.bot.settings.teacher_role.strip().lower()
    return bool(role) and any(r.name.lower() == role for r in author.roles)


def conversation_key(ctx: commands.Context[CoachBot]) -> str:
    """Return the conversation a message belongs to: a thread, a reply chain, or itself."""
    channel = ctx.channel
    if isinstance(channel, discord.Thread):
        return f"thread:{channel.id}"
    message = ctx.message
    reference = message.reference if message is not None else None
    if reference is not None and reference.message_id is not None:
        known = ctx.bot.conversations.get(reference.message_id)
        if known is not None:
            return known
    return f"message:{message.id if message is not None else ctx.author.id}"


def member_context(ctx: commands.Context[CoachBot]) -> Context:
    """Return the core's Context for the author of a command."""
    guild_id = ctx.guild.id if ctx.guild is not None else 0
    return Context(
        user_id=ctx.author.id,
        guild_id=guild_id,
        conversation=conversation_key(ctx),
        is_teacher=is_teacher(ctx),
        display_name=getattr(ctx.author, "display_name", "") or ctx.author.name,
        budget_key=guild_id or ctx.author.id,
    )


@contextlib.asynccontextmanager
async def working(ctx: commands.Context[CoachBot], ephemeral: bool = False) -> AsyncIterator[None]:
    """Show typing (a prefix command) or defer (a slash command) while the coach works.

    The indicator is a courtesy: if Discord refuses it, the command goes on without it.
    """
    indicator = ctx.typing(ephemeral=ephemeral)
    try:
        await indicator.__aenter__()
    except Exception as exc:
        log.debug("no typing indicator: %s", exc)
        yield
        return
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            await indicator.__aexit__(None, None, None)


async def send_reply(
    ctx: commands.Context[CoachBot], reply: Reply, view: discord.ui.View | None = None
) -> list[discord.Message]:
    """Send a reply as one or more messages, answering the invoking message; never pings."""
    texts = render(reply, ctx.bot.coach.strings)
    files = [
        discord.File(io.BytesIO(a.content.encode("utf-8")), filename=a.filename)
        for a in reply.attachments
    ]
    ephemeral = reply.private and ctx.interaction is not None
    sent: list[discord.Message] = []
    for number, text in enumerate(texts):
        last = number == len(texts) - 1
        options: dict[str, object] = {"allowed_mentions": NO_PINGS}
        if last and files:
            options["files"] = files
        if last and view is not None:
            options["view"] = view
        if ctx.interaction is not None:
            message = await ctx.send(text, ephemeral=ephemeral, **options)  # type: ignore[arg-type]
        elif number == 0:
            message = await ctx.reply(text, mention_author=False, **options)  # type: ignore[arg-type]
        else:
            message = await ctx.send(text, **options)  # type: ignore[arg-type]
        sent.append(message)
    return sent


__all__ = [
    "NO_PINGS",
    "conversation_key",
    "is_teacher",
    "member_context",
    "send_reply",
    "working",
]
