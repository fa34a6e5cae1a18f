"""Shared fixtures: the project's own knowledge, loaded once, and a coach over it."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from bot.core.knowledge.bundle import Knowledge, load_all
from bot.core.router import Coach
from tests import procs

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
SHARED_COURSE = ROOT.parent / "shared" / "course" / "000_ff2d7d7651cb2103.txt"

# No wall-clock claims from Hypothesis either: a loaded machine is slow, not wrong. Explicit
# @settings(...) in a test inherit what they do not set from this profile.
settings.register_profile(
    "suite", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("suite")

# Settings come only from what each test sets, never from a developer's .env or shell.
for _name in list(os.environ):
    if _name.startswith(("COACH_", "OPENAI_")) or _name == "DISCORD_TOKEN":
        del os.environ[_name]


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Kill any child a test left running (the run was interrupted, say, with Ctrl-C)."""
    procs.kill_all()


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return load_all(KNOWLEDGE)


@pytest.fixture
def coach(knowledge: Knowledge) -> Coach:
    return Coach(knowledge)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Run in an empty folder (no .env) with no coach settings in the environment."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """Return an environment for a subprocess of the coach, with its database under tmp_path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COACH_", "OPENAI_"))}
    for name in ("DISCORD_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_API_URL"):
        env.pop(name, None)
    env["COACH_DB_PATH"] = str(tmp_path / "coach.db")
    env["PYTHONPATH"] = str(ROOT)
    env["PYTHONFAULTHANDLER"] = "1"  # a hung child prints its stacks on SIGABRT (tests/procs.py)
    env.update(extra)
    return env


PYTHON = sys.executable


def count_member_rows(path: Path, guild_id: int | str, user_id: int | str) -> int:
    """Count the rows in any table that belong to the member, on the database file itself.

    A number is a Discord id, stored as "discord:<id>"; a string is stored as it is.
    """
    guild_id, user_id = (f"discord:{i}" if isinstance(i, int) else i for i in (guild_id, user_id))
    with contextlib.closing(sqlite3.connect(path)) as conn:
        row = conn.execute(
            "SELECT (SELECT COUNT(*) FROM members WHERE guild_id = ?1 AND user_id = ?2) + "
            "(SELECT COUNT(*) FROM strategies WHERE guild_id = ?1 AND user_id = ?2) + "
            "(SELECT COUNT(*) FROM answers WHERE strategy_id IN "
            "(SELECT id FROM strategies WHERE guild_id = ?1 AND user_id = ?2)) + "
            "(SELECT COUNT(*) FROM events WHERE guild_id = ?1 AND user_id = ?2) + "
            "(SELECT COUNT(*) FROM votes WHERE guild_id = ?1 AND user_id = ?2)",
            (guild_id, user_id),
        ).fetchone()
    return int(row[0])
