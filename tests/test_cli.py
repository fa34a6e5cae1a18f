"""The one-shot CLI: `ask --json` and `ask --batch` keep their pinned shape."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.cli import ask_batch, ask_once
from bot.core.router import Coach
from tests import procs
from tests.conftest import PYTHON, ROOT, run_env

PINNED = {"question", "answered", "answer", "sources", "related", "language", "engine"}


async def test_ask_json_has_the_pinned_fields(coach: Coach) -> None:
    out = io.StringIO()
    assert await ask_once(coach, "Hva er gjennomsiktighet?", True, out) == 0
    data = json.loads(out.getvalue())
    assert data.keys() >= PINNED
    assert data["answered"] is True
    assert data["engine"] == "offline"
    assert data["language"] == "nb"
    assert data["sources"][0]["path"] == "knowledge/posts/5-forventingsfaktorer.md"
    assert set(data["sources"][0]) == {"title", "path", "score", "location", "source"}
    assert data["sources"][0]["location"] is None  # a post of the bundled course has no page


async def test_batch_answers_every_line_in_order_with_errors_for_bad_lines(coach: Coach) -> None:
    lines = [
        json.dumps({"question": "Hva er åpenhet?"}),
        "this is not json",
        json.dumps({"question": "What is credibility?"}),
        json.dumps({"text": "wrong field"}),
        json.dumps({"question": "   "}),
        json.dumps(["a", "list"]),
    ]
    out = io.StringIO()
    assert await ask_batch(coach, io.StringIO("\n".join(lines) + "\n"), out) == 0
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(rows) == len(lines)
    assert rows[0]["question"] == "Hva er åpenhet?"
    assert rows[2]["question"] == "What is credibility?"
    assert rows[2]["language"] == "en"
    assert [("error" in r) for r in rows] == [False, True, False, True, True, True]


@pytest.mark.slow
def test_batch_stdout_carries_only_json(tmp_path: Path) -> None:
    stdin = '{"question": "Hva er troverdighet?"}\nbroken\n'
    out = procs.run(
        [PYTHON, "-m", "bot", "ask", "--batch"],
        input=stdin,
        cwd=ROOT,
        env=run_env(tmp_path),
    )
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(rows) == 2
    assert rows[0]["answered"] is True and "error" in rows[1]


@pytest.mark.slow
def test_ask_one_shot_prints_text_with_sources(tmp_path: Path) -> None:
    out = procs.run(
        [PYTHON, "-m", "bot", "ask", "Hva", "er", "en", "direktemelding?"],
        cwd=ROOT,
        env=run_env(tmp_path),
    )
    assert out.returncode == 0, out.stderr
    assert "Observasjoner på Twitter" in out.stdout


REVIEW_PINNED = {
    "text",
    "platform",
    "weighted_length",
    "limit",
    "fits",
    "over_by",
    "flags",
    "tone",
    "suggestions",
    "notes",
    "thread",
    "engine",
}


@pytest.mark.slow
def test_review_json_has_the_pinned_fields(tmp_path: Path) -> None:
    out = procs.run(
        [
            PYTHON,
            "-m",
            "bot",
            "review",
            "--json",
            "--platform",
            "twitter",
            "Hei 🫱🏻‍🫲🏿! Hva synes du?",
        ],
        cwd=ROOT,
        env=run_env(tmp_path),
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data.keys() >= REVIEW_PINNED
    assert data["platform"] == "x"
    assert data["weighted_length"] == 21  # "Hei " 4 + the emoji 2 + "! Hva synes du?" 15
    assert data["fits"] is True and data["over_by"] == 0 and data["thread"] == []
    assert set(data["tone"]) >= {"label", "norms", "lix", "verdict"}
    assert data["engine"] == "offline"


async def test_review_batch_answers_each_line_in_order(coach: Coach) -> None:
    from bot.cli import review_batch

    lines = [
        json.dumps({"text": "Norges beste kaffe!!!"}),
        json.dumps({"text": "   "}),
        json.dumps({"text": "Hei", "platform": "myspace"}),
        "{broken",
        json.dumps({"text": "a" * 301, "platform": "bluesky"}),
        json.dumps({"platform": "x"}),
    ]
    out = io.StringIO()
    assert await review_batch(coach, io.StringIO("\n".join(lines) + "\n"), out) == 0
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(rows) == len(lines)
    assert "hype_unverifiable_claim" in rows[0]["flags"]
    assert rows[1]["flags"] == ["empty"] and rows[1]["fits"] is False
    assert "error" in rows[2] and "myspace" in rows[2]["error"]
    assert "error" in rows[3] and "error" in rows[5]
    assert rows[4]["platform"] == "bluesky" and rows[4]["over_by"] == 1 and rows[4]["thread"]


@pytest.mark.slow
def test_review_with_an_unknown_platform_says_which_exist(tmp_path: Path) -> None:
    out = procs.run(
        [PYTHON, "-m", "bot", "review", "--platform", "myspace", "Hei"],
        cwd=ROOT,
        env=run_env(tmp_path),
    )
    assert out.returncode == 2
    assert "bluesky" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.slow
def test_a_dead_llm_endpoint_gives_the_offline_answer_with_its_reason(tmp_path: Path) -> None:
    env = run_env(tmp_path, COACH_LLM_BASE_URL="http://127.0.0.1:9/v1", COACH_LLM_TIMEOUT="3")
    out = procs.run(
        [PYTHON, "-m", "bot", "ask", "--json", "Hva er åpenhet?"],
        cwd=ROOT,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    # "unreachable", not "timeout": the refused connection ended the model part at once, with no
    # stopwatch needed; procs.run's hang guard bounds the whole run.
    assert data["engine"] == "offline" and data["fallback_reason"] == "unreachable"
    assert data["answered"] is True
