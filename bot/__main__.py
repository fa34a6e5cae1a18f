"""Command line and composition root: read Settings, build the services, pick an adapter.

python -m bot                  the console; Slack with both SLACK_*_TOKEN set, Discord with
                               DISCORD_TOKEN (both at once when both are set)
python -m bot chat             the console
python -m bot ask [--json] QUESTION
python -m bot ask --batch      JSON Lines {"question": ...} on stdin, one JSON line out per line
python -m bot review [--json] [--platform NAME] DRAFT
python -m bot review --batch   JSON Lines {"text": ..., "platform": ...} on stdin
python -m bot strategy --user ID [--guild ID] [--json] SUBCOMMAND [TEXT]
python -m bot knowledge add FILE... [--title TITLE] | list [--json] | remove SLUG
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Sequence
from typing import TextIO

from bot import __version__, redact
from bot.config import Settings, load_settings
from bot.core.text import scrub
from bot.errors import ConfigError, DataFileError

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
    knowledge = sub.add_parser("knowledge", help="add, list or remove your own course material")
    actions = knowledge.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="add PDF, DOCX, PPTX, HTML, Markdown or text files")
    add.add_argument("files", nargs="+", metavar="FILE", help="the files to add")
    add.add_argument("--title", default=None, help="the document's title (one file only)")
    listing = actions.add_parser("list", help="list the documents you added")
    listing.add_argument("--json", action="store_true", help="print the list as JSON")
    remove = actions.add_parser("remove", help="remove a document you added")
    remove.add_argument("slug", help="the document's slug, as `knowledge list` shows it")
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


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command is None and (settings.slack_bot_token or settings.slack_app_token):
        if not settings.slack_enabled:
            missing = "SLACK_APP_TOKEN" if settings.slack_bot_token else "SLACK_BOT_TOKEN"
            raise ConfigError(missing, "is needed too: Socket Mode uses both Slack tokens")
        return run_chat(settings)  # with DISCORD_TOKEN as well, both run in one process
    if args.command is None and settings.discord_token is not None:
        from bot.discord_app import run_discord

        return run_discord(settings)
    if args.command == "knowledge":
        from bot.cli import knowledge_command

        return asyncio.run(knowledge_command(args, settings))
    if args.command in ("ask", "review", "strategy"):
        from bot.cli import run_command

        return asyncio.run(run_command(args, settings))
    return run_console_with_services(settings)


CLOSE_SECONDS = 7.0  # the chat connections close at once within this; the process within 10 s


async def serve_chat(settings: Settings, stop: asyncio.Event | None = None) -> int:
    """Run Slack, and Discord too when DISCORD_TOKEN is set, on one set of services.

    SIGTERM, SIGINT or `stop` closes the Socket Mode connection, the Discord connection, the HTTP
    client and the database.
    """
    from bot.app import open_services
    from bot.slack_app import SlackCoach

    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    async with open_services(settings) as services:
        slack = SlackCoach(settings, services)
        stopper = asyncio.ensure_future(stop.wait())
        # Slack connects (and checks its tokens) while Discord starts; a signal stops either.
        tasks = {"slack": asyncio.ensure_future(slack.start())}
        if settings.discord_token is not None:
            from bot.discord_app import run_bot

            tasks["discord"] = asyncio.ensure_future(run_bot(settings, services, stop))
        try:
            pending: set[asyncio.Future[object]] = {stopper, *tasks.values()}  # type: ignore[arg-type]
            while not stopper.done():
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in tasks.values():
                    if task in done and not task.cancelled() and task.exception() is not None:
                        raise task.exception()  # type: ignore[misc]  # a refused token: exit 2
                if tasks["slack"] in done:
                    log.info("connected to Slack over Socket Mode")
                if tasks.get("discord") in done:
                    break  # Discord was closed: close Slack as well
        finally:
            stop.set()
            stopper.cancel()
            if not tasks["slack"].done():
                tasks["slack"].cancel()
            # One deadline for both: the process ends within ten seconds of the signal.
            closing = [slack.close(), *(t for t in tasks.values() if not t.done())]
            try:
                await asyncio.wait_for(
                    asyncio.gather(*closing, return_exceptions=True), CLOSE_SECONDS
                )
            except TimeoutError:
                log.warning("a chat connection did not close within %.0f s", CLOSE_SECONDS)
            for task in tasks.values():
                task.cancel()
    return 0


def run_chat(settings: Settings) -> int:
    """Run on Slack (and Discord) until stopped; logs go to stderr with every token masked."""
    import discord

    logging.getLogger("bot").setLevel(logging.INFO)
    try:
        return asyncio.run(serve_chat(settings))
    except discord.LoginFailure:
        log.error("Discord refused the token (DISCORD_TOKEN); check it in the Developer Portal.")
        return 2


def run_console_with_services(
    settings: Settings, stdin: TextIO | None = None, stdout: TextIO | None = None
) -> int:
    """Open the services, run the console on them (with `!knowledge`), and close them."""
    from bot.app import open_services
    from bot.console import run_console

    # The console reads lines synchronously and runs each command on this one event loop, so the
    # services' `async with` is entered and left through the runner.
    with asyncio.Runner() as runner:
        stack = contextlib.AsyncExitStack()
        services = runner.run(stack.enter_async_context(open_services(settings)))
        try:
            history = settings.db_path.parent / ".console_history"
            return run_console(
                services.coach,
                stdin=stdin,
                stdout=stdout,
                history=history,
                runner=runner,
                services=services,
            )
        finally:
            runner.run(stack.aclose())


if __name__ == "__main__":
    sys.exit(main())
