"""The SQLite store over aiosqlite: strategies, answers and their revisions, with migrations.

Durability: WAL with `synchronous=FULL`, so a write is acknowledged only once it is committed
and survives a power cut. All writes go through one writer task that commits each queued batch
together (group commit); every unit of work in a batch runs inside its own SAVEPOINT, so one
member's failing write is rolled back alone and never takes another member's with it. Reads use
a second connection and see only committed data.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.core.ports import Answer, MemberProgress, Stats, Strategy
from bot.errors import StoreError, UserError

log = logging.getLogger(__name__)

T = TypeVar("T")
Unit = Callable[[sqlite3.Connection], Any]

MAX_BATCH = 256
BUSY_TIMEOUT_MS = 5000

# Each entry upgrades the schema by one version; PRAGMA user_version records where a file is.
MIGRATIONS: list[str] = [
    # 1: members, their strategies, and every revision of every answer.
    """
    CREATE TABLE members (
        guild_id INTEGER NOT NULL,
        user_id INTEGER NOT NULL,
        display_name TEXT NOT NULL DEFAULT '',
        language TEXT,
        created_at TEXT NOT NULL,
        last_active TEXT NOT NULL,
        PRIMARY KEY (guild_id, user_id)
    );
    CREATE TABLE strategies (
        id INTEGER PRIMARY KEY,
        guild_id INTEGER NOT NULL,
        user_id INTEGER NOT NULL,
        company TEXT NOT NULL,
        current_step INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        FOREIGN KEY (guild_id, user_id) REFERENCES members (guild_id, user_id) ON DELETE CASCADE
    );
    CREATE UNIQUE INDEX one_active_strategy ON strategies (guild_id, user_id)
        WHERE status = 'active';
    CREATE TABLE answers (
        id INTEGER PRIMARY KEY,
        strategy_id INTEGER NOT NULL REFERENCES strategies (id) ON DELETE CASCADE,
        step TEXT NOT NULL,
        revision INTEGER NOT NULL,
        text TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (strategy_id, step, revision)
    );
    """,
    # 2: usage events (for !stats and the questions the course does not answer) and votes.
    """
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        guild_id INTEGER NOT NULL,
        user_id INTEGER NOT NULL,
        command TEXT NOT NULL,
        question TEXT,
        answered INTEGER,
        engine TEXT,
        created_at TEXT NOT NULL
    );
    CREATE INDEX events_by_guild ON events (guild_id, command);
    CREATE TABLE votes (
        id INTEGER PRIMARY KEY,
        guild_id INTEGER NOT NULL,
        user_id INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        question TEXT NOT NULL,
        sources TEXT NOT NULL,
        vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
        created_at TEXT NOT NULL,
        UNIQUE (message_id, user_id)
    );
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


def _run_batch(conn: sqlite3.Connection, units: list[Unit]) -> list[tuple[bool, Any]]:
    """Run units in one transaction, each in its own savepoint; a failing unit is undone alone."""
    conn.execute("BEGIN IMMEDIATE")
    outcomes: list[tuple[bool, Any]] = []
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


def now() -> str:
    """Return the current UTC time as an ISO 8601 string."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value)


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


async def _configure(conn: aiosqlite.Connection) -> None:
    # The busy timeout first: on a fresh file every later statement may wait for another process.
    await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await conn.execute("PRAGMA foreign_keys = ON")
    await conn.execute("PRAGMA synchronous = FULL")


async def migrate(conn: aiosqlite.Connection) -> int:
    """Bring the schema up to SCHEMA_VERSION, one version per transaction; return the version.

    The version is read inside each write transaction, so processes that start at once on a new
    file take turns: the first creates the schema, the others find it current and go on.
    """
    while True:
        await conn.execute("BEGIN IMMEDIATE")
        try:
            async with conn.execute("PRAGMA user_version") as cursor:
                row = await cursor.fetchone()
            version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise StoreError("failed", f"database schema {version} is newer than this code")
            if version == SCHEMA_VERSION:
                await conn.execute("COMMIT")
                return SCHEMA_VERSION
            target = version + 1
            for statement in MIGRATIONS[target - 1].split(";"):
                if statement.strip():
                    await conn.execute(statement)
            await conn.execute(f"PRAGMA user_version = {target}")
            await conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                await conn.execute("ROLLBACK")
            raise
        log.info("database schema upgraded to version %d", target)


def _probe(path: Path) -> None:
    """Open `path` and read its header; raise sqlite3.Error if it is no usable database."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute("PRAGMA schema_version").fetchone()
    finally:
        conn.close()


