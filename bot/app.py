"""The composition of the services every adapter uses: the same for the console, CLI and Discord.

`__main__` owns their lifetime (`async with open_services(settings) as services`) and passes them
into the adapter; `create_bot(settings)` with no services opens its own the same way, so a bot
made by tests or tools gets exactly what `python -m bot` runs with.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx

from bot import __version__
from bot.config import Settings
from bot.core.knowledge.bundle import Knowledge, load_all
from bot.core.prompts import load_prompts
from bot.core.router import Coach, Options
from bot.errors import StoreError
from bot.llm import OpenAIChat
from bot.store import SQLiteStore, open_store

log = logging.getLogger(__name__)


@dataclass
class Services:
    """The coach and the outside systems it holds open."""

    settings: Settings
    coach: Coach
    store: SQLiteStore | None
    http: httpx.AsyncClient | None

    async def reload(self) -> Coach:
        """Load the data files again off the event loop, then swap the new coach in at once.

        Conversations, the model's answer cache and the daily budget carry over; a bad file
        raises DataFileError and leaves the running coach as it was.
        """
        settings = self.settings
        knowledge, prompts = await asyncio.to_thread(
            lambda: (load_knowledge(settings), load_prompts(settings.prompts_dir))
        )
        self.coach = self.coach.reloaded(knowledge, prompts)
        return self.coach

    async def close(self) -> None:
        """Close the database and the HTTP client (each at most once)."""
        store, http = self.store, self.http
        self.store = self.http = None
        if store is not None:
            with contextlib.suppress(Exception):
                await store.close()
        if http is not None:
            with contextlib.suppress(Exception):
                await http.aclose()


def load_knowledge(settings: Settings) -> Knowledge:
    """Load every knowledge file within the size limits, through the disk cache."""
    return load_all(
        settings.knowledge_dir,
        settings.db_path.parent / "cache",
        max_file_bytes=settings.knowledge_max_bytes,
        max_total_bytes=settings.knowledge_max_total_bytes,
    )


async def build_services(settings: Settings, *, database: bool = True) -> Services:
    """Load the data files, open the database and the LLM client, and build the coach."""
    knowledge = load_knowledge(settings)
    prompts = load_prompts(settings.prompts_dir)
    http: httpx.AsyncClient | None = None
    chat = None
    if settings.llm_base_url is not None:
        http = httpx.AsyncClient(headers={"User-Agent": f"some-coach/{__version__}"})
        chat = OpenAIChat(
            http,
            settings.llm_base_url,
            settings.llm_model,
            settings.llm_api_key,
            timeout=settings.llm_timeout,
            concurrency=settings.llm_concurrency,
            stream=settings.llm_stream,
        )
    store: SQLiteStore | None = None
    problem = "unavailable"
    if database:
        try:
            store = await open_store(settings.ensure_db_folder())
        except (StoreError, OSError) as exc:
            # Without the database the coach still answers and reviews, and says so for strategy.
            problem = exc.kind if isinstance(exc, StoreError) else "unavailable"
            log.warning("the database at %s is unavailable: %s", settings.db_path, exc)
    options = Options(
        cache_seconds=settings.llm_cache_seconds,
        llm_timeout=settings.llm_timeout,
        context_chars=settings.llm_context_chars,
        daily_budget=settings.llm_daily_budget,
        store_problem=problem,
    )
    coach = Coach(knowledge, settings.language, store, chat, prompts, options)
    return Services(settings, coach, store, http)


@contextlib.asynccontextmanager
async def open_services(settings: Settings, *, database: bool = True) -> AsyncIterator[Services]:
    """Build the services, yield them, and close the database and the HTTP client after."""
    services = await build_services(settings, database=database)
    try:
        yield services
    finally:
        await services.close()


__all__ = ["Services", "build_services", "load_knowledge", "open_services"]
