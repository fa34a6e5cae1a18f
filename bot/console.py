"""The console adapter: the coach's commands in a terminal, with line editing and history.

It never imports discord.py, so the console starts fast on a laptop with nothing configured.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.core.knowledge.desk import action_of
from bot.core.language import Language
from bot.core.reply import Reply
from bot.core.router import Coach, Context
from bot.core.strings import Strings

if TYPE_CHECKING:
    from bot.app import Services

log = logging.getLogger(__name__)

PROMPT = "du> "
HISTORY_LENGTH = 500


def render(reply: Reply, strings: Strings) -> str:
    """Return a reply as plain terminal text: parts, numbered sources, notices, attachments."""
    blocks = [reply.text] if reply.text else []
    if reply.sources:
        lines = [f"{strings.t(reply.language, 'ask.sources')}:"]
        lines += [f"  [{s.n}] {s.title} ({s.place(reply.language)})" for s in reply.sources]
        blocks.append("\n".join(lines))
    for attachment in reply.attachments:
        blocks.append(f"--- {attachment.filename} ---\n{attachment.content.rstrip()}\n---")
    if reply.notice:
        blocks.append(f"({reply.notice})")
    return "\n\n".join(blocks)


def _enable_line_editing(history: Path) -> None:
    """Turn on readline editing and a persistent history, where the platform has readline."""
    try:
        import readline
    except ImportError:  # pragma: no cover - Windows without pyreadline
        return
    try:
        history.parent.mkdir(parents=True, exist_ok=True)
        if history.exists():
            readline.read_history_file(history)
    except OSError as exc:
        log.debug("no console history: %s", exc)
    readline.set_history_length(HISTORY_LENGTH)
    import atexit

    def _save() -> None:
        try:
            readline.write_history_file(history)
        except OSError as exc:
            log.debug("could not save console history: %s", exc)

    atexit.register(_save)


async def _knowledge(line: str, coach: Coach, services: Services) -> str:
    """Run `!knowledge list|remove SLUG` (files are added on the command line)."""
    _, action, rest = ([*line.strip().split(maxsplit=2), "", ""])[:3]
    lang = coach.language.default
    chosen = action_of(action)
    if chosen == "list":
        return (await services.desk.listing(lang)).text
    if chosen == "remove" and rest.strip():
        return (await services.desk.remove(rest.split()[0], lang)).text
    if chosen == "add":
        return coach.strings.t(lang, "knowledge.console_add")
    return coach.strings.t(lang, "knowledge.usage")


def _knowledge_command(
    line: str, coach: Coach, services: Services | None
) -> Coroutine[None, None, str] | None:
    """Return the `!knowledge` command a line holds, to run (None for any other line)."""
    head = line.strip().split(maxsplit=1)[0].lower() if line.strip() else ""
    if services is None or head not in ("!knowledge", "!kunnskap"):
        return None
    return _knowledge(line, coach, services)


def run_console(
    coach: Coach,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    history: Path | None = None,
    runner: asyncio.Runner | None = None,
    services: Services | None = None,
) -> int:
    """Read commands until end of input or Ctrl-C, printing each reply; return the exit code."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin is sys.stdin and stdin.isatty()
    if interactive and history is not None:
        _enable_line_editing(history)
    strings = coach.strings
    lang: Language = coach.language.default
    ctx = Context(
        user_id=0, guild_id=0, conversation="console:0", is_teacher=True, display_name="console"
    )
    print(strings.t(lang, "console.welcome"), file=stdout, flush=True)
    with contextlib.ExitStack() as stack:
        if runner is None:
            runner = stack.enter_context(asyncio.Runner())
        while True:
            try:
                line = input(PROMPT) if interactive else stdin.readline()
            except (EOFError, KeyboardInterrupt):
                break
            if not interactive and line == "":
                break  # end of piped input
            try:
                if services is not None:
                    # A file added from another terminal is used from the next line on.
                    runner.run(services.reload_if_added())
                    coach = services.coach
                    strings = coach.strings
                knowledge = _knowledge_command(line, coach, services)
                if knowledge is not None:
                    text = runner.run(knowledge)
                else:
                    reply = runner.run(coach.handle(line.rstrip("\n"), ctx))
                    text = render(reply, strings)
            except KeyboardInterrupt:
                break
            except Exception:
                log.exception("console command failed")
                text = strings.t(coach.language.of(line), "general.error")
            print(text, file=stdout, flush=True)
            if not interactive:
                print(file=stdout, flush=True)
    if interactive:
        print(file=stdout)
    print(strings.t(lang, "console.goodbye"), file=stdout, flush=True)
    return 0


__all__ = ["PROMPT", "render", "run_console"]
