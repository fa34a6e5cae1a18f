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
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bot import __version__
from bot.config import Settings
from bot.core.knowledge.bundle import Knowledge, load_all
from bot.core.knowledge.desk import KnowledgeDesk
from bot.core.knowledge.library import Library
from bot.core.knowledge.posts import extra_files
from bot.core.prompts import load_prompts
from bot.core.router import Coach, Options
from bot.errors import DataFileError, StoreError
from bot.llm import OpenAIChat
from bot.store import SQLiteStore, open_store
from bot.store.vectors import VECTOR_FILE, SQLiteVectors

log = logging.getLogger(__name__)


WATCH_SECONDS = 5.0  # how often a running chat adapter checks the added documents' folder


@dataclass
class Services:
    """The coach and the outside systems it holds open."""

    settings: Settings
    coach: Coach
    store: SQLiteStore | None
    http: httpx.AsyncClient | None
    desk: KnowledgeDesk = field(init=False)
    _seen: tuple[tuple[str, int, int], ...] = field(init=False, default=())
    _filling: asyncio.Future[int] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.desk = KnowledgeDesk(library(self.settings), lambda: self.coach.strings, self.reload)
        self._seen = added_signature(self.settings)

    async def reload(self) -> Coach:
        """Load the data files again off the event loop, then swap the new coach in at once.

        Conversations, the model's answer cache and the daily budget carry over; a bad file
        raises DataFileError and leaves the running coach as it was.
        """
        settings = self.settings
        knowledge, prompts = await asyncio.to_thread(
            lambda: (load_knowledge(settings), load_prompts(settings.prompts_dir))
        )
        old = self.coach
        self.coach = old.reloaded(knowledge, prompts)
        old.asking.engine.dense.cancel()
        self._seen = added_signature(settings)
        self.fill_vectors()
        return self.coach

    def fill_vectors(self) -> None:
        """Make the added documents' missing vectors in a thread (searches use them as made)."""
        dense = self.coach.asking.engine.dense
        if dense.missing:
            self._filling = asyncio.get_running_loop().run_in_executor(None, dense.fill)

    async def vectors_ready(self) -> None:
        """Wait until every added passage has its vector (the one-shot CLI answers after)."""
        if self._filling is not None:
            await self._filling
        await asyncio.to_thread(self.coach.asking.engine.dense.fill)

    async def watch_added(self) -> None:
        """Reload whenever another process (`python -m bot knowledge add`) changed the added
        documents; runs until cancelled (each chat adapter runs it while it is connected)."""
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            try:
                await self.reload_if_added()
            except Exception:  # the watcher must outlive a bad moment
                log.exception("could not check the added documents")

    async def reload_if_added(self) -> bool:
        """Reload when the added documents' folder changed (another process added or removed).

        Cheap (a listing of one small folder), so adapters call it before a command and every
        few seconds; a reload that fails keeps the running coach and is retried on the next change.
        """
        seen = added_signature(self.settings)
        if seen == self._seen:
            return False
        self._seen = seen
        try:
            await self.reload()
        except DataFileError as exc:
            log.warning("the added documents changed but could not be loaded: %s", exc)
            return False
        return True

    async def close(self) -> None:
        """Close the database and the HTTP client (each at most once)."""
        self.coach.asking.engine.dense.cancel()
        if self._filling is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._filling), timeout=5)
        store, http = self.store, self.http
        self.store = self.http = None
        if store is not None:
            with contextlib.suppress(Exception):
                await store.close()
        if http is not None:
            with contextlib.suppress(Exception):
                await http.aclose()


def library(settings: Settings) -> Library:
    """Return the folder of the teacher's added documents, as the settings place it."""
    return Library(
        settings.extra_knowledge_path, settings.knowledge_dir, settings.knowledge_max_bytes
    )


def vector_path(settings: Settings) -> Path:
    """Return the file of the added documents' vectors (beside the knowledge cache)."""
    return settings.db_path.parent / "cache" / VECTOR_FILE


def added_signature(settings: Settings) -> tuple[tuple[str, int, int], ...]:
    """Return the added documents' names, sizes and change times (a change means: reload)."""
    out = []
    for file in extra_files(settings.extra_knowledge_path):
        try:
            stat = file.stat()
        except OSError:
            continue
        out.append((file.name, stat.st_size, stat.st_mtime_ns))
    return tuple(out)


def load_knowledge(settings: Settings) -> Knowledge:
    """Load every knowledge file within the size limits, through the disk cache."""
    return load_all(
        settings.knowledge_dir,
        settings.db_path.parent / "cache",
        extra_dir=settings.extra_knowledge_path,
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
    vectors = SQLiteVectors(vector_path(settings))
    coach = Coach(knowledge, settings.language, store, chat, prompts, options, vectors=vectors)
    services = Services(settings, coach, store, http)
    services.fill_vectors()
    return services


@contextlib.asynccontextmanager
async def open_services(settings: Settings, *, database: bool = True) -> AsyncIterator[Services]:
    """Build the services, yield them, and close the database and the HTTP client after."""
    services = await build_services(settings, database=database)
    try:
        yield services
    finally:
        await services.close()


__all__ = [
    "Services",
    "added_signature",
    "build_services",
    "library",
    "load_knowledge",
    "open_services",
    "vector_path",
]
