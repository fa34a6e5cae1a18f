"""The one-shot CLI: `ask --json` and `ask --batch` keep their pinned shape."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

from bot.__main__ import ask_batch, ask_once
from bot.core.coach import Coach
from tests.conftest import PYTHON, ROOT, run_env

PINNED = {"question", "answered", "answer", "sources", "related", "language", "engine"}


def test_ask_json_has_the_pinned_fields(coach: Coach) -> None:
    out = io.StringIO()
    assert ask_once(coach, "Hva er gjennomsiktighet?", True, out) == 0
    data = json.loads(out.getvalue())
    assert data.keys() >= PINNED
    assert data["answered"] is True
    assert data["engine"] == "offline"
    assert data["language"] == "nb"
    assert data["sources"][0]["path"] == "knowledge/posts/5-forventingsfaktorer.md"
    assert set(data["sources"][0]) == {"title", "path", "score"}


def test_batch_answers_every_line_in_order_with_errors_for_bad_lines(coach: Coach) -> None:
    lines = [
        json.dumps({"question": "Hva er åpenhet?"}),
        "this is not json",
        json.dumps({"question": "What is credibility?"}),
        json.dumps({"text": "wrong field"}),
        json.dumps({"question": "   "}),
        json.dumps(["a", "list"]),
    ]
    out = io.StringIO()
    assert ask_batch(coach, io.StringIO("\n".join(lines) + "\n"), out) == 0
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(rows) == len(lines)
    assert rows[0]["question"] == "Hva er åpenhet?"
    assert rows[2]["question"] == "What is credibility?"
    assert rows[2]["language"] == "en"
    assert [("error" in r) for r in rows] == [False, True, False, True, True, True]


def test_batch_stdout_carries_only_json(tmp_path: Path) -> None:
    stdin = '{"question": "Hva er troverdighet?"}\nbroken\n'
    out = subprocess.run(
        [PYTHON, "-m", "bot", "ask", "--batch"],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=run_env(tmp_path),
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(rows) == 2
    assert rows[0]["answered"] is True and "error" in rows[1]


def test_ask_one_shot_prints_text_with_sources(tmp_path: Path) -> None:
    out = subprocess.run(
        [PYTHON, "-m", "bot", "ask", "Hva", "er", "en", "direktemelding?"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=run_env(tmp_path),
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert "Observasjoner på Twitter" in out.stdout
