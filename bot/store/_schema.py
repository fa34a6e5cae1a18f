"""The store's schema: one migration per version, and the function that applies them."""

from __future__ import annotations

import contextlib
import logging
import sqlite3

from bot.errors import StoreError

log = logging.getLogger(__name__)

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


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema up to SCHEMA_VERSION, one version per transaction; return the version.

    The version is read inside each write transaction, so processes that start at once on a new
    file take turns: the first creates the schema, the others find it current and go on. `conn`
    must be in autocommit mode (isolation_level=None) and is used on the calling thread.
    """
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            row = conn.execute("PRAGMA user_version").fetchone()
            version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise StoreError("failed", f"database schema {version} is newer than this code")
            if version == SCHEMA_VERSION:
                conn.execute("COMMIT")
                return SCHEMA_VERSION
            target = version + 1
            for statement in MIGRATIONS[target - 1].split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {target}")
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        log.info("database schema upgraded to version %d", target)


__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "migrate"]
