"""Command line and composition root: read Settings, build the services, pick an adapter.

python -m bot                  the console, or Discord when DISCORD_TOKEN is set
python -m bot chat             the console
python -m bot ask [--json] QUESTION
python -m bot ask --batch      JSON Lines {"question": ...} on stdin, one JSON line out per line
python -m bot review [--json] [--platform NAME] DRAFT
python -m bot review --batch   JSON Lines {"text": ..., "platform": ...} on stdin
python -m bot strategy --user ID [--guild ID] [--json] SUBCOMMAND [TEXT]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from bot import __version__, redact
from bot.config import Settings, load_settings
from bot.core.text import scrub
from bot.errors import ConfigError, DataFileError

if TYPE_CHECKING:
    from bot.core.coach import Coach

log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="SoMe-coach: a coach for the course 'Sosiale medier'.",
    )
    parser.add_argument("--version", action="version", version=f"some-coach {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("chat", help="open the console (the default without DISCORD_TOKEN)")
    ask = sub.add_parser("ask", help="answer one question, or a batch of JSON Lines on stdin")
    ask.add_argument("question", nargs="*", help="the question")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    ask.add_argument(
        "--batch", action="store_true", help='read {"question": ...} JSON Lines from stdin'
    )
    review = sub.add_parser("review", help="review a draft, or a batch of JSON Lines on stdin")
    review.add_argument("draft", nargs="*", help="the draft")
    review.add_argument("--json", action="store_true", help="print the review as JSON")
    review.add_argument(
        "--platform", "-p", default=None, help="x (default), bluesky, mastodon, ..."
    )
    review.add_argument(
        "--batch", action="store_true", help='read {"text": ..., "platform": ...} JSON Lines'
    )
    strategy = sub.add_parser("strategy", help="run one !strategy subcommand for a member")
    strategy.add_argument("--user", type=int, required=True, help="the member's user id")
    strategy.add_argument("--guild", type=int, default=0, help="the server id (0: the console)")
    strategy.add_argument("--json", action="store_true", help="print the state and reply as JSON")
    strategy.add_argument("--teacher", action="store_true", help="act as a teacher of the server")
    strategy.add_argument("--name", default="", help="the member's display name")
    strategy.add_argument("subcommand", nargs="?", default="", help="start, answer, next, ...")
    strategy.add_argument("text", nargs=argparse.REMAINDER, help="the text, if any")
    return parser


def setup_logging(verbose: bool) -> None:
    """Send logs to stderr (stdout stays clean for replies and JSON)."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    redact.install()
    if not verbose:
        # bm25s sets its own logger to DEBUG when imported and logs every index build.
        for handler in logging.getLogger().handlers:
            handler.addFilter(_quiet_libraries)


def _quiet_libraries(record: logging.LogRecord) -> bool:
    """Drop libraries' debug and info chatter; keep their warnings and every record of ours."""
    return record.name.startswith("bot") or record.levelno >= logging.WARNING


