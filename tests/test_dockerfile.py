"""The Dockerfile, checked by reading it, and the command it runs, checked by running it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import procs
from tests.conftest import PYTHON, ROOT, run_env

DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def instructions(name: str) -> list[str]:
    joined = DOCKERFILE.replace("\\\n", " ")
    return [
        line.split(None, 1)[1].strip()
        for line in joined.splitlines()
        if line.split(None, 1)[:1] == [name]
    ]


def test_it_runs_as_a_non_root_user_with_a_data_volume() -> None:
    assert instructions("USER") == ["coach"]
    assert json.loads(instructions("VOLUME")[0]) == ["/data"]
    assert "slim" in instructions("FROM")[0]


def test_everything_it_copies_exists() -> None:
    for line in instructions("COPY"):
        *sources, _target = line.split()
        for source in sources:
            assert (ROOT / source).exists(), source


def test_dockerignore_keeps_secrets_and_the_database_out() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".env", "data", ".git", ".venv"} <= set(ignored)


@pytest.mark.slow
def test_the_command_it_runs_starts_the_console(tmp_path: Path) -> None:
    command = json.loads(instructions("CMD")[0])
    assert command == ["python", "-m", "bot"]
    out = procs.run(
        [PYTHON, *command[1:]],
        input="!ask Hva er åpenhet?\n",
        cwd=ROOT,
        env=run_env(tmp_path, COACH_KNOWLEDGE_DIR=str(ROOT / "knowledge")),
    )
    assert out.returncode == 0, out.stderr
    assert "Forventingsfaktorer i sosiale medier" in out.stdout
