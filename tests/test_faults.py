"""Faults and load: a read-only or full database, the class of 300 at once, and no leaked token.

The LLM fault matrix (refused, slow, 429, 500, garbage, a cut stream) is in test_llm.py and
test_grounded.py; a locked database and SIGKILL mid-write are in test_store.py.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import time
from pathlib import Path

import pytest

from bot.core.knowledge.bundle import Knowledge
from bot.core.router import Coach, Context
from bot.store import open_store


async def test_a_read_only_database_gets_a_clear_reply_and_keeps_what_was_saved(
    knowledge: Knowledge, tmp_path: Path
) -> None:
    store = await open_store(tmp_path / "c.db")
    coach = Coach(knowledge, store=store)
    ctx = Context(user_id=1)
    await coach.handle("!strategy start Elegantè", ctx)
    await coach.handle("!strategy answer En bank for unge 18-30 år som tilbyr lån.", ctx)
    await store.pragma("PRAGMA query_only = ON")  # as if opened with mode=ro
    reply = await coach.handle("!strategy answer Et nytt svar som ikke kan lagres.", ctx)
    assert "kan bare leses" in reply.text and "Ingenting er endret" in reply.text
    revisions = await store.revisions(0, 1, "company")
    assert [r.text for r in revisions] == ["En bank for unge 18-30 år som tilbyr lån."]
    await store.pragma("PRAGMA query_only = OFF")
    await store.close()


async def test_a_full_disk_gets_a_clear_reply_and_keeps_what_was_saved(
    knowledge: Knowledge, tmp_path: Path
) -> None:
    store = await open_store(tmp_path / "c.db")
    coach = Coach(knowledge, store=store)
    ctx = Context(user_id=1)
    await coach.handle("!strategy start Elegantè", ctx)
    pages = await store.pragma("PRAGMA page_count")
    await store.pragma(f"PRAGMA max_page_count = {pages + 2}")  # nearly full
    saved: list[str] = []
    for n in range(60):
        text = f"Svar {n}: " + "ord " * 900
        reply = await coach.handle(f"!strategy answer {text}", ctx)
        if "Ingenting er endret" in reply.text:
            assert "ikke plass" in reply.text or "fikk ikke lagret" in reply.text
            break
        assert "Lagret" in reply.text
        saved.append(text.strip())
    else:
        pytest.fail("the database never filled up")
    kept = [r.text for r in await store.revisions(0, 1, "company")]
    assert kept == saved  # every acknowledged answer, nothing of the refused one
    await store.close()


async def test_a_class_of_300_sending_mixed_commands_at_once_is_all_answered(
    knowledge: Knowledge, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = await open_store(tmp_path / "c.db")
    coach = Coach(knowledge, store=store)
    latencies: list[float] = []

    async def member(user: int) -> list[str]:
        ctx = Context(user_id=user, guild_id=7, conversation=f"m{user}")
        commands = [
            "!ask Hva er åpenhet?",
            f"!strategy start Firma {user}",
            "!review Vi åpner i morgen! Hva vil du smake?",
            f"!strategy answer Firma {user} er en bank for unge som tilbyr lån, passiv i dag.",
            "!strategy status",
            "!ask How long can a tweet be?",
        ]
        texts = []
        for command in commands:
            start = time.perf_counter()
            reply = await coach.handle(command, ctx)
            latencies.append((time.perf_counter() - start) * 1000)
            texts.append(reply.text)
        return texts

    results = await asyncio.gather(*(member(u) for u in range(300)))
    await store.close()
    problems = [t for texts in results for t in texts if not t.strip() or "Beklager" in t]
    assert problems == []
    statuses = [texts[4] for texts in results]
    assert all("1/10" in status for status in statuses), statuses[:2]
    latencies.sort()
    with capsys.disabled():
        p99 = latencies[int(0.99 * len(latencies))]
        print(
            f"\nload: 300 members x 6 commands through the core: median "
            f"{statistics.median(latencies):.1f} ms, p99 {p99:.1f} ms"
        )


def test_the_token_never_appears_in_logs_or_settings_output(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    from bot.config import load_settings

    secret = "MTIz.never-log-this-token.xyz"
    monkeypatch.setenv("DISCORD_TOKEN", secret)
    monkeypatch.setenv("COACH_LLM_API_KEY", "sk-never-log-this")
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("bot").info("starting with %s", settings)
        logging.getLogger("bot").info("%r", settings.model_dump())
    assert secret not in caplog.text and "sk-never-log-this" not in caplog.text
