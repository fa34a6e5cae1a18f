"""The holes an attack found (issue 11): each test failed before its fix.

Concurrent first starts, exit status and `error` codes, the cache on a full disk, hostile
arguments and batch lines, oversized knowledge files, and secrets in verbose logs. The Discord
points (private replies by DM, deferred and off-loop reload) are in test_discord_private.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

from bot.config import load_settings
from bot.core.knowledge import bundle as coach_module
from bot.core.knowledge.bundle import Knowledge, load_all
from bot.core.router import Coach, Context
from bot.errors import ConfigError, DataFileError
from bot.store import SCHEMA_VERSION, open_store
from tests import procs
from tests.conftest import KNOWLEDGE, PYTHON, run_env


class Run(NamedTuple):
    code: int
    out: str
    err: str


def run_bot(tmp_path: Path, *args: str | bytes, stdin: str | bytes = b"", **env: str) -> Run:
    """Run `python -m bot ARGS` in its own process group under the hang guard."""
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    out = procs.run(
        [PYTHON, "-m", "bot", *args],  # type: ignore[list-item]
        input=data,
        text=False,
        env=run_env(tmp_path, **env),
        cwd=tmp_path,
    )
    return Run(
        out.returncode, out.stdout.decode("utf-8", "replace"), out.stderr.decode("utf-8", "replace")
    )


def assert_no_traceback(run: Run) -> None:
    assert "Traceback" not in run.out + run.err, run.err[-2000:]


# -- 1. concurrent first start ----------------------------------------------------------------


async def test_fifteen_stores_opening_a_new_file_at_once_all_open(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    stores = await asyncio.gather(*(open_store(path) for _ in range(15)))
    try:
        for n, store in enumerate(stores):
            await store.start_strategy(0, n, f"Firma {n}", "", "nb")
        with sqlite3.connect(path) as raw:
            assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
            assert raw.execute("SELECT COUNT(*) FROM strategies").fetchone()[0] == 15
    finally:
        for store in stores:
            await store.close()


def _start_many(tmp_path: Path, argv_of: list[list[str]]) -> list[Run]:
    """Start one `python -m bot` per argv at once, each in its own group, and wait for all."""
    env = run_env(tmp_path)
    with contextlib.ExitStack() as stack:
        started = [
            stack.enter_context(
                procs.spawned(
                    [PYTHON, "-m", "bot", *argv],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    env=env,
                    cwd=tmp_path,
                )
            )
            for argv in argv_of
        ]
        runs = []
        for proc in started:
            out, err = proc.communicate(timeout=procs.HANG_GUARD)
            runs.append(Run(proc.returncode, out.decode(), err.decode()))
    return runs


@pytest.mark.slow
def test_fifteen_concurrent_first_starts_and_answers_are_all_kept(tmp_path: Path) -> None:
    users = range(1, 16)
    starts = _start_many(
        tmp_path, [["strategy", "--user", str(u), "start", f"Firma {u}"] for u in users]
    )
    for run in starts:
        assert run.code == 0 and "already exists" not in run.err and "unavailable" not in run.err
    answers = _start_many(
        tmp_path,
        [
            ["strategy", "--user", str(u), "answer", f"Firma {u} selger sykler i Tromsø."]
            for u in users
        ],
    )
    assert [run.code for run in answers] == [0] * 15
    for user in users:
        export = run_bot(tmp_path, "strategy", "--user", str(user), "--json", "export")
        data = json.loads(export.out)
        assert f"Firma {user} selger sykler i Tromsø." in data["attachments"][0]["content"]


# -- 2. exit status and error codes ----------------------------------------------------------


def test_a_database_in_a_folder_that_cannot_exist_is_unavailable_with_exit_3(
    tmp_path: Path,
) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    run = run_bot(
        tmp_path,
        "strategy",
        "--user",
        "1",
        "--json",
        "answer",
        "Vi selger sykler.",
        COACH_DB_PATH=str(tmp_path / "a-file" / "sub" / "coach.db"),
    )
    assert run.code == 3
    data = json.loads(run.out)
    assert data["error"] == "unavailable" and "databasen" in data["reply"]
    assert_no_traceback(run)


def test_a_corrupt_database_says_so_once_and_exits_3(tmp_path: Path) -> None:
    db = tmp_path / "coach.db"
    assert run_bot(tmp_path, "strategy", "--user", "1", "start", "Firma").code == 0
    assert run_bot(tmp_path, "strategy", "--user", "1", "answer", "Vi selger sykler.").code == 0
    with db.open("r+b") as handle:  # overwrite every page after the header's page
        handle.seek(4096)
        handle.write(b"\xde\xad" * (db.stat().st_size // 2))
    run = run_bot(tmp_path, "strategy", "--user", "1", "--json", "answer", "Et nytt svar.")
    assert run.code == 3
    assert json.loads(run.out)["error"] == "corrupt"
    assert run.err.count("corrupt") >= 1 and "restore it from a backup" in run.err
    assert len([line for line in run.err.splitlines() if "is corrupt" in line]) == 1
    assert_no_traceback(run)


@pytest.mark.slow
def test_a_database_locked_past_the_busy_timeout_exits_3_with_locked(tmp_path: Path) -> None:
    assert run_bot(tmp_path, "strategy", "--user", "1", "start", "Firma").code == 0
    holder = sqlite3.connect(tmp_path / "coach.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        run = run_bot(tmp_path, "strategy", "--user", "1", "--json", "answer", "Et svar.")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert run.code == 3
    assert json.loads(run.out)["error"] == "locked"


@pytest.mark.parametrize(
    ("fault", "code"),
    [("PRAGMA query_only = ON", "read_only"), ("PRAGMA max_page_count = 1", "full")],
)
async def test_a_write_that_did_not_happen_carries_its_error_code(
    knowledge: Knowledge, tmp_path: Path, fault: str, code: str
) -> None:
    store = await open_store(tmp_path / "c.db")
    coach = Coach(knowledge, store=store)
    ctx = Context(user_id=1)
    assert (await coach.run_strategy("start Firma", ctx)).error is None
    # The writer's own connection, as a read-only open or a full disk would leave it.
    await store.pragma(fault)
    result = await coach.run_strategy("answer " + "Et svar som ikke får plass. " * 300, ctx)
    assert result.error == code
    await store.pragma("PRAGMA query_only = OFF")
    await store.close()


def test_a_strategy_command_that_worked_exits_0_without_an_error_field(tmp_path: Path) -> None:
    run = run_bot(tmp_path, "strategy", "--user", "1", "--json", "start", "Firma")
    assert run.code == 0 and "error" not in json.loads(run.out)


# -- 3. the knowledge cache on a nearly full disk ---------------------------------------------


class _Usage(NamedTuple):
    total: int
    used: int
    free: int


def test_a_nearly_full_disk_gets_no_cache_and_the_coach_runs_from_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(shutil, "disk_usage", lambda _: _Usage(10**9, 10**9 - 10**6, 10**6))
    cache = tmp_path / "cache"
    with caplog.at_level(logging.WARNING):
        knowledge = load_all(KNOWLEDGE, cache)
    assert knowledge.base.posts
    assert not list(cache.glob("*"))  # not a byte written
    assert len([r for r in caplog.records if "knowledge cache" in r.getMessage()]) == 1


def test_a_write_that_runs_out_of_room_leaves_no_partial_cache_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, fd: int, mode: str) -> None:
            self.file = real_fdopen(fd, mode)

        def __enter__(self) -> Full:
            return self

        def __exit__(self, *exc: object) -> None:
            self.file.close()

        def write(self, data: bytes) -> int:
            self.file.write(data[:100])
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(coach_module.os, "fdopen", Full)
    cache = tmp_path / "cache"
    with caplog.at_level(logging.WARNING):
        knowledge = load_all(KNOWLEDGE, cache)
    assert knowledge.base.posts
    assert not list(cache.glob("*")) and not list(cache.glob(".*"))
    assert any("No space left" in r.getMessage() for r in caplog.records)


# -- 4. hostile arguments and batch lines ------------------------------------------------------


def test_invalid_utf8_in_arguments_is_replaced_and_stored(tmp_path: Path) -> None:
    start = run_bot(
        tmp_path,
        b"strategy",
        b"--user",
        b"7",
        b"--name",
        b"Kari \xff",
        b"--json",
        b"start",
        b"Firma \xff\xfe",
    )
    assert start.code == 0, start.err
    assert json.loads(start.out)["company"] == "Firma \ufffd\ufffd"
    answer = run_bot(tmp_path, b"strategy", b"--user", b"7", b"answer", b"Vi \xfe selger sykler.")
    assert answer.code == 0
    for run in (start, answer):
        assert_no_traceback(run)
    ask = run_bot(tmp_path, b"ask", b"hva er \xff\xfe \xc3\xa5penhet")
    assert ask.code == 0 and "Traceback" not in ask.err


def test_hostile_batch_lines_get_their_own_errors_and_the_rest_are_answered(
    tmp_path: Path,
) -> None:
    deep = "[" * 5000 + "]" * 5000
    lines = [
        '{"question": "hva er \\ud800 \u00e5penhet?"}',
        '{"unused": ' + deep + ', "question": "hei"}',
        "x" * 1_100_000,
        '{"question": "Hvor mange bruker Twitter?"}',
        b'{"question": "ugyldig \xff utf-8"}'.decode("latin-1"),
    ]
    data = ("\n".join(lines[:4]) + "\n").encode() + b'{"question": "ugyldig \xff utf-8"}\n'
    run = run_bot(tmp_path, "ask", "--batch", stdin=data)
    assert run.code == 0
    assert_no_traceback(run)
    rows = [json.loads(line) for line in run.out.splitlines()]
    assert len(rows) == 5
    assert rows[0]["question"] == "hva er \ufffd \u00e5penhet?" and "answered" in rows[0]
    assert "nested too deep" in rows[1]["error"]
    assert "longer than" in rows[2]["error"]
    assert rows[3]["answered"] is True
    assert "\ufffd" in rows[4]["question"]


def test_a_review_batch_survives_a_lone_surrogate(tmp_path: Path) -> None:
    run = run_bot(tmp_path, "review", "--batch", stdin='{"text": "Hei \\udfff verden!"}\n')
    assert run.code == 0
    assert_no_traceback(run)
    assert json.loads(run.out)["text"] == "Hei \ufffd verden!"


def test_an_argument_over_the_bound_gets_a_clear_reply(tmp_path: Path) -> None:
    run = run_bot(tmp_path, "ask", "ord " * 30_000)
    assert run.code == 2
    assert "100000" in run.err and "for lang" in run.err
    assert_no_traceback(run)


# -- 5. bounded knowledge files ---------------------------------------------------------------


def _knowledge_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, folder)
    return folder


def test_an_oversized_knowledge_file_stops_start_up_with_one_line(tmp_path: Path) -> None:
    folder = _knowledge_copy(tmp_path)
    big = folder / "posts" / "8-stor.md"
    big.write_text("---\ntitle: Stor\nslug: stor\n---\n" + "ord " * 800_000, encoding="utf-8")
    env = {"COACH_KNOWLEDGE_DIR": str(folder), "COACH_KNOWLEDGE_MAX_BYTES": "2097152"}
    run = run_bot(tmp_path, "ask", "hei", **env)
    assert run.code == 2
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and "8-stor.md" in lines[0] and "COACH_KNOWLEDGE_MAX_BYTES" in lines[0]


def test_the_knowledge_folder_has_a_total_limit(tmp_path: Path) -> None:
    folder = _knowledge_copy(tmp_path)
    with pytest.raises(DataFileError, match="COACH_KNOWLEDGE_MAX_TOTAL_BYTES"):
        load_all(folder, max_total_bytes=100_000)
    with pytest.raises(DataFileError, match=r"\.yaml: the file has [\d,]+ bytes, over the limit"):
        load_all(folder, max_file_bytes=20_000)


def test_the_knowledge_limits_are_settings(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COACH_KNOWLEDGE_MAX_BYTES", "5000")
    monkeypatch.setenv("COACH_KNOWLEDGE_MAX_TOTAL_BYTES", "600000")
    settings = load_settings()
    assert settings.knowledge_max_bytes == 5000
    assert settings.knowledge_max_total_bytes == 600_000


# -- 8. secrets in verbose logs ---------------------------------------------------------------


def test_a_key_with_a_line_break_is_refused_at_start_up(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COACH_LLM_API_KEY", "sk-MARKERKEY\nrest")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert caught.value.setting == "COACH_LLM_API_KEY"
    assert "MARKERKEY" not in str(caught.value)


def test_verbose_logs_never_show_credentials_in_the_url_or_the_key(tmp_path: Path) -> None:
    run = run_bot(
        tmp_path,
        "-v",
        "ask",
        "Hva er åpenhet?",
        COACH_LLM_BASE_URL="http://kari:MARKERPASSWORD@127.0.0.1:9/v1?api_key=MARKERQUERY",
        COACH_LLM_API_KEY="sk-MARKERAPIKEY-123456",
        COACH_LLM_TIMEOUT="2",
    )
    assert run.code == 0
    assert "127.0.0.1" in run.err  # the endpoint is still named, only without secrets
    assert "MARKER" not in run.out + run.err


def test_the_filter_masks_urls_and_secrets_in_tracebacks() -> None:
    from bot.redact import RedactingFilter

    flt = RedactingFilter(["sk-secretvalue-1"])
    try:
        raise RuntimeError("header 'Bearer sk-secretvalue-1' for https://u:p@host/x?k=v")
    except RuntimeError:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "%s", ("sk-secretvalue-1",), None
        )
        record.exc_info = sys.exc_info()
    flt.filter(record)
    assert "sk-secretvalue-1" not in record.getMessage()
    assert record.exc_text is not None
    assert "sk-secretvalue-1" not in record.exc_text and "u:p@" not in record.exc_text
    assert "?k=v" not in record.exc_text and "https://***@host/x?***" in record.exc_text
