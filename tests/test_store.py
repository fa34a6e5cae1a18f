"""The SQLite store on a real file: schema, revisions, isolation, concurrency, crashes, faults."""

from __future__ import annotations

import asyncio
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from bot.core.ports import NoActiveStrategy, StrategyExists, StrategyStore, UsageLog
from bot.errors import StoreError
from bot.store import MIGRATIONS, SCHEMA_VERSION, SQLiteStore, migrate, open_store
from tests import procs
from tests.conftest import ROOT, count_member_rows


@pytest.fixture
async def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    opened = await open_store(tmp_path / "deep" / "coach.db")
    yield opened
    await opened.close()


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


async def test_the_schema_is_created_in_an_empty_file_and_its_folder(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folder" / "coach.db"
    store = await open_store(path)
    await store.close()
    assert path.exists()
    assert {"members", "strategies", "answers"} <= tables(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_an_existing_database_opens_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "coach.db"
    first = await open_store(path)
    await first.start_strategy(0, 1, "Elegantè", "Kari", "nb")
    await first.save_answer(0, 1, "company", "En bank for unge.")
    await first.close()
    second = await open_store(path)
    strategy = await second.get_strategy(0, 1)
    await second.close()
    assert strategy is not None and strategy.answers["company"].text == "En bank for unge."


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
async def test_each_migration_upgrades_a_database_of_the_previous_version_with_data(
    tmp_path: Path, version: int
) -> None:
    """Runs once a second schema version exists: build version N with data, open, check."""
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        for script in MIGRATIONS[:version]:
            conn.executescript(script)
        conn.execute(f"PRAGMA user_version = {version}")
        conn.execute("INSERT INTO members VALUES (0, 1, 'Kari', 'nb', '2026-01-01', '2026-01-01')")
    store = await open_store(path)
    await store.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("SELECT display_name FROM members").fetchone()[0] == "Kari"


async def test_a_newer_schema_than_the_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError):
        await open_store(path)


async def test_writes_are_durable_settings(store: SQLiteStore) -> None:
    for reader in (False, True):
        assert await store.pragma("PRAGMA synchronous", reader=reader) == 2  # FULL
        assert await store.pragma("PRAGMA foreign_keys", reader=reader) == 1
        assert await store.pragma("PRAGMA busy_timeout", reader=reader) > 0


async def test_the_store_satisfies_both_ports(store: SQLiteStore) -> None:
    assert isinstance(store, StrategyStore)
    assert isinstance(store, UsageLog)


async def test_pragma_runs_only_pragmas(store: SQLiteStore) -> None:
    with pytest.raises(ValueError):
        await store.pragma("DELETE FROM members")


async def test_closing_ends_the_store_threads(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "t.db")
    await store.start_strategy(0, 1, "A", "Kari", "nb")
    assert await store.get_strategy(0, 1) is not None
    await store.close()
    assert not [t for t in threading.enumerate() if t.name.startswith("store-")]
    with pytest.raises(StoreError):
        await store.save_answer(0, 1, "company", "etter lukking")


async def test_a_cancelled_open_leaves_no_thread_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.store._sqlite as runner

    monkeypatch.setattr(runner, "BUSY_TIMEOUT_MS", 300)
    path = tmp_path / "busy.db"
    sqlite3.connect(path).close()
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # the open waits in SQLite's busy handler
    try:
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(open_store(path), 0.05)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert not [t for t in threading.enumerate() if t.name.startswith("store-")]


async def test_every_revision_is_kept_with_a_utc_time(store: SQLiteStore) -> None:
    await store.start_strategy(0, 1, "Elegantè", "Kari", "nb")
    for text in ["første", "andre", "tredje"]:
        await store.save_answer(0, 1, "goals", text)
    revisions = await store.revisions(0, 1, "goals")
    assert [r.text for r in revisions] == ["første", "andre", "tredje"]
    assert [r.revision for r in revisions] == [1, 2, 3]
    assert all(
        r.created_at.utcoffset() is not None and not r.created_at.utcoffset() for r in revisions
    )
    strategy = await store.get_strategy(0, 1)
    assert strategy is not None and strategy.answers["goals"].text == "tredje"


async def test_one_active_strategy_per_member_per_server(store: SQLiteStore) -> None:
    await store.start_strategy(0, 1, "A", "Kari", "nb")
    with pytest.raises(StrategyExists):
        await store.start_strategy(0, 1, "B", "Kari", "nb")
    await store.start_strategy(7, 1, "C", "Kari", "nb")  # another server is another class
    assert (await store.get_strategy(0, 1)).company == "A"  # type: ignore[union-attr]
    assert (await store.get_strategy(7, 1)).company == "C"  # type: ignore[union-attr]
    assert await store.reset_strategy(0, 1)
    await store.start_strategy(0, 1, "D", "Kari", "nb")
    assert (await store.get_strategy(0, 1)).company == "D"  # type: ignore[union-attr]


async def test_members_are_isolated_by_server_and_user(store: SQLiteStore) -> None:
    await store.start_strategy(0, 1, "A", "Kari", "nb")
    await store.start_strategy(0, 2, "B", "Ola", "nb")
    await store.save_answer(0, 1, "company", "Karis hemmelighet")
    other = await store.get_strategy(0, 2)
    assert other is not None and other.answers == {}
    assert await store.get_strategy(9, 1) is None
    assert await store.revisions(0, 2, "company") == []


async def test_forget_leaves_no_row_of_the_member(store: SQLiteStore) -> None:
    await store.start_strategy(0, 1, "A", "Kari", "nb")
    await store.save_answer(0, 1, "company", "x")
    await store.reset_strategy(0, 1)
    await store.start_strategy(0, 1, "B", "Kari", "nb")
    await store.save_answer(0, 1, "company", "y")
    await store.start_strategy(0, 2, "C", "Ola", "nb")
    deleted = await store.forget_member(0, 1)
    assert deleted == 1 + 2 + 2  # the member, two strategies, two answers (no events yet)
    assert count_member_rows(store.path, 0, 1) == 0
    assert count_member_rows(store.path, 0, 2) == 2


async def test_two_hundred_members_writing_at_once_lose_nothing(store: SQLiteStore) -> None:
    members = range(1, 201)
    await asyncio.gather(*(store.start_strategy(0, u, f"Firma {u}", "", "nb") for u in members))
    await asyncio.gather(
        *(store.save_answer(0, u, "goals", f"svar {u}.{i}") for u in members for i in range(5))
    )
    for u in members:
        revisions = await store.revisions(0, u, "goals")
        assert sorted(r.text for r in revisions) == sorted(f"svar {u}.{i}" for i in range(5))
        assert sorted(r.revision for r in revisions) == [1, 2, 3, 4, 5]


async def test_a_failing_unit_is_rolled_back_alone(store: SQLiteStore) -> None:
    await store.start_strategy(0, 1, "A", "Kari", "nb")
    results = await asyncio.gather(
        store.save_answer(0, 1, "company", "lagres"),
        store.save_answer(0, 99, "company", "ingen strategi"),  # fails inside the batch
        store.save_answer(0, 1, "goals", "lagres også"),
        return_exceptions=True,
    )
    assert isinstance(results[1], NoActiveStrategy)
    strategy = await store.get_strategy(0, 1)
    assert strategy is not None
    assert {k: a.text for k, a in strategy.answers.items()} == {
        "company": "lagres",
        "goals": "lagres også",
    }


async def test_a_database_locked_by_another_process_gives_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "coach.db"
    store = await open_store(path)
    await store.start_strategy(0, 1, "A", "Kari", "nb")
    blocker = sqlite3.connect(path, timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        import bot.store as store_module

        store_module_timeout = store_module.BUSY_TIMEOUT_MS
        await store.pragma("PRAGMA busy_timeout = 200")
        with pytest.raises(StoreError) as caught:
            await store.save_answer(0, 1, "company", "vent")
        assert caught.value.kind == "locked"
        await store.pragma(f"PRAGMA busy_timeout = {store_module_timeout}")
    finally:
        blocker.rollback()
        blocker.close()
    saved = await store.save_answer(0, 1, "company", "nå går det")
    assert saved.revision == 1
    await store.close()


def test_migrate_is_idempotent(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "m.db", isolation_level=None)
    try:
        assert migrate(conn) == SCHEMA_VERSION
        assert migrate(conn) == SCHEMA_VERSION
    finally:
        conn.close()


WRITER = textwrap.dedent(
    """
    import asyncio, sys
    from pathlib import Path
    from bot.store import open_store

    async def member(store, user):
        i = 0
        while True:
            i += 1
            answer = await store.save_answer(0, user, "goals", f"{user}:{i}")
            print(f"ack {user} {answer.revision} {user}:{i}", flush=True)

    async def main():
        store = await open_store(Path(sys.argv[1]))
        await asyncio.gather(*(store.start_strategy(0, u, "F", "", "nb") for u in range(1, 41)))
        print("ready", flush=True)
        await asyncio.gather(*(member(store, u) for u in range(1, 41)))

    asyncio.run(main())
    """
)


# The storm runs until this many writes are acknowledged, however long that takes on a slow
# machine (about 0.5 s here; a stopwatch would make a loaded machine's storm too small).
STORM_ACKS = 5000


def test_sigkill_mid_write_storm_keeps_every_acknowledged_write(tmp_path: Path) -> None:
    path = tmp_path / "storm.db"
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    acked: list[tuple[int, int, str]] = []
    with procs.spawned(
        [sys.executable, str(script), str(path)], stdout=subprocess.PIPE, text=True, env=env
    ) as proc:
        stdout = proc.stdout
        assert stdout is not None
        lines: queue.Queue[str] = queue.Queue()

        def pump() -> None:
            for line in stdout:
                lines.put(line)

        # A reader thread, so that a writer which stops writing cannot block the test for ever.
        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        deadline = time.monotonic() + procs.HANG_GUARD
        while len(acked) < STORM_ACKS and proc.poll() is None:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break  # the hang guard: what was acknowledged so far is still checked
            if line.startswith("ack"):
                _, user, revision, text = line.split()
                acked.append((int(user), int(revision), text))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=procs.HANG_GUARD)
        reader.join(timeout=procs.HANG_GUARD)  # the pipe is at its end: the writer is gone
    assert len(acked) > 100, "the storm was too small to prove anything"
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = set(
            conn.execute(
                "SELECT CAST(SUBSTR(s.user_id, 9) AS INTEGER), a.revision, a.text FROM answers a "
                "JOIN strategies s ON s.id = a.strategy_id"  # user_id is "discord:<id>"
            ).fetchall()
        )
    missing = [a for a in acked if a not in stored]
    assert missing == []


def _version_2_with_a_class(path: Path) -> None:
    """Build a schema-2 file as the Discord-only coach left it: two members, revisions, usage."""
    with sqlite3.connect(path) as conn:
        for script in MIGRATIONS[:2]:
            conn.executescript(script)
        conn.execute("PRAGMA user_version = 2")
        day = "2026-09-01T10:00:00+00:00"
        big = 912345678901234567  # a Discord snowflake
        conn.executemany(
            "INSERT INTO members VALUES (?, ?, ?, 'nb', ?, ?)",
            [(big, 111, "Kari", day, day), (big, 222, "Ola", day, day)],
        )
        conn.executemany(
            "INSERT INTO strategies VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (1, big, 111, "Gammel kafé", 2, "archived", day, day),
                (2, big, 111, "Sykkelbutikk", 3, "active", day, day),
                (3, big, 222, "Bakeri", 1, "active", day, day),
            ],
        )
        conn.executemany(
            "INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?)",
            [
                (1, 1, "company", 1, "En kafé.", day),
                (2, 2, "company", 1, "Vi selger sykler.", day),
                (3, 2, "company", 2, "Vi selger og reparerer sykler i Bodø.", day),
                (4, 2, "goals", 1, "Flere kunder om våren.", day),
                (5, 3, "company", 1, "Et bakeri.", day),
            ],
        )
        conn.execute(
            "INSERT INTO events VALUES (1, ?, 111, 'ask', 'hva er åpenhet?', 0, 'offline', ?)",
            (big, day),
        )
        conn.execute(
            "INSERT INTO votes VALUES (1, ?, 222, 98765, 'hva er en persona?', 'p.md', -1, ?)",
            (big, day),
        )


