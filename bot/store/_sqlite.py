"""One sqlite3 connection on a thread the store owns, and what SQLite's errors mean here.

sqlite3 blocks, so each connection lives on a thread of its own: it is created, used and closed
only there. The event loop hands that thread whole functions (a batch of writes, a query and its
fetch), never single statements, and awaits each one as a future the thread settles.

Why not a ThreadPoolExecutor and run_in_executor: measured here, its submit and future chaining
cost about four times the CPU of this queue per hop, which halved the reader's throughput.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from bot.errors import StoreError

log = logging.getLogger(__name__)

T = TypeVar("T")
# A function for the connection's thread (None: close and stop), and where its outcome goes.
_Job = tuple[
    Callable[[sqlite3.Connection], Any] | None,
    asyncio.AbstractEventLoop,
    asyncio.Future[Any] | None,
]

BUSY_TIMEOUT_MS = 5000


class ThreadConnection:
    """An sqlite3 connection that only its own thread ever touches."""

    def __init__(self, name: str, connect: Callable[[], sqlite3.Connection]) -> None:
        self._connect = connect
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        # Daemon, so a store nobody closed cannot keep the interpreter from exiting.
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._closed = False

    @classmethod
    async def open(cls, name: str, connect: Callable[[], sqlite3.Connection]) -> ThreadConnection:
        """Run `connect` on a new thread named `name`; the connection it returns stays there."""
        runner = cls(name, connect)
        loop = asyncio.get_running_loop()
        opened: asyncio.Future[None] = loop.create_future()
        runner._jobs.put((None, loop, opened))  # the thread's first job: say whether it opened
        runner._thread.start()
        try:
            await opened
        except BaseException:
            # A cancelled wait does not stop `connect`: let the thread close what it opens and
            # end before giving up, so nothing outlives this call.
            runner._closed = True
            runner._jobs.put((None, loop, None))
            runner._thread.join()
            raise
        return runner

    async def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn(connection)` on the connection's thread and return what it returns."""
        if self._closed:
            raise StoreError("failed", "the store is closed")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put((fn, loop, future))
        return await future

    async def close(self) -> None:
        """Close the connection on its thread (after the jobs queued before), then end it."""
        if self._closed:
            return
        self._closed = True
        loop = asyncio.get_running_loop()
        stopped: asyncio.Future[None] = loop.create_future()
        self._jobs.put((None, loop, stopped))
        try:
            with contextlib.suppress(sqlite3.Error):
                await stopped
        finally:
            # The thread has settled its last future and is returning: this join is immediate.
            # If the wait was cancelled it still happens, so no thread runs on after close.
            self._thread.join()

    def _serve(self) -> None:
        _, loop, opened = self._jobs.get()
        try:
            conn = self._connect()
        except BaseException as exc:
            _settle_soon(loop, opened, False, exc)
            return
        _settle_soon(loop, opened, True, None)
        while True:
            fn, loop, future = self._jobs.get()
            if fn is None:
                break
            try:
                result = fn(conn)
            except BaseException as exc:
                _settle_soon(loop, future, False, exc)
            else:
                _settle_soon(loop, future, True, result)
        try:
            conn.close()
        except sqlite3.Error as exc:
            _settle_soon(loop, future, False, exc)
        else:
            _settle_soon(loop, future, True, None)


def _settle_soon(
    loop: asyncio.AbstractEventLoop, future: asyncio.Future[Any] | None, ok: bool, value: Any
) -> None:
    """From the connection's thread, hand an outcome to the loop that waits for it."""
    if future is None:
        return
    # A closed loop has nobody left to tell, and must not make this thread print a traceback.
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(_settle, future, ok, value)


def _settle(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if future.done():  # its waiter was cancelled
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


def probe(path: Path) -> None:
    """Open `path` and read its header; raise sqlite3.Error if it is no usable database."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute("PRAGMA schema_version").fetchone()
    finally:
        conn.close()


def connect(path: Path) -> sqlite3.Connection:
    """Open `path` in autocommit mode (the store begins its own transactions)."""
    return sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)


def use_wal(conn: sqlite3.Connection) -> None:
    """Switch the file to WAL, waiting up to the busy timeout for other openers.

    Where waiting could deadlock (several processes switching one new file at once), SQLite
    answers SQLITE_BUSY at once instead of calling the busy handler; so try again, briefly.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            busy = getattr(exc, "sqlite_errorcode", 0) & 0xFF in (5, 6)
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(random.uniform(0.005, 0.05))


def configure(conn: sqlite3.Connection) -> None:
    """Apply the settings every connection of the store runs with."""
    # The busy timeout first: on a fresh file every later statement may wait for another process.
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")


# SQLite's primary result codes (the low byte of an extended code) and what each means here.
_KIND_BY_CODE = {
    5: "locked",  # SQLITE_BUSY
    6: "locked",  # SQLITE_LOCKED
    8: "read_only",  # SQLITE_READONLY
    11: "corrupt",  # SQLITE_CORRUPT
    13: "full",  # SQLITE_FULL
    14: "unavailable",  # SQLITE_CANTOPEN
    26: "corrupt",  # SQLITE_NOTADB
}


def service_error(exc: sqlite3.Error) -> StoreError:
    """Map an sqlite3 error to a StoreError whose kind the member-facing text can name."""
    code = getattr(exc, "sqlite_errorcode", None)
    kind = _KIND_BY_CODE.get(code & 0xFF, "failed") if isinstance(code, int) else "failed"
    if kind == "failed":  # errors raised without a code (older builds) still say what they are
        message = str(exc).lower()
        for words, guess in (
            (("locked", "busy"), "locked"),
            (("readonly", "read-only"), "read_only"),
            (("malformed", "not a database"), "corrupt"),
            (("full",), "full"),
            (("unable to open",), "unavailable"),
        ):
            if any(word in message for word in words):
                kind = guess
                break
    if kind == "corrupt":
        _log_corrupt_once(str(exc))
    return StoreError(kind, str(exc))


_corrupt_logged: set[str] = set()


def _log_corrupt_once(detail: str) -> None:
    """Say once per process that the file is damaged: a repeated line would drown the log."""
    if detail not in _corrupt_logged:
        _corrupt_logged.add(detail)
        log.error("the database file is corrupt (%s); restore it from a backup", detail)


__all__ = [
    "BUSY_TIMEOUT_MS",
    "ThreadConnection",
    "configure",
    "connect",
    "probe",
    "service_error",
]
