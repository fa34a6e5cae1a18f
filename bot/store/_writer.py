"""Group commit: one writer task commits every queued unit of work in one transaction.

Each unit runs inside its own SAVEPOINT, so one member's failing write is rolled back alone and
never takes another member's with it. A batch is one hop to the writer's thread and one fsync,
and no unit is acknowledged before the COMMIT that makes it durable.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from bot.errors import StoreError
from bot.store._sqlite import ThreadConnection, service_error

T = TypeVar("T")
Unit = Callable[[sqlite3.Connection], Any]
Outcome = tuple[bool, Any]

MAX_BATCH = 256


def _run_batch(conn: sqlite3.Connection, units: list[Unit]) -> list[Outcome]:
    """Run units in one transaction, each in its own savepoint; a failing unit is undone alone."""
    conn.execute("BEGIN IMMEDIATE")
    outcomes: list[Outcome] = []
    try:
        for number, unit in enumerate(units):
            conn.execute(f"SAVEPOINT unit{number}")
            try:
                result = unit(conn)
            except Exception as exc:
                if not conn.in_transaction:
                    # SQLite rolled the whole transaction back itself (a full disk can): no unit
                    # of this batch is committed, so every one of them fails with this error.
                    raise
                conn.execute(f"ROLLBACK TO unit{number}")
                conn.execute(f"RELEASE unit{number}")
                failure = service_error(exc) if isinstance(exc, sqlite3.Error) else exc
                outcomes.append((False, failure))
            else:
                conn.execute(f"RELEASE unit{number}")
                outcomes.append((True, result))
        conn.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise
    return outcomes


class GroupCommitWriter:
    """The store's only writer: queued units, committed batch by batch on one connection."""

    def __init__(self, conn: ThreadConnection) -> None:
        self.conn = conn
        self._queue: asyncio.Queue[tuple[Unit, asyncio.Future[Any]] | None] = asyncio.Queue()
        self._task = asyncio.create_task(self._run(), name="store-writer")
        self._closed = False

    async def submit(self, unit: Callable[[sqlite3.Connection], T]) -> T:
        """Queue `unit` and return its result once the batch that ran it is committed."""
        if self._closed:
            raise StoreError("failed", "the store is closed")
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        await self._queue.put((unit, future))
        return await future

    async def close(self) -> None:
        """Commit what is queued, stop the writer task, then close the connection."""
        if self._closed:
            return
        self._closed = True
        await self._queue.put(None)
        try:
            with contextlib.suppress(Exception):
                await self._task
        finally:
            await self.conn.close()

    async def _run(self) -> None:
        while True:
            item = await self._queue.get()
            if item is None:
                return
            batch = [item]
            while len(batch) < MAX_BATCH and not self._queue.empty():
                more = self._queue.get_nowait()
                if more is None:
                    self._queue.put_nowait(None)  # close after this batch
                    break
                batch.append(more)
            await self._commit(batch)

    async def _commit(self, batch: list[tuple[Unit, asyncio.Future[Any]]]) -> None:
        units = [unit for unit, _ in batch]
        try:
            outcomes = await self.conn.run(lambda conn: _run_batch(conn, units))
        except Exception as exc:
            error = service_error(exc) if isinstance(exc, sqlite3.Error) else exc
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
            return
        # Acknowledge only now: every unit above is committed with synchronous=FULL.
        for (_, future), (ok, value) in zip(batch, outcomes, strict=True):
            if future.done():
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)


__all__ = ["MAX_BATCH", "GroupCommitWriter", "Unit"]
