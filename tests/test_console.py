"""The console, driven through stdin: help, ask, unknown commands, empty input, clean exit."""

from __future__ import annotations

import contextlib
import io
import subprocess
from pathlib import Path

import pytest

from bot.console import render, run_console
from bot.core.reply import Reply, Source
from bot.core.router import Coach
from tests import procs
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


@pytest.mark.slow
def test_python_m_bot_opens_the_console_without_a_token(tmp_path: Path) -> None:
    out = procs.run(
        [PYTHON, "-m", "bot"],
        input="!ask Hva er gjennomsiktighet?\n",
        cwd=ROOT,
        env=run_env(tmp_path),
    )
    assert out.returncode == 0, out.stderr
    assert "Forventingsfaktorer i sosiale medier" in out.stdout
    assert "Traceback" not in out.stderr


@pytest.mark.slow
def test_the_console_prints_no_library_debug_lines(tmp_path: Path) -> None:
    out = procs.run(
        [PYTHON, "-m", "bot", "chat"],
        input="!ask Hva er en tweet?\n",
        cwd=ROOT,
        env=run_env(tmp_path),
    )
    assert out.returncode == 0
    assert out.stderr == ""


def _interactive(tmp_path: Path, keys: list[bytes]) -> tuple[int, str]:
    """Run the console on a pseudo-terminal, type `keys`, and return (exit code, screen text)."""
    import os
    import pty

    env = run_env(tmp_path, HOME=str(tmp_path))
    pid, fd = pty.fork()
    if pid == 0:  # the child: the coach on a terminal, in a session of its own (pty.fork)
        try:
            # Ctrl-C must reach the console as SIGINT even when the suite runs in the
            # background, where SIGINT is inherited as ignored and would survive exec.
            procs.reset_sigint_in_child()
            os.chdir(ROOT)
            os.execve(PYTHON, [PYTHON, "-m", "bot", "chat"], env)
        finally:
            os._exit(127)  # never return into pytest in the child
    procs.track(pid)
    try:
        return _drive(pid, fd, keys)
    finally:
        procs.kill_group(pid)  # the child is its session's leader: its group is its pid
        with contextlib.suppress(ChildProcessError):  # reaped already by _drive
            os.waitpid(pid, 0)
        os.close(fd)


def _drive(pid: int, fd: int, keys: list[bytes]) -> tuple[int, str]:
    import os
    import select
    import time

    # Hang guards, not speed claims: a loaded machine may take long to start the console.
    screen = b""

    def read_until(marker: bytes, seconds: float = procs.HANG_GUARD) -> None:
        nonlocal screen
        start = len(screen)
        end = time.monotonic() + seconds
        while marker not in screen[start:] and time.monotonic() < end:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    screen += os.read(fd, 4096)
                except OSError:
                    return

    read_until(b"du> ")
    for key in keys:
        time.sleep(0.3)  # let readline take the terminal before the key arrives
        os.write(fd, key)
        read_until(b"du> " if key.endswith(b"\r") else b"lykke til")
    end = time.monotonic() + procs.HANG_GUARD
    status = None
    while status is None and time.monotonic() < end:
        done, raw = os.waitpid(pid, os.WNOHANG)
        if done:
            status = raw
        else:
            read_until(b"\x00", 0.2)  # keep draining the terminal while waiting
    if status is None:  # never hang the suite: the caller ends the child; report it
        raise AssertionError(f"the console did not exit; screen: {screen[-500:]!r}")
    return os.waitstatus_to_exitcode(status), screen.decode("utf-8", "replace")


@pytest.mark.slow
def test_ctrl_c_at_the_prompt_ends_cleanly(tmp_path: Path) -> None:
    code, screen = _interactive(tmp_path, [b"!help\r", b"\x03"])
    assert code == 0
    assert "!ask" in screen
    assert "Ha det bra" in screen
    assert "Traceback" not in screen


@pytest.mark.slow
def test_ctrl_d_at_the_prompt_ends_cleanly_and_keeps_history(tmp_path: Path) -> None:
    code, screen = _interactive(tmp_path, [b"!ask Hva er en tweet?\r", b"\x04"])
    assert code == 0
    assert "Observasjoner på Twitter" in screen
    assert "Ha det bra" in screen
    history = tmp_path / ".console_history"
    assert "!ask Hva er en tweet?" in history.read_text(encoding="utf-8")


def test_review_in_the_console_shows_length_tone_and_verdict(coach: Coach) -> None:
    out = drive(coach, "!review Norges beste kaffe!!! Kom innom.\n")
    assert "Lengde på X: 32/280" in out
    assert "Troverdighet" in out and "Udokumentert påstand" in out
    assert "Dom:" in out


def test_review_without_a_draft_explains_how(coach: Coach) -> None:
    out = drive(coach, "!review\n!review --platform myspace Hei\n")
    assert "--platform" in out
    assert "myspace" in out and "bluesky" in out


def test_review_keeps_zero_width_joiners_of_emoji(coach: Coach) -> None:
    out = drive(coach, "!review 🫱🏻‍🫲🏿 Hva synes du?\n")
    assert "16/280" in out


@pytest.mark.slow
def test_a_closed_output_pipe_ends_quietly(tmp_path: Path) -> None:
    with procs.spawned(
        [PYTHON, "-m", "bot", "ask", "--batch"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=run_env(tmp_path),
    ) as proc:
        assert proc.stdout is not None and proc.stdin is not None
        proc.stdin.write(('{"question": "Hva er åpenhet?"}\n' * 2000).encode())
        proc.stdin.close()
        proc.stdout.readline()
        proc.stdout.close()  # the reader goes away, as `| head -1` does
        proc.wait(timeout=procs.HANG_GUARD)
        assert proc.stderr is not None
        assert b"Traceback" not in proc.stderr.read()


@pytest.mark.slow
def test_strategy_in_the_console_persists_between_runs(tmp_path: Path) -> None:
    env = run_env(tmp_path)
    first = procs.run(
        [PYTHON, "-m", "bot", "chat"],
        input=(
            "!strategy start Elegantè\n"
            "!strategy answer Elegantè er en bank for unge 18-30 år, passiv i dag.\n"
        ),
        cwd=ROOT,
        env=env,
    )
    assert first.returncode == 0, first.stderr
    second = procs.run(
        [PYTHON, "-m", "bot", "chat"],
        input="!strategy status\n!strategy class\n",
        cwd=ROOT,
        env=env,
    )
    assert "▰▱▱▱▱▱▱▱▱▱ 1/10" in second.stdout
    assert "1 medlemmer" in second.stdout  # the console user teaches the local class


@pytest.mark.slow
def test_a_short_new_question_in_the_console_is_answered_on_its_own_topic(tmp_path: Path) -> None:
    out = procs.run(
        [PYTHON, "-m", "bot", "chat"],
        input="!ask kan jeg sende direktemeldinger til kunder?\n!ask hva er åpenhet\n",
        cwd=ROOT,
        env=run_env(tmp_path),
    )
    assert out.returncode == 0, out.stderr
    answers = out.stdout.split("Dette sier kursmateriellet:")
    assert len(answers) == 3, out.stdout  # the banner, then one answer per question
    first, second = answers[1], answers[2]
    assert "2-twitter.md" in first
    assert "5-forventingsfaktorer.md" in second and "Åpenhet" in second
    assert "direktemelding" not in second.lower()  # not the DM answer again
