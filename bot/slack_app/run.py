"""Run the coach on Slack, and on Discord too when DISCORD_TOKEN is set: one process, one set
of services. SIGTERM or SIGINT closes the Socket Mode connection, the Discord connection, the
HTTP client and the database, and the process ends within ten seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from bot import redact
from bot.app import Services, open_services
from bot.config import Settings
from bot.slack_app.app import SlackCoach

log = logging.getLogger(__name__)

CLOSE_SECONDS = 8.0  # each connection gets this long to close before the process goes on
WATCH_SECONDS = 5.0  # how often the added documents' folder is checked (as on Discord)


async def _watch_added(services: Services) -> None:
    """Reload when another process (`python -m bot knowledge add`) changed the documents."""
    while True:
        await asyncio.sleep(WATCH_SECONDS)
        try:
            await services.reload_if_added()
        except Exception:  # the watcher must outlive a bad moment
            log.exception("could not check the added documents")


async def serve(settings: Settings, stop: asyncio.Event | None = None) -> int:
    """Run Slack (and Discord, if its token is set) until a signal or `stop`; return the code."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    async with open_services(settings) as services:
        slack = SlackCoach(settings, services)
        discord_task: asyncio.Task[None] | None = None
        bot = None
        watcher = asyncio.create_task(_watch_added(services))
        try:
            await slack.start()
            log.info("connected to Slack over Socket Mode")
            if settings.discord_token is not None:
                from bot.discord_app.bot import create_bot

                bot = create_bot(settings, services)
                token = settings.discord_token.get_secret_value()
                discord_task = asyncio.create_task(bot.start(token))
            waiters: list[asyncio.Future[object]] = [asyncio.ensure_future(stop.wait())]
            if discord_task is not None:
                waiters.append(discord_task)  # type: ignore[arg-type]
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                if waiter is not discord_task:
                    waiter.cancel()
        finally:
            watcher.cancel()
            closing = [slack.close()] + ([bot.close()] if bot is not None else [])
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.gather(*closing), CLOSE_SECONDS)
            if discord_task is not None:
                discord_task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await discord_task
    return 0


def run_slack(settings: Settings) -> int:
    """Run until stopped; logs go to stderr with every token masked."""
    logging.getLogger("bot").setLevel(logging.INFO)
    redact.install(settings.secrets())
    try:
        return asyncio.run(serve(settings))
    except KeyboardInterrupt:
        return 130


__all__ = ["run_slack", "serve"]
