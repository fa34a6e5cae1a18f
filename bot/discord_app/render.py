"""Turn the core's Reply into Discord messages: under 2,000 characters each, nothing broken.

Text is split at paragraph, then sentence, then word boundaries; a link is never cut; a code block
longer than a message is closed at the end of one message and reopened in the next. Sources are
listed under the answer. Sending is done by the cogs with AllowedMentions.none().
"""

from __future__ import annotations

import re

from discord.utils import escape_markdown

from bot.core.language import Language
from bot.core.reply import Reply, Source, pieces
from bot.core.strings import Strings

LIMIT = 2000
BUDGET = 1900  # room for a reopened code fence and the part counter
_FENCE = "```"


def reply_text(reply: Reply, strings: Strings) -> str:
    """Return the whole reply as Markdown text: parts, numbered sources, notice."""
    blocks = [p for p in reply.parts if p]
    if reply.sources:
        lines = [f"**{strings.t(reply.language, 'ask.sources')}**"]
        lines += [f"[{s.n}] {s.title} ({_place(s, reply.language)})" for s in reply.sources]
        blocks.append("\n".join(lines))
    if reply.notice:
        blocks.append(f"*{reply.notice}*")
    return "\n\n".join(blocks)


def _place(source: Source, language: Language) -> str:
    """Return a source's place: a course post's path as code, a file's page as plain text."""
    if source.source is None:
        return f"`{source.path}`"
    return escape_markdown(source.place(language))


def split_message(text: str, limit: int = BUDGET) -> list[str]:
    """Split text into Discord messages, closing and reopening code blocks across the cut."""
    messages: list[str] = []
    open_fence: str | None = None
    for piece in pieces(text, limit - 20):
        prefix = open_fence + "\n" if open_fence is not None else ""
        body = prefix + piece
        fences = re.findall(r"```[^\s`]*", piece)
        for fence in fences:
            open_fence = None if open_fence is not None else fence
        if open_fence is not None:
            body += "\n" + _FENCE
        messages.append(body)
    return [m for m in messages if m.strip()] or [""]


def render(reply: Reply, strings: Strings) -> list[str]:
    """Return the reply as a list of message texts, each under 2,000 characters."""
    return split_message(reply_text(reply, strings))


__all__ = ["LIMIT", "render", "reply_text", "split_message"]
