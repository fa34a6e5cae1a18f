"""What every cog shares: the member's context, and sending a reply safely."""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.core.reply import Reply
from bot.core.router import Context
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
    ctx: commands.Context[CoachBot],
    reply: Reply,
    view: discord.ui.View | None = None,
    *,
    ephemeral: bool = False,
) -> list[discord.Message]:
    """Send a reply as one or more messages, answering the invoking message; never pings.

    A private reply (the member's own strategy, an export) is ephemeral on a slash command; on a
    prefix command in a server it goes by DM, with a short public line saying so. `ephemeral`
    hides a notice that holds nothing private on slash commands only.
    """
    texts = render(reply, ctx.bot.coach.strings)
    files = _files(reply)
    if reply.private and ctx.interaction is None and ctx.guild is not None:
        return await _send_by_dm(ctx, reply, texts, files, view)
    hidden = (reply.private or ephemeral) and ctx.interaction is not None
    sent: list[discord.Message] = []
    for number, text in enumerate(texts):
        options = _options(number == len(texts) - 1, files, view)
        if ctx.interaction is not None:
            message = await ctx.send(text, ephemeral=hidden, **options)  # type: ignore[arg-type]
        elif number == 0:
            message = await ctx.reply(text, mention_author=False, **options)  # type: ignore[arg-type]
        else:
            message = await ctx.send(text, **options)  # type: ignore[arg-type]
        sent.append(message)
    return sent


def _files(reply: Reply) -> list[discord.File]:
    return [
        discord.File(io.BytesIO(a.content.encode("utf-8")), filename=a.filename)
        for a in reply.attachments
    ]


def _options(
    last: bool, files: list[discord.File], view: discord.ui.View | None
) -> dict[str, object]:
    """Return send() options: no pings ever; files and buttons go with the last message."""
    options: dict[str, object] = {"allowed_mentions": NO_PINGS}
    if last and files:
        options["files"] = files
    if last and view is not None:
        options["view"] = view
    return options


async def _send_by_dm(
    ctx: commands.Context[CoachBot],
    reply: Reply,
    texts: list[str],
    files: list[discord.File],
    view: discord.ui.View | None,
) -> list[discord.Message]:
    """Send a private reply to the member's DMs and say so in the channel, without the content."""
    strings = ctx.bot.coach.strings
    sent: list[discord.Message] = []
    try:
        for number, text in enumerate(texts):
            options = _options(number == len(texts) - 1, files, view)
            sent.append(await ctx.author.send(text, **options))  # type: ignore[arg-type]
    except discord.HTTPException as exc:  # DMs closed (Forbidden) or refused
        log.info("could not send a private reply by DM: %s", exc)
        notice = strings.t(reply.language, "discord.dm_closed")
        await ctx.reply(notice, mention_author=False, allowed_mentions=NO_PINGS)
        return sent
    notice = strings.t(reply.language, "discord.sent_privately")
    await ctx.reply(notice, mention_author=False, allowed_mentions=NO_PINGS)
    return sent


__all__ = [
    "NO_PINGS",
    "conversation_key",
    "is_teacher",
    "member_context",
    "send_reply",
    "working",
]
