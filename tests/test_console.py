"""The console, driven through stdin: help, ask, unknown commands, empty input, clean exit."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

from bot.console import render, run_console
from bot.core.coach import Coach
from bot.core.reply import Reply, Source
from tests.conftest import PYTHON, ROOT, run_env


def drive(coach: Coach, text: str) -> str:
    out = io.StringIO()
    assert run_console(coach, stdin=io.StringIO(text), stdout=out) == 0
    return out.getvalue()


def test_help_lists_the_commands(coach: Coach) -> None:
    out = drive(coach, "!help\n")
    assert "!ask" in out and "!help" in out


def test_ask_shows_passages_from_the_right_post(coach: Coach) -> None:
    out = drive(coach, "!ask Hva er gjennomsiktighet?\n")
    assert "Forventingsfaktorer i sosiale medier" in out
    assert "[1]" in out
    assert "knowledge/posts/5-forventingsfaktorer.md" in out


def test_unknown_command_and_empty_input_get_friendly_replies(coach: Coach) -> None:
    out = drive(coach, "!dance\n\n   \n")
    assert "!dance" in out and "!help" in out
    assert out.count("Du skrev ingenting") == 2


def test_text_without_prefix_explains_commands(coach: Coach) -> None:
    out = drive(coach, "hva er åpenhet\n")
    assert "!ask hva er åpenhet" in out


def test_an_empty_question_asks_for_one(coach: Coach) -> None:
    assert "Hva lurer du på?" in drive(coach, "!ask\n")


def test_end_of_input_says_goodbye(coach: Coach) -> None:
    out = drive(coach, "")
    assert out.strip().endswith("Ha det bra, og lykke til med faget!")


def test_a_very_long_line_is_answered_with_a_notice(coach: Coach) -> None:
    out = drive(coach, "!ask " + "følgere " * 700 + "\n")
    assert "4000" in out
    assert "Traceback" not in out


def test_render_lists_numbered_sources(coach: Coach) -> None:
    reply = Reply(parts=["Svar [1]"], sources=[Source(n=1, title="T", path="p.md", score=1.0)])
    text = render(reply, coach.strings)
    assert "Kilder:" in text and "[1] T (p.md)" in text


def test_python_m_bot_opens_the_console_without_a_token(tmp_path: Path) -> None:
    out = subprocess.run(
        [PYTHON, "-m", "bot"],
        input="!ask Hva er gjennomsiktighet?\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=run_env(tmp_path),
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert "Forventingsfaktorer i sosiale medier" in out.stdout
    assert "Traceback" not in out.stderr