class SQLiteStore:
    """The strategy store on one SQLite file."""

    def __init__(self, path: Path, write: aiosqlite.Connection, read: aiosqlite.Connection) -> None:
        self.path = path
        self._write_conn = write
        self._read = read
        self._queue: asyncio.Queue[tuple[Unit, asyncio.Future[Any]] | None] = asyncio.Queue()
        self._writer = asyncio.create_task(self._run_writer(), name="store-writer")
        self._closed = False

    @classmethod
    async def open(cls, path: Path) -> SQLiteStore:
        """Open (and create or upgrade) the database at `path`; its folder is created if missing."""
        path.parent.mkdir(parents=True, exist_ok=True)
        opened: list[aiosqlite.Connection] = []
        try:
            # Open it once in plain sqlite3 first: a file that cannot be opened fails here, with
            # its reason, instead of inside aiosqlite's thread after the event loop has gone.
            await asyncio.to_thread(_probe, path)
            write = await aiosqlite.connect(path, isolation_level=None)
            opened.append(write)
            await write.execute("PRAGMA journal_mode = WAL")
            await _configure(write)
            await migrate(write)
            read = await aiosqlite.connect(path, isolation_level=None)
            opened.append(read)
            await _configure(read)
            await read.execute("PRAGMA query_only = ON")
        except BaseException as exc:
            for conn in opened:
                with contextlib.suppress(Exception):
                    await conn.close()
            if isinstance(exc, sqlite3.Error):
                raise service_error(exc) from exc
            raise
        return cls(path, write, read)

    # -- the writer ------------------------------------------------------------------------

    async def _run_writer(self) -> None:
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
            await self._commit_batch(batch)

    async def _commit_batch(self, batch: list[tuple[Unit, asyncio.Future[Any]]]) -> None:
        """Run a batch in one hop to the database thread: one transaction, one fsync."""
        units = [unit for unit, _ in batch]
        raw = self._write_conn._conn  # the sqlite3 connection, used only in aiosqlite's thread
        try:
            outcomes = await self._write_conn._execute(_run_batch, raw, units)  # type: ignore[no-untyped-call]
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

    async def _write(self, unit: Callable[[sqlite3.Connection], T]) -> T:
        if self._closed:
            raise StoreError("failed", "the store is closed")
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        await self._queue.put((unit, future))
        return await future

    async def _fetchall(self, sql: str, params: tuple[Any, ...]) -> list[sqlite3.Row]:
        """Run a query and fetch every row in one hop, so no other query shares its snapshot."""
        raw = self._read._conn

        def query() -> list[sqlite3.Row]:
            return raw.execute(sql, params).fetchall()

        try:
            return await self._read._execute(query)  # type: ignore[no-untyped-call,no-any-return]
        except sqlite3.Error as exc:
            raise service_error(exc) from exc

    # -- strategies ------------------------------------------------------------------------

    async def get_strategy(self, guild_id: int, user_id: int) -> Strategy | None:
        rows = await self._fetchall(
            "SELECT id, company, current_step, created_at, updated_at FROM strategies "
            "WHERE guild_id = ? AND user_id = ? AND status = 'active'",
            (guild_id, user_id),
        )
        if not rows:
            return None
        strategy_id, company, step, created, updated = rows[0]
        answers = await self._fetchall(
            "SELECT step, revision, text, created_at FROM answers a WHERE strategy_id = ? "
            "AND revision = (SELECT MAX(revision) FROM answers b "
            "WHERE b.strategy_id = a.strategy_id AND b.step = a.step)",
            (strategy_id,),
        )
        return Strategy(
            guild_id=guild_id,
            user_id=user_id,
            company=company,
            current_step=step,
            created_at=_when(created),
            updated_at=_when(updated),
            answers={
                row[0]: Answer(step=row[0], revision=row[1], text=row[2], created_at=_when(row[3]))
                for row in answers
            },
        )

    async def start_strategy(
        self, guild_id: int, user_id: int, company: str, display_name: str, language: str
    ) -> Strategy:
        stamp = now()

        def unit(conn: sqlite3.Connection) -> None:
            self._touch(conn, guild_id, user_id, stamp, display_name, language)
            try:
                conn.execute(
                    "INSERT INTO strategies (guild_id, user_id, company, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (guild_id, user_id, company, stamp, stamp),
                )
            except sqlite3.IntegrityError:
                raise UserError("strategy.already_active") from None

        await self._write(unit)
        strategy = await self.get_strategy(guild_id, user_id)
        assert strategy is not None
        return strategy

    @staticmethod
    def _touch(
        conn: sqlite3.Connection,
        guild_id: int,
        user_id: int,
        stamp: str,
        display_name: str | None = None,
        language: str | None = None,
    ) -> None:
        conn.execute(
            "INSERT INTO members (guild_id, user_id, display_name, language, created_at, "
            "last_active) VALUES (?, ?, COALESCE(?, ''), ?, ?, ?) "
            "ON CONFLICT (guild_id, user_id) DO UPDATE SET last_active = excluded.last_active, "
            "display_name = COALESCE(?, members.display_name), "
            "language = COALESCE(?, members.language)",
            (guild_id, user_id, display_name, language, stamp, stamp, display_name, language),
        )

    @staticmethod
    def _active_id(conn: sqlite3.Connection, guild_id: int, user_id: int) -> int:
        row = conn.execute(
            "SELECT id FROM strategies WHERE guild_id = ? AND user_id = ? AND status = 'active'",
            (guild_id, user_id),
        ).fetchone()
        if row is None:
            raise UserError("strategy.not_started")
        return int(row[0])

    async def save_answer(
        self, guild_id: int, user_id: int, step: str, text: str, language: str | None = None
    ) -> Answer:
        stamp = now()

        def unit(conn: sqlite3.Connection) -> Answer:
            strategy_id = self._active_id(conn, guild_id, user_id)
            row = conn.execute(
                "SELECT COALESCE(MAX(revision), 0) + 1 FROM answers WHERE strategy_id = ? "
                "AND step = ?",
                (strategy_id, step),
            ).fetchone()
            revision = int(row[0]) if row else 1
            conn.execute(
                "INSERT INTO answers (strategy_id, step, revision, text, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (strategy_id, step, revision, text, stamp),
            )
            conn.execute("UPDATE strategies SET updated_at = ? WHERE id = ?", (stamp, strategy_id))
            self._touch(conn, guild_id, user_id, stamp, language=language)
            return Answer(step=step, revision=revision, text=text, created_at=_when(stamp))

        return await self._write(unit)

    async def set_step(self, guild_id: int, user_id: int, step: int) -> None:
        stamp = now()

        def unit(conn: sqlite3.Connection) -> None:
            strategy_id = self._active_id(conn, guild_id, user_id)
            conn.execute(
                "UPDATE strategies SET current_step = ?, updated_at = ? WHERE id = ?",
                (step, stamp, strategy_id),
            )
            self._touch(conn, guild_id, user_id, stamp)

        await self._write(unit)

    async def revisions(self, guild_id: int, user_id: int, step: str) -> list[Answer]:
        rows = await self._fetchall(
            "SELECT a.step, a.revision, a.text, a.created_at FROM answers a "
            "JOIN strategies s ON s.id = a.strategy_id "
            "WHERE s.guild_id = ? AND s.user_id = ? AND s.status = 'active' AND a.step = ? "
            "ORDER BY a.revision",
            (guild_id, user_id, step),
        )
        return [Answer(step=r[0], revision=r[1], text=r[2], created_at=_when(r[3])) for r in rows]

    async def reset_strategy(self, guild_id: int, user_id: int) -> bool:
        stamp = now()

        def unit(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "UPDATE strategies SET status = 'archived', updated_at = ? "
                "WHERE guild_id = ? AND user_id = ? AND status = 'active'",
                (stamp, guild_id, user_id),
            )
            return cursor.rowcount > 0

        return await self._write(unit)

    async def forget_member(self, guild_id: int, user_id: int) -> int:
        def unit(conn: sqlite3.Connection) -> int:
            deleted = 0
            # Children first, so the count is exact; the foreign keys cascade as well.
            for sql in (
                "DELETE FROM events WHERE guild_id = ? AND user_id = ?",
                "DELETE FROM votes WHERE guild_id = ? AND user_id = ?",
                "DELETE FROM answers WHERE strategy_id IN "
                "(SELECT id FROM strategies WHERE guild_id = ? AND user_id = ?)",
                "DELETE FROM strategies WHERE guild_id = ? AND user_id = ?",
                "DELETE FROM members WHERE guild_id = ? AND user_id = ?",
            ):
                cursor = conn.execute(sql, (guild_id, user_id))
                deleted += max(cursor.rowcount, 0)
            return deleted

        return await self._write(unit)

    async def class_overview(self, guild_id: int) -> list[MemberProgress]:
        rows = await self._fetchall(
            "SELECT m.user_id, m.display_name, s.company, s.current_step, m.last_active, "
            "(SELECT GROUP_CONCAT(DISTINCT a.step) FROM answers a WHERE a.strategy_id = s.id), "
            "(SELECT COUNT(*) FROM answers a WHERE a.strategy_id = s.id) "
            "FROM strategies s JOIN members m ON m.guild_id = s.guild_id AND m.user_id = s.user_id "
            "WHERE s.guild_id = ? AND s.status = 'active' ORDER BY m.display_name, m.user_id",
            (guild_id,),
        )
        return [
            MemberProgress(
                user_id=r[0],
                display_name=r[1],
                company=r[2],
                current_step=r[3],
                last_active=_when(r[4]),
                answered=sorted(r[5].split(",")) if r[5] else [],
                revisions=r[6],
            )
            for r in rows
        ]

    async def member_language(self, guild_id: int, user_id: int) -> str | None:
        rows = await self._fetchall(
            "SELECT language FROM members WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        return rows[0][0] if rows and rows[0][0] else None

    async def row_count(self, guild_id: int, user_id: int) -> int:
        """Return how many rows in any table belong to the member (for tests and `forget`)."""
        rows = await self._fetchall(
            "SELECT (SELECT COUNT(*) FROM members WHERE guild_id = ?1 AND user_id = ?2) + "
            "(SELECT COUNT(*) FROM strategies WHERE guild_id = ?1 AND user_id = ?2) + "
            "(SELECT COUNT(*) FROM answers WHERE strategy_id IN "
            "(SELECT id FROM strategies WHERE guild_id = ?1 AND user_id = ?2)) + "
            "(SELECT COUNT(*) FROM events WHERE guild_id = ?1 AND user_id = ?2) + "
            "(SELECT COUNT(*) FROM votes WHERE guild_id = ?1 AND user_id = ?2)",
            (guild_id, user_id),
        )
        return int(rows[0][0])

    # -- usage and votes --------------------------------------------------------------------

    async def record_event(
        self,
        guild_id: int,
        user_id: int,
        command: str,
        question: str | None = None,
        answered: bool | None = None,
        engine: str | None = None,
    ) -> None:
        """Count a command (and, for !ask, whether the course answered it)."""
        stamp = now()

        def unit(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO events (guild_id, user_id, command, question, answered, engine, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (guild_id, user_id, command, question, answered, engine, stamp),
            )

        await self._write(unit)

    async def record_vote(
        self, guild_id: int, user_id: int, message_id: int, question: str, sources: str, vote: int
    ) -> None:
        """Store a member's 👍 (1) or 👎 (-1) on an answer; voting again changes the vote."""
        stamp = now()

        def unit(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO votes (guild_id, user_id, message_id, question, sources, vote, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id, user_id) "
                "DO UPDATE SET vote = excluded.vote, created_at = excluded.created_at",
                (guild_id, user_id, message_id, question, sources, vote, stamp),
            )

        await self._write(unit)

    async def stats(self, guild_id: int, limit: int = 5) -> Stats:
        """Return usage per command, the questions declined most often, and the weakest answers."""
        counts = await self._fetchall(
            "SELECT command, COUNT(*) FROM events WHERE guild_id = ? GROUP BY command "
            "ORDER BY COUNT(*) DESC",
            (guild_id,),
        )
        declined = await self._fetchall(
            "SELECT LOWER(TRIM(question)) q, COUNT(*) FROM events WHERE guild_id = ? AND "
            "command = 'ask' AND answered = 0 AND question IS NOT NULL GROUP BY q "
            "ORDER BY COUNT(*) DESC, q LIMIT ?",
            (guild_id, limit),
        )
        weakest = await self._fetchall(
            "SELECT question, SUM(vote), COUNT(*) FROM votes WHERE guild_id = ? GROUP BY question "
            "HAVING SUM(vote) < 0 ORDER BY SUM(vote), question LIMIT ?",
            (guild_id, limit),
        )
        return Stats(
            commands={r[0]: r[1] for r in counts},
            declined=[(r[0], r[1]) for r in declined],
            weakest=[(r[0], r[1], r[2]) for r in weakest],
        )

    async def close(self) -> None:
        """Finish the queued writes, then close both connections."""
        if self._closed:
            return
        self._closed = True
        await self._queue.put(None)
        with contextlib.suppress(Exception):
            await self._writer
        for conn in (self._read, self._write_conn):
            with contextlib.suppress(Exception):
                await conn.close()


async def open_store(path: Path) -> SQLiteStore:
    """Open the store at `path`."""
    return await SQLiteStore.open(path)


__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "SQLiteStore", "migrate", "open_store", "service_error"]
