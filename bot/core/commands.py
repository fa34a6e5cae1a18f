"""Parse what a member typed into a command name and its arguments."""

from __future__ import annotations

import re
from typing import NamedTuple

from bot.core.text import clean

PREFIX = "!"
_NAME = re.compile(r"[^\s]*")
MAX_INPUT_CHARS = 4000


class Command(NamedTuple):
    """A parsed command: its name (lower case, without '!') and the rest of the line."""

    name: str
    args: str


def parse_command(text: str) -> Command | None:
    """Return the command in `text`, or None when the text is not a command.

    The arguments are kept as typed (only trimmed): a draft's zero-width joiners and no-break
    spaces count on the platform, so each command cleans what it needs itself.
    """
    text = text.strip()
    if not clean(text).startswith(PREFIX):
        return None
    text = text[text.index(PREFIX) + len(PREFIX) :]
    match = _NAME.match(text)
    name = match.group(0) if match else ""
    return Command(clean(name).lower(), text[len(name) :].strip())


__all__ = ["MAX_INPUT_CHARS", "PREFIX", "Command", "parse_command"]