async def test_upgrading_to_platform_ids_keeps_every_discord_row_and_revision(
    tmp_path: Path,
) -> None:
    path = tmp_path / "v2.db"
    _version_2_with_a_class(path)
    big = 912345678901234567
    with sqlite3.connect(path) as conn:
        before = {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}
    store = await open_store(path)
    try:
        kari = await store.get_strategy(big, 111)
        assert kari is not None and kari.company == "Sykkelbutikk" and kari.current_step == 3
        assert kari.answers["company"].revision == 2
        assert kari.answers["company"].text == "Vi selger og reparerer sykler i Bodø."
        assert [a.text for a in await store.revisions(big, 111, "company")] == [
            "Vi selger sykler.",
            "Vi selger og reparerer sykler i Bodø.",
        ]
        overview = await store.class_overview(big)
        assert [(r.user_id, r.display_name, r.revisions) for r in overview] == [
            (111, "Kari", 3),
            (222, "Ola", 1),
        ]
        stats = await store.stats(big)
        assert stats.commands == {"ask": 1}
        assert stats.weakest == [("hva er en persona?", -1, 1)]
        assert await store.member_language(big, 222) == "nb"
        # A Slack member whose id shares nothing with a Discord one, in a workspace of their own.
        await store.start_strategy("slack:T0CLASS", "slack:T0CLASS:U111", "Frisør", "Siri", "nb")
        assert (await store.get_strategy(big, 111)).company == "Sykkelbutikk"  # type: ignore[union-attr]
        assert await store.class_overview("slack:T0CLASS") != []
        assert [r.user_id for r in await store.class_overview("slack:T0CLASS")] == [
            "slack:T0CLASS:U111"
        ]
    finally:
        await store.close()
    with sqlite3.connect(path) as conn:
        after = {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        ids = {r[0] for r in conn.execute("SELECT user_id FROM members")}
    assert after == {**before, "members": before["members"] + 1, "strategies": 4}
    assert ids == {"discord:111", "discord:222", "slack:T0CLASS:U111"}


async def test_forget_after_the_upgrade_removes_the_discord_member_only(tmp_path: Path) -> None:
    path = tmp_path / "v2.db"
    _version_2_with_a_class(path)
    big = 912345678901234567
    store = await open_store(path)
    try:
        await store.start_strategy("slack:T0CLASS", "slack:T0CLASS:U111", "Frisør", "Siri", "nb")
        deleted = await store.forget_member(big, 111)
        assert deleted == 1 + 2 + 4 + 1  # the member, two strategies, four answers, one event
        assert await store.get_strategy(big, 111) is None
        assert (await store.get_strategy(big, 222)) is not None
        assert (await store.get_strategy("slack:T0CLASS", "slack:T0CLASS:U111")) is not None
    finally:
        await store.close()
    assert count_member_rows(path, big, 111) == 0
    assert count_member_rows(path, big, 222) == 1 + 1 + 1 + 1  # member, strategy, answer, vote


TABLES = ("members", "strategies", "answers", "events", "votes")
