"""The SQLite store: strategies, answers and their revisions, usage events and votes.

Durability: WAL with `synchronous=FULL`, so a write is acknowledged only once it is committed
and survives a power cut. All writes go through one group-commit writer (see `_writer`); reads
use a second connection, on a thread of its own, and see only committed data.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from bot.core.ports import (
    Answer,
    MemberId,
    MemberProgress,
    NoActiveStrategy,
    Stats,
    Strategy,
    StrategyExists,
)
from bot.store._schema import migrate
from bot.store._schema import stored_id as _key
from bot.store._schema import unstored_id as _unkey
from bot.store._sqlite import (
    ThreadConnection,
    configure,
    connect,
    probe,
    service_error,
    use_wal,
)
from bot.store._writer import GroupCommitWriter

T = TypeVar("T")


def now() -> str:
    """Return the current UTC time as an ISO 8601 string."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _open_writer(path: Path) -> sqlite3.Connection:
    # Read the file's header in a connection of its own first: a file that cannot be opened
    # fails here, with its reason, before the store's connection exists.
    probe(path)
    conn = connect(path)
    try:
        use_wal(conn)
        configure(conn)
        migrate(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def _open_reader(path: Path) -> sqlite3.Connection:
    conn = connect(path)
    try:
        configure(conn)
        conn.execute("PRAGMA query_only = ON")
    except BaseException:
        conn.close()
        raise
    return conn


class SQLiteStore:
    """The strategy store and usage log on one SQLite file."""

    def __init__(self, path: Path, write: ThreadConnection, read: ThreadConnection) -> None:
        self.path = path
        self._writer = GroupCommitWriter(write)
        self._reader = read
        self._closed = False

    @classmethod
    async def open(cls, path: Path) -> SQLiteStore:
        """Open (and create or upgrade) the database at `path`; its folder is created if missing."""
        path.parent.mkdir(parents=True, exist_ok=True)
        write: ThreadConnection | None = None
        try:
            write = await ThreadConnection.open("store-writer", partial(_open_writer, path))
            read = await ThreadConnection.open("store-reader", partial(_open_reader, path))
        except BaseException as exc:
            if write is not None:
                await write.close()
            if isinstance(exc, sqlite3.Error):
                raise service_error(exc) from exc
            raise
        return cls(path, write, read)

    async def _write(self, unit: Callable[[sqlite3.Connection], T]) -> T:
        return await self._writer.submit(unit)

    async def _fetchall(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        """Run a query and fetch every row in one hop, so no other query shares its snapshot."""
        try:
            return await self._reader.run(lambda conn: conn.execute(sql, params).fetchall())
        except sqlite3.Error as exc:
            raise service_error(exc) from exc

    async def pragma(self, statement: str, *, reader: bool = False) -> Any:
        """Run one PRAGMA on the writer's connection (or the reader's); return its first value."""
        if not statement.lstrip().upper().startswith("PRAGMA "):
            raise ValueError(f"not a PRAGMA statement: {statement!r}")

        def run(conn: sqlite3.Connection) -> Any:
            row = conn.execute(statement).fetchone()
            return row[0] if row else None

        try:
            return await (self._reader if reader else self._writer.conn).run(run)
        except sqlite3.Error as exc:
            raise service_error(exc) from exc

    # -- strategies ------------------------------------------------------------------------

    async def get_strategy(self, guild_id: MemberId, user_id: MemberId) -> Strategy | None:
        """Return the member's active strategy, with the latest revision of each answer."""
        rows = await self._fetchall(
            "SELECT id, company, current_step, created_at, updated_at FROM strategies "
            "WHERE guild_id = ? AND user_id = ? AND status = 'active'",
            (_key(guild_id), _key(user_id)),
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
        self, guild_id: MemberId, user_id: MemberId, company: str, display_name: str, language: str
    ) -> Strategy:
        """Start a strategy for a member; raise StrategyExists if one is active."""
        stamp = now()

        def unit(conn: sqlite3.Connection) -> None:
            self._touch(conn, guild_id, user_id, stamp, display_name, language)
            try:
                conn.execute(
                    "INSERT INTO strategies (guild_id, user_id, company, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (_key(guild_id), _key(user_id), company, stamp, stamp),
                )
            except sqlite3.IntegrityError:
                raise StrategyExists from None

        await self._write(unit)
        strategy = await self.get_strategy(guild_id, user_id)
        assert strategy is not None
        return strategy

    @staticmethod
    def _touch(
        conn: sqlite3.Connection,
        guild_id: MemberId,
        user_id: MemberId,
        stamp: str,
        display_name: str | None = None,
        language: str | None = None,
    ) -> None:
        names = (display_name, language)
        conn.execute(
            "INSERT INTO members (guild_id, user_id, display_name, language, created_at, "
            "last_active) VALUES (?, ?, COALESCE(?, ''), ?, ?, ?) "
            "ON CONFLICT (guild_id, user_id) DO UPDATE SET last_active = excluded.last_active, "
            "display_name = COALESCE(?, members.display_name), "
            "language = COALESCE(?, members.language)",
            (_key(guild_id), _key(user_id), display_name, language, stamp, stamp, *names),
        )

    @staticmethod
    def _active_id(conn: sqlite3.Connection, guild_id: MemberId, user_id: MemberId) -> int:
        row = conn.execute(
            "SELECT id FROM strategies WHERE guild_id = ? AND user_id = ? AND status = 'active'",
            (_key(guild_id), _key(user_id)),
        ).fetchone()
        if row is None:
            raise NoActiveStrategy
        return int(row[0])

    async def save_answer(
        self,
        guild_id: MemberId,
        user_id: MemberId,
        step: str,
        text: str,
        language: str | None = None,
    ) -> Answer:
        """Add a new revision of the member's answer to a step (earlier ones are kept)."""
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

    async def set_step(self, guild_id: MemberId, user_id: MemberId, step: int) -> None:
        """Move the member to step number `step` (0-based)."""
        stamp = now()

        def unit(conn: sqlite3.Connection) -> None:
            strategy_id = self._active_id(conn, guild_id, user_id)
            conn.execute(
                "UPDATE strategies SET current_step = ?, updated_at = ? WHERE id = ?",
                (step, stamp, strategy_id),
            )
            self._touch(conn, guild_id, user_id, stamp)

        await self._write(unit)

    async def revisions(self, guild_id: MemberId, user_id: MemberId, step: str) -> list[Answer]:
        """Return every revision of the member's answer to a step, oldest first."""
        rows = await self._fetchall(
            "SELECT a.step, a.revision, a.text, a.created_at FROM answers a "
            "JOIN strategies s ON s.id = a.strategy_id "
            "WHERE s.guild_id = ? AND s.user_id = ? AND s.status = 'active' AND a.step = ? "
            "ORDER BY a.revision",
            (_key(guild_id), _key(user_id), step),
        )
        return [Answer(step=r[0], revision=r[1], text=r[2], created_at=_when(r[3])) for r in rows]

    async def reset_strategy(self, guild_id: MemberId, user_id: MemberId) -> bool:
        """Archive the member's active strategy (its answers stay stored); say if there was one."""
        stamp = now()

        def unit(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "UPDATE strategies SET status = 'archived', updated_at = ? "
                "WHERE guild_id = ? AND user_id = ? AND status = 'active'",
                (stamp, _key(guild_id), _key(user_id)),
            )
            return cursor.rowcount > 0

        return await self._write(unit)

    async def forget_member(self, guild_id: MemberId, user_id: MemberId) -> int:
        """Delete every row of the member in this server, in every table; return rows deleted."""

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
                cursor = conn.execute(sql, (_key(guild_id), _key(user_id)))
                deleted += max(cursor.rowcount, 0)
            return deleted

        return await self._write(unit)

    async def class_overview(self, guild_id: MemberId) -> list[MemberProgress]:
        """Return every member with an active strategy in this server."""
        rows = await self._fetchall(
            "SELECT m.user_id, m.display_name, s.company, s.current_step, m.last_active, "
            "(SELECT GROUP_CONCAT(DISTINCT a.step) FROM answers a WHERE a.strategy_id = s.id), "
            "(SELECT COUNT(*) FROM answers a WHERE a.strategy_id = s.id) "
            "FROM strategies s JOIN members m ON m.guild_id = s.guild_id AND m.user_id = s.user_id "
            "WHERE s.guild_id = ? AND s.status = 'active' ORDER BY m.display_name, m.user_id",
            (_key(guild_id),),
        )
        return [
            MemberProgress(
                user_id=_unkey(r[0]),
                display_name=r[1],
                company=r[2],
                current_step=r[3],
                last_active=_when(r[4]),
                answered=sorted(r[5].split(",")) if r[5] else [],
                revisions=r[6],
            )
            for r in rows
        ]

    async def member_language(self, guild_id: MemberId, user_id: MemberId) -> str | None:
        """Return the language the member last wrote in, if known."""
        rows = await self._fetchall(
            "SELECT language FROM members WHERE guild_id = ? AND user_id = ?",
            (_key(guild_id), _key(user_id)),
        )
        return rows[0][0] if rows and rows[0][0] else None

    # -- usage and votes --------------------------------------------------------------------

    async def record_event(
        self,
        guild_id: MemberId,
        user_id: MemberId,
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
                (_key(guild_id), _key(user_id), command, question, answered, engine, stamp),
            )

        await self._write(unit)

    async def record_vote(
        self,
        guild_id: MemberId,
        user_id: MemberId,
        message_id: MemberId,
        question: str,
        sources: str,
        vote: int,
    ) -> None:
        """Store a member's 👍 (1) or 👎 (-1) on an answer; voting again changes the vote."""
        stamp = now()

        def unit(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO votes (guild_id, user_id, message_id, question, sources, vote, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id, user_id) "
                "DO UPDATE SET vote = excluded.vote, created_at = excluded.created_at",
                (_key(guild_id), _key(user_id), _key(message_id), question, sources, vote, stamp),
            )

        await self._write(unit)

    async def stats(self, guild_id: MemberId, limit: int = 5) -> Stats:
        """Return usage per command, the questions declined most often, and the weakest answers."""
        counts = await self._fetchall(
            "SELECT command, COUNT(*) FROM events WHERE guild_id = ? GROUP BY command "
            "ORDER BY COUNT(*) DESC",
            (_key(guild_id),),
        )
        declined = await self._fetchall(
            "SELECT LOWER(TRIM(question)) q, COUNT(*) FROM events WHERE guild_id = ? AND "
            "command = 'ask' AND answered = 0 AND question IS NOT NULL GROUP BY q "
            "ORDER BY COUNT(*) DESC, q LIMIT ?",
            (_key(guild_id), limit),
        )
        weakest = await self._fetchall(
            "SELECT question, SUM(vote), COUNT(*) FROM votes WHERE guild_id = ? GROUP BY question "
            "HAVING SUM(vote) < 0 ORDER BY SUM(vote), question LIMIT ?",
            (_key(guild_id), limit),
        )
        return Stats(
            commands={r[0]: r[1] for r in counts},
            declined=[(r[0], r[1]) for r in declined],
            weakest=[(r[0], r[1], r[2]) for r in weakest],
        )

    async def close(self) -> None:
        """Finish the queued writes, then close both connections and end their threads."""
        if self._closed:
            return
        self._closed = True
        try:
            await self._writer.close()
        finally:
            await self._reader.close()


async def open_store(path: Path) -> SQLiteStore:
    """Open the store at `path`."""
    return await SQLiteStore.open(path)


__all__ = ["SQLiteStore", "now", "open_store"]
