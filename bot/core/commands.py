"""Parse what a member typed into a command name and its arguments."""

from __future__ import annotations

from typing import NamedTuple

from bot.core.text import clean

PREFIX = "!"
MAX_INPUT_CHARS = 4000


class Command(NamedTuple):
    """A parsed command: its name (lower case, without '!') and the rest of the line."""

    name: str
    args: str


def parse_command(text: str) -> Command | None:
    """Return the command in `text`, or None when the text is not a command."""
    text = clean(text).strip()
    if not text.startswith(PREFIX):
        return None
    head, _, rest = text[len(PREFIX) :].partition(" ")
    name, _, glued = head.partition("\n")
    rest = f"{glued}\n{rest}" if glued else rest
    return Command(name.lower(), rest.strip())


__all__ = ["MAX_INPUT_CHARS", "PREFIX", "Command", "parse_command"]
