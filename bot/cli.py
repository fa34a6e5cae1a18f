"""The one-shot command line: `ask`, `review` and `strategy`, as text or JSON, one or a batch.

stdout carries only replies and JSON; logs go to stderr. Exit codes: 0 done, 2 bad input or
settings, 3 a strategy command whose database work did not happen (the JSON says why).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from bot.app import library, load_knowledge, open_services, vector_path
from bot.config import Settings
from bot.console import render
from bot.core.ask import ask_reply
from bot.core.ask.dense import DenseIndex
from bot.core.knowledge.desk import KnowledgeDesk, Outcome
from bot.core.knowledge.library import LibraryError
from bot.core.language import Language
from bot.core.router import Coach, Context
from bot.core.strategy import StrategyResult
from bot.core.strings import load_strings
from bot.core.text import scrub
from bot.store.vectors import SQLiteVectors

log = logging.getLogger(__name__)

# How long `knowledge add` spends making the new passages' vectors (a 100-page PDF needs about a
# minute on two cores: the rest is made in the background when the coach next starts).
ADD_EMBED_SECONDS = 6.0
# An argument longer than this is refused (a chat message keeps its own, smaller bound).
MAX_ARGUMENT_CHARS = 100_000
# A batch line longer than this gets its own error; the lines after it are still answered.
MAX_BATCH_LINE_BYTES = 1_000_000


async def run_command(args: argparse.Namespace, settings: Settings) -> int:
    """Open the services, run one parsed `ask`, `review` or `strategy` command, close them."""
    async with open_services(settings, database=args.command == "strategy") as services:
        coach = services.coach
        long = _too_long(args)
        if long is not None:
            lang = coach.language.of(long[:2000])
            key = "general.argument_too_long"
            print(coach.strings.t(lang, key, limit=MAX_ARGUMENT_CHARS), file=sys.stderr)
            return 2
        if args.command == "ask":
            await services.vectors_ready()
            if args.batch:
                return await ask_batch(coach, sys.stdin, sys.stdout)
            return await ask_once(coach, " ".join(args.question), args.json, sys.stdout)
        if args.command == "review":
            if args.batch:
                return await review_batch(coach, sys.stdin, sys.stdout)
            draft = " ".join(args.draft)
            return await review_once(coach, draft, args.platform, args.json, sys.stdout)
        return await strategy_once(coach, args, sys.stdout)


async def knowledge_command(args: argparse.Namespace, settings: Settings) -> int:
    """Run `knowledge add|list|remove`; exit 0 when done, 2 when nothing was changed."""
    strings = load_strings()
    lang: Language = "en" if settings.language == "en" else "nb"

    deadline = time.monotonic() + ADD_EMBED_SECONDS

    async def warm() -> None:
        # Loading once here checks the new documents and fills the start-up cache, and the
        # new passages' vectors are made for as long as the budget lasts (the rest in the
        # background of the next coach); a coach running in another process sees the folder
        # change and reloads by itself.
        knowledge = await asyncio.to_thread(load_knowledge, settings)
        dense = DenseIndex(knowledge.base, SQLiteVectors(vector_path(settings)))
        await asyncio.to_thread(dense.fill, deadline)

    desk = KnowledgeDesk(library(settings), lambda: strings, warm)
    outcome: Outcome
    if args.action == "list":
        outcome = await desk.listing(lang)
        if args.json:
            entries = [e.to_json() for e in outcome.entries]
            print(json.dumps(entries, ensure_ascii=False, indent=2))
            return 0
    elif args.action == "remove":
        outcome = await desk.remove(args.slug, lang)
    else:
        files: list[tuple[str, bytes]] = []
        for name in args.files:
            data = _read_file(Path(name), settings.knowledge_max_bytes)
            if data is None:
                print(desk.error_text(lang, LibraryError("unreadable", file=name)), file=sys.stderr)
                return 2
            files.append((Path(name).name, data))
        outcome = await desk.add(files, lang, args.title)
    print(outcome.text, file=sys.stdout if outcome.ok else sys.stderr)
    return 0 if outcome.ok else 2


def _read_file(path: Path, limit: int) -> bytes | None:
    """Read a file, at most one byte past `limit` (the library refuses it as too big)."""
    try:
        with path.open("rb") as handle:
            return handle.read(limit + 1)
    except OSError:
        return None


def _too_long(args: argparse.Namespace) -> str | None:
    """Return the first argument over MAX_ARGUMENT_CHARS, if any."""
    values = [getattr(args, name, None) for name in ("question", "draft", "text", "name")]
    values.append(getattr(args, "subcommand", None))
    for value in values:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and len(item) > MAX_ARGUMENT_CHARS:
                return item
    return None


async def strategy_once(coach: Coach, args: argparse.Namespace, out: TextIO) -> int:
    """Run one `!strategy` subcommand for a member and print the reply (or JSON)."""
    # Server 0 is the local console's class, whose user is its teacher.
    ctx = Context(
        user_id=args.user,
        guild_id=args.guild,
        conversation=f"cli:{args.guild}:{args.user}",
        is_teacher=args.teacher or args.guild == 0,
        display_name=args.name or "",
    )
    text = " ".join([args.subcommand, *args.text]).strip()
    result = await coach.run_strategy(text, ctx)
    reply = render(result.reply, coach.strings)
    if args.json:
        data = strategy_json(coach, result, reply, args.user, args.guild)
        print(json.dumps(data, ensure_ascii=False), file=out)
    else:
        print(reply, file=out)
    # 3: the database did not do what was asked (the reply says why; nothing was saved).
    return 3 if result.error else 0


def strategy_json(
    coach: Coach, result: StrategyResult, reply: str, user: int, guild: int
) -> dict[str, object]:
    """Return the pinned JSON of a strategy command: the state after it, the reply, any error."""
    steps = coach.knowledge.steps.steps
    strategy = result.strategy
    data: dict[str, object] = {"user": user, "guild": guild}
    if strategy is None:
        data.update(company=None, step=None, done=[])
    else:
        step = steps[strategy.current_step]
        data.update(
            company=strategy.company,
            step={
                "n": strategy.current_step + 1,
                "key": step.key,
                "title": step.title(result.reply.language),
            },
            # Done: the steps whose latest answer is good; `steps`: every answered step's state.
            done=[s.key for s in steps if result.states.get(s.key) == "good"],
            steps=[{"key": key, "state": state} for key, state in result.states.items()],
        )
    data["total_steps"] = len(steps)
    data["reply"] = reply
    if result.assessment is not None:
        data["assessment"] = {
            "state": result.assessment.state,
            "missing": list(result.assessment.missing),
        }
    if result.error:
        data["error"] = result.error
    if result.reply.attachments:
        data["attachments"] = [
            {"filename": a.filename, "content": a.content} for a in result.reply.attachments
        ]
    return data


async def ask_once(coach: Coach, question: str, as_json: bool, out: TextIO) -> int:
    """Answer one question and print it, as text or JSON."""
    if not question.strip():
        print(coach.strings.t(coach.language.default, "ask.empty"), file=sys.stderr)
        return 2
    result = await coach.asking.answer(question)
    if as_json:
        print(json.dumps(result.to_json(), ensure_ascii=False), file=out)
    else:
        print(render(ask_reply(result, coach.strings), coach.strings), file=out)
    return 0


async def json_lines(
    stdin: TextIO, out: TextIO, handle: Callable[[dict[str, Any]], Awaitable[dict[str, object]]]
) -> int:
    """Answer each JSON Lines object on stdin with one JSON line out, in order.

    A line that is not an object, is over MAX_BATCH_LINE_BYTES, nests too deep, or that
    `handle` refuses with ValueError, gets `{"error": ...}` and the next line is answered; logs
    go to stderr, so stdout carries only JSON.
    """
    for number, line in enumerate(_bounded_lines(stdin), start=1):
        result: dict[str, object]
        try:
            if line is None:
                raise ValueError(f"the line is longer than {MAX_BATCH_LINE_BYTES:,} characters")
            item = json.loads(line)
            if not isinstance(item, dict):
                raise ValueError("expected a JSON object")
            result = await handle({k: _scrub_json(v) for k, v in item.items()})
        except RecursionError:
            log.warning("batch line %d: nested too deep", number)
            result = {"error": f"line {number}: the JSON value is nested too deep"}
        except ValueError as exc:
            log.warning("batch line %d: %s", number, exc)
            result = {"error": f"line {number}: {exc}"}
        print(json.dumps(result, ensure_ascii=False), file=out, flush=True)
    return 0


def _bounded_lines(stdin: TextIO) -> Iterator[str | None]:
    """Yield the lines of `stdin`, or None for a line over the bound (its rest is skipped)."""
    while True:
        line = stdin.readline(MAX_BATCH_LINE_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_BATCH_LINE_BYTES and not line.endswith("\n"):
            while True:  # skip the rest of the long line, a bounded piece at a time
                rest = stdin.readline(MAX_BATCH_LINE_BYTES)
                if not rest or rest.endswith("\n"):
                    break
            yield None
            continue
        yield line


def _scrub_json(value: object) -> object:
    """Return a top-level field with lone surrogates replaced (only strings are read)."""
    return scrub(value) if isinstance(value, str) else value


async def ask_batch(coach: Coach, stdin: TextIO, out: TextIO) -> int:
    """Answer JSON Lines questions from stdin, one JSON object out per line, in order."""

    async def handle(item: dict[str, Any]) -> dict[str, object]:
        question = item.get("question")
        if not isinstance(question, str):
            raise ValueError('expected an object with a "question" string')
        if not question.strip():
            raise ValueError("the question is empty")
        return (await coach.asking.answer(question)).to_json()

    return await json_lines(stdin, out, handle)


async def review_once(
    coach: Coach, draft: str, platform: str | None, as_json: bool, out: TextIO
) -> int:
    """Review one draft and print it, as text or JSON."""
    problem = coach.reviewing.unknown_platform(platform, coach.language.of(draft))
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2
    result = await coach.reviewing.review(draft, platform)
    if as_json:
        print(json.dumps(result.to_json(), ensure_ascii=False), file=out)
    else:
        print(render(coach.reviewing.reply(result), coach.strings), file=out)
    return 0


async def review_batch(coach: Coach, stdin: TextIO, out: TextIO) -> int:
    """Review JSON Lines drafts from stdin, one JSON object out per line, in order."""

    async def handle(item: dict[str, Any]) -> dict[str, object]:
        text, platform = item.get("text"), item.get("platform")
        if not isinstance(text, str):
            raise ValueError('expected an object with a "text" string')
        if platform is not None and not isinstance(platform, str):
            raise ValueError('"platform" must be a string')
        if coach.reviewing.unknown_platform(platform, "en") is not None:
            names = ", ".join(coach.knowledge.platforms.by_code)
            raise ValueError(f"unknown platform {platform!r}; use one of {names}")
        return (await coach.reviewing.review(text, platform)).to_json()

    return await json_lines(stdin, out, handle)


__all__ = [
    "MAX_ARGUMENT_CHARS",
    "MAX_BATCH_LINE_BYTES",
    "ask_batch",
    "ask_once",
    "json_lines",
    "review_batch",
    "review_once",
    "run_command",
    "strategy_json",
    "strategy_once",
]
