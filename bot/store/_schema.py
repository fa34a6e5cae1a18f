"""The store's schema: one migration per version, and the function that applies them."""

from __future__ import annotations

import contextlib
import logging
import sqlite3

from bot.core.ports import MemberId
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
    # 3: members by a platform-qualified id ("discord:123", "slack:T0123:U0456"), so members of
    # two platforms never collide. Every table that names a member is rebuilt with TEXT ids; each
    # Discord row (and every answer revision, whose table keeps its ids) is carried over.
    """
    CREATE TABLE members_v3 (
        guild_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        display_name TEXT NOT NULL DEFAULT '',
        language TEXT,
        created_at TEXT NOT NULL,
        last_active TEXT NOT NULL,
        PRIMARY KEY (guild_id, user_id)
    );
    INSERT INTO members_v3 SELECT 'discord:' || guild_id, 'discord:' || user_id, display_name,
        language, created_at, last_active FROM members;
    CREATE TABLE strategies_v3 (
        id INTEGER PRIMARY KEY,
        guild_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        company TEXT NOT NULL,
        current_step INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        FOREIGN KEY (guild_id, user_id) REFERENCES members (guild_id, user_id) ON DELETE CASCADE
    );
    INSERT INTO strategies_v3 SELECT id, 'discord:' || guild_id, 'discord:' || user_id, company,
        current_step, status, created_at, updated_at FROM strategies;
    CREATE TABLE events_v3 (
        id INTEGER PRIMARY KEY,
        guild_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        command TEXT NOT NULL,
        question TEXT,
        answered INTEGER,
        engine TEXT,
        created_at TEXT NOT NULL
    );
    INSERT INTO events_v3 SELECT id, 'discord:' || guild_id, 'discord:' || user_id, command,
        question, answered, engine, created_at FROM events;
    CREATE TABLE votes_v3 (
        id INTEGER PRIMARY KEY,
        guild_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        message_id TEXT NOT NULL,
        question TEXT NOT NULL,
        sources TEXT NOT NULL,
        vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
        created_at TEXT NOT NULL,
        UNIQUE (message_id, user_id)
    );
    INSERT INTO votes_v3 SELECT id, 'discord:' || guild_id, 'discord:' || user_id,
        'discord:' || message_id, question, sources, vote, created_at FROM votes;
    DROP TABLE votes;
    DROP TABLE events;
    DROP TABLE strategies;
    DROP TABLE members;
    ALTER TABLE members_v3 RENAME TO members;
    ALTER TABLE strategies_v3 RENAME TO strategies;
    ALTER TABLE events_v3 RENAME TO events;
    ALTER TABLE votes_v3 RENAME TO votes;
    CREATE UNIQUE INDEX one_active_strategy ON strategies (guild_id, user_id)
        WHERE status = 'active';
    CREATE INDEX events_by_guild ON events (guild_id, command);
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema up to SCHEMA_VERSION, one version per transaction; return the version.

    The version is read inside each write transaction, so processes that start at once on a new
    file take turns: the first creates the schema, the others find it current and go on. `conn`
    must be in autocommit mode (isolation_level=None) and is used on the calling thread.
    """
    # A migration rebuilds tables: foreign keys are off while it runs (as SQLite's documentation
    # for changing a table's columns asks) and checked before each version commits.
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        upgraded = _migrate(conn)
    finally:
        conn.execute("PRAGMA foreign_keys = ON")
    if upgraded:
        # A rebuild leaves the old tables' pages free; give them back, so the file is as small
        # as a new one. Best effort: another process holding the file, or too little disk for
        # the copy, only leaves the pages on the free list.
        try:
            conn.execute("VACUUM")
        except sqlite3.OperationalError as exc:
            log.info("could not compact the database after the upgrade: %s", exc)
    return SCHEMA_VERSION


def _migrate(conn: sqlite3.Connection) -> bool:
    """Apply the missing migrations; return whether any was applied."""
    upgraded = False
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            row = conn.execute("PRAGMA user_version").fetchone()
            version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise StoreError("failed", f"database schema {version} is newer than this code")
            if version == SCHEMA_VERSION:
                conn.execute("COMMIT")
                return upgraded
            target = version + 1
            for statement in MIGRATIONS[target - 1].split(";"):
                if statement.strip():
                    conn.execute(statement)
            broken = conn.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise StoreError("failed", f"schema {target} would break {len(broken)} references")
            conn.execute(f"PRAGMA user_version = {target}")
            conn.execute("COMMIT")
            upgraded = True
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        log.info("database schema upgraded to version %d", target)


def stored_id(value: MemberId) -> str:
    """Return an id as stored: a number is Discord's ("discord:123"); a string names its own."""
    return f"discord:{value}" if isinstance(value, int) else value


def unstored_id(value: str) -> MemberId:
    """Return a stored id as the adapters use it: Discord's as a number again."""
    platform, _, rest = value.partition(":")
    return int(rest) if platform == "discord" and rest.lstrip("-").isdigit() else value


__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "migrate", "stored_id", "unstored_id"]
