"""Turn the core's Reply into Slack Block Kit: sections, sources as context, nothing that pings.

Everything a member or a model wrote is escaped for mrkdwn (`&`, `<`, `>`), so `<!channel>`,
`<!here>`, `<@U0123>` and `<https://x|links>` in a question, a draft or an answer are shown as
typed and ping or link nobody. Each part is a section of at most 3,000 characters (split at
paragraphs, sentences, words, as on Discord); a message holds at most 50 blocks, and a longer
reply goes out as several messages.
"""

from __future__ import annotations

import json
import re
from typing import Any

from bot.core.language import Language
from bot.core.reply import Reply, pieces
from bot.core.strings import Strings

SECTION_LIMIT = 3000
BLOCK_LIMIT = 50
TEXT_LIMIT = 3000  # the notification text that goes with the blocks
VALUE_LIMIT = 2000  # a button's value
VOTE_UP = "vote_up"
VOTE_DOWN = "vote_down"
VOTES_BLOCK = "votes"
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)

Block = dict[str, Any]


_SPECIAL = re.compile(r"<([^<>]*)>")


def plain(text: str) -> str:
    """Return a message's text as the member typed it: Slack sends `@channel` as `<!channel>`,
    a link as `<https://x.no|label>`, and `&`, `<`, `>` escaped (a draft is counted as typed)."""

    def spell(match: re.Match[str]) -> str:
        target, _, label = match.group(1).partition("|")
        if target.startswith("!"):
            name = target[1:].split("^")[0]
            return f"@{label or name}" if name in ("channel", "here", "everyone") else label
        if target.startswith("@"):
            return f"@{label or target[1:]}"
        if target.startswith("#"):
            return f"#{label or target[1:]}"
        if target.startswith("mailto:"):
            return label or target[7:]
        return target  # a link: the address as typed (Slack's label is the address or its text)

    text = _SPECIAL.sub(spell, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def escape(text: str) -> str:
    """Escape the three characters mrkdwn gives a meaning: a `<!channel>` becomes plain text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(text: str) -> str:
    """Return the core's Markdown as escaped Slack mrkdwn (**bold** becomes *bold*)."""
    return _BOLD.sub(r"*\1*", escape(text))


def _text(text: str) -> Block:
    """A mrkdwn text object; verbatim, so Slack links no name and parses no @channel in it."""
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def _section(text: str) -> Block:
    return {"type": "section", "text": _text(text)}


def _sections(text: str) -> list[Block]:
    """Return one text as sections of at most SECTION_LIMIT characters each."""
    # Escaping makes text longer (& becomes &amp;): split with room for it.
    out: list[Block] = []
    for piece in pieces(text, SECTION_LIMIT // 2):
        converted = mrkdwn(piece)
        while len(converted) > SECTION_LIMIT:  # a run of & or < only: cut, as a last resort
            out.append(_section(converted[:SECTION_LIMIT]))
            converted = converted[SECTION_LIMIT:]
        if converted.strip():
            out.append(_section(converted))
    return out


def _sources(reply: Reply, strings: Strings) -> list[Block]:
    """Return the sources as context blocks (at most 10 elements each)."""
    label = strings.t(reply.language, "ask.sources")
    items = [
        f"[{s.n}] {escape(s.title)} ({escape(s.place(reply.language))})" for s in reply.sources
    ]
    elements = [_text(f"*{escape(label)}*")]
    elements += [_text(item[:SECTION_LIMIT]) for item in items]
    return [
        {"type": "context", "elements": elements[i : i + 10]} for i in range(0, len(elements), 10)
    ]


def vote_buttons(question: str, sources: str, language: Language) -> Block:
    """Return 👍/👎 buttons whose value carries the question, its sources and the language."""
    value = _value(question[:300], sources, language)
    return {
        "type": "actions",
        "block_id": VOTES_BLOCK,
        "elements": [
            {
                "type": "button",
                "action_id": action,
                "text": {"type": "plain_text", "text": emoji, "emoji": True},
                "value": value,
            }
            for action, emoji in ((VOTE_UP, "👍"), (VOTE_DOWN, "👎"))
        ],
    }


def _value(question: str, sources: str, language: Language) -> str:
    """Return a button's value (at most VALUE_LIMIT characters): shorter sources, then question."""
    value = ""
    for cut in range(len(sources), -1, -100):
        value = json.dumps({"q": question, "s": sources[:cut], "l": language}, ensure_ascii=False)
        if len(value) <= VALUE_LIMIT:
            return value
    while len(value) > VALUE_LIMIT and question:
        question = question[: len(question) - 20]
        value = json.dumps({"q": question, "s": "", "l": language}, ensure_ascii=False)
    return value


def render(reply: Reply, strings: Strings, extra: list[Block] | None = None) -> list[list[Block]]:
    """Return the reply as messages of blocks: parts, attachments, sources, notice, `extra`."""
    blocks: list[Block] = []
    for part in reply.parts:
        blocks += _sections(part)
    for attachment in reply.attachments:
        # Files need the files:write scope and a three-step upload; the text goes inline.
        fence = "```"
        body = attachment.content.rstrip()
        blocks.append(_section(f"📎 *{escape(attachment.filename)}*"))
        for piece in pieces(body, SECTION_LIMIT // 2 - 8):
            blocks.append(_section(f"{fence}{escape(piece)}{fence}"))
    if reply.sources:
        blocks += _sources(reply, strings)
    if reply.notice:
        blocks.append(
            {
                "type": "context",
                "elements": [_text(mrkdwn(f"_{reply.notice}_"))],
            }
        )
    blocks += extra or []
    if not blocks:
        blocks.append(_section(" "))
    messages = [blocks[i : i + BLOCK_LIMIT] for i in range(0, len(blocks), BLOCK_LIMIT)]
    # Buttons go with the last message, and never alone in one.
    if extra and len(messages) > 1 and len(messages[-1]) == len(extra):
        messages[-1].insert(0, messages[-2].pop())
    return messages


def fallback_text(reply: Reply) -> str:
    """Return the notification text that goes with the blocks: escaped, at most TEXT_LIMIT."""
    text = mrkdwn(reply.text) or " "
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"


__all__ = [
    "BLOCK_LIMIT",
    "SECTION_LIMIT",
    "VOTE_DOWN",
    "VOTE_UP",
    "escape",
    "fallback_text",
    "mrkdwn",
    "plain",
    "render",
    "vote_buttons",
]