# An argument longer than this is refused (a chat message keeps its own, smaller bound).
MAX_ARGUMENT_CHARS = 100_000
# A batch line longer than this gets its own error; the lines after it are still answered.
MAX_BATCH_LINE_BYTES = 1_000_000


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    # Undecodable bytes in arguments become U+FFFD here, so nothing later fails to print them.
    cleaned = [scrub(arg) for arg in (sys.argv[1:] if argv is None else argv)]
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    args = _parser().parse_args(cleaned)
    setup_logging(args.verbose)
    try:
        settings = load_settings()
        redact.install(settings.secrets())
        return _run(args, settings)
    except (ConfigError, DataFileError) as exc:
        print(f"some-coach: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`... | head`): stop quietly, as command-line tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the last guard: a bug must not show a member a traceback
        log.debug("unexpected error", exc_info=True)
        print(
            f"some-coach: an unexpected error stopped the command ({type(exc).__name__}); "
            "run with -v for details",
            file=sys.stderr,
        )
        return 1


def _too_long(args: argparse.Namespace) -> str | None:
    """Return the first argument over MAX_ARGUMENT_CHARS, if any."""
    values = [getattr(args, name, None) for name in ("question", "draft", "text", "name")]
    values.append(getattr(args, "subcommand", None))
    for value in values:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and len(item) > MAX_ARGUMENT_CHARS:
                return item
    return None


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command is None and settings.discord_token is not None:
        from bot.discord_app import run_discord

        return run_discord(settings)
    from bot.services import build_services

    database = args.command not in ("ask", "review")
    with asyncio.Runner() as runner:
        services = runner.run(build_services(settings, database=database))
        coach = services.coach
        try:
            long = _too_long(args)
            if long is not None:
                lang = coach.language_of(long[:2000])
                key = "general.argument_too_long"
                print(coach.strings.t(lang, key, limit=MAX_ARGUMENT_CHARS), file=sys.stderr)
                return 2
            if args.command == "ask":
                if args.batch:
                    return runner.run(ask_batch(coach, sys.stdin, sys.stdout))
                return runner.run(ask_once(coach, " ".join(args.question), args.json, sys.stdout))
            if args.command == "review":
                if args.batch:
                    return runner.run(review_batch(coach, sys.stdin, sys.stdout))
                draft = " ".join(args.draft)
                return runner.run(review_once(coach, draft, args.platform, args.json, sys.stdout))
            if args.command == "strategy":
                return runner.run(strategy_once(coach, args, sys.stdout))
            from bot.console import run_console

            history = settings.db_path.parent / ".console_history"
            return run_console(coach, history=history, runner=runner)
        finally:
            runner.run(services.close())


async def strategy_once(coach: Coach, args: argparse.Namespace, out: TextIO) -> int:
    """Run one `!strategy` subcommand for a member and print the reply (or JSON)."""
    from bot.console import render
    from bot.core.coach import Context

    # Server 0 is the local console's class, whose user is its teacher.
    teacher = args.teacher or args.guild == 0
    ctx = Context(
        user_id=args.user,
        guild_id=args.guild,
        conversation=f"cli:{args.guild}:{args.user}",
        is_teacher=teacher,
        display_name=args.name or "",
    )
    text = " ".join([args.subcommand, *args.text]).strip()
    result = await coach.strategy(text, ctx)
    reply = render(result.reply, coach.strings)
    # 3: the database did not do what was asked (the reply says why; nothing was saved).
    status = 3 if result.error else 0
    if not args.json:
        print(reply, file=out)
        return status
    steps = coach.knowledge.steps.steps
    strategy = result.strategy
    data: dict[str, object] = {"user": args.user, "guild": args.guild}
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
            done=[s.key for s in steps if s.key in strategy.answers],
        )
    data["total_steps"] = len(steps)
    data["reply"] = reply
    if result.error:
        data["error"] = result.error
    if result.reply.attachments:
        data["attachments"] = [
            {"filename": a.filename, "content": a.content} for a in result.reply.attachments
        ]
    print(json.dumps(data, ensure_ascii=False), file=out)
    return status


async def ask_once(coach: Coach, question: str, as_json: bool, out: TextIO) -> int:
    """Answer one question and print it, as text or JSON."""
    from bot.console import render
    from bot.core.replies import ask_reply

    if not question.strip():
        print(coach.strings.t(coach.language_of(""), "ask.empty"), file=sys.stderr)
        return 2
    result = await coach.answer(question)
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
        return (await coach.answer(question)).to_json()

    return await json_lines(stdin, out, handle)


async def review_once(
    coach: Coach, draft: str, platform: str | None, as_json: bool, out: TextIO
) -> int:
    """Review one draft and print it, as text or JSON."""
    from bot.console import render

    if coach.knowledge.platforms.resolve(platform) is None:
        names = ", ".join(coach.knowledge.platforms.by_code)
        lang = coach.language_of(draft)
        print(
            coach.strings.t(lang, "review.unknown_platform", name=platform, platforms=names),
            file=sys.stderr,
        )
        return 2
    result = await coach.full_review(draft, platform)
    if as_json:
        print(json.dumps(result.to_json(), ensure_ascii=False), file=out)
    else:
        print(render(coach.review_reply(result), coach.strings), file=out)
    return 0


async def review_batch(coach: Coach, stdin: TextIO, out: TextIO) -> int:
    """Review JSON Lines drafts from stdin, one JSON object out per line, in order."""

    async def handle(item: dict[str, Any]) -> dict[str, object]:
        text, platform = item.get("text"), item.get("platform")
        if not isinstance(text, str):
            raise ValueError('expected an object with a "text" string')
        if platform is not None and not isinstance(platform, str):
            raise ValueError('"platform" must be a string')
        if coach.knowledge.platforms.resolve(platform) is None:
            names = ", ".join(coach.knowledge.platforms.by_code)
            raise ValueError(f"unknown platform {platform!r}; use one of {names}")
        return (await coach.full_review(text, platform)).to_json()

    return await json_lines(stdin, out, handle)


if __name__ == "__main__":
    sys.exit(main())
