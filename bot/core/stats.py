"""`!stats` for teachers: usage per command, the questions declined most often, the weakest."""

from __future__ import annotations

from bot.core.language import Language
from bot.core.ports import MemberId, UsageLog
from bot.core.reply import Reply
from bot.core.strings import Strings
from bot.errors import StoreError


async def stats_reply(
    usage: UsageLog | None, guild_id: MemberId, strings: Strings, lang: Language
) -> Reply:
    """Return the server's usage as a private Reply (or why it cannot be read)."""
    if usage is None:
        return Reply(parts=[strings.t(lang, "strategy.store.unavailable")], language=lang)
    try:
        stats = await usage.stats(guild_id)
    except StoreError:
        return Reply(parts=[strings.t(lang, "strategy.store.failed")], language=lang)
    if not stats.commands:
        return Reply(parts=[strings.t(lang, "discord.stats_none")], language=lang, private=True)
    # A Slack workspace's ids name it ("slack:T0123"); a number is a Discord server.
    slack = isinstance(guild_id, str) and guild_id.startswith("slack:")
    lines = [strings.t(lang, "slack.stats_title" if slack else "discord.stats_title")]
    lines += [f"• !{name}: {count}" for name, count in stats.commands.items()]
    if stats.declined:
        lines.append(strings.t(lang, "discord.stats_declined"))
        lines += [f"• {q} ({n})" for q, n in stats.declined]
    if stats.weakest:
        lines.append(strings.t(lang, "discord.stats_weakest"))
        lines += [f"• {q} ({score:+d} / {n})" for q, score, n in stats.weakest]
    return Reply(parts=["\n".join(lines)], language=lang, private=True)


__all__ = ["stats_reply"]
