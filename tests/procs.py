"""Child processes for tests: each in its own process group, bounded by a hang guard, and killed
(the whole group) when the test ends, however it ends: pass, failure, timeout or Ctrl-C.

The timeout is a hang guard, not a speed claim: it is generous because a loaded 2-core machine
can take many seconds to start Python and load the knowledge base.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

HANG_GUARD = 300.0  # seconds

# Every group a test started and has not yet seen end: conftest kills what is left at session end.
_LIVE: set[int] = set()


def _child_setup() -> None:
    """Give the child the default SIGINT, as an interactive shell would.

    Started in the background from a non-interactive shell, the suite inherits SIGINT as
    ignored, and so would every child (an ignored signal survives exec): a child could then not
    be stopped with Ctrl-C, nor have a Ctrl-C test.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def reset_sigint_in_child() -> None:
    """Call in a forked child (pty.fork) before exec: see _child_setup."""
    _child_setup()


def kill_group(pgid: int) -> None:
    """Kill every process in the group `pgid`; a group that is gone already is fine."""
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)
    _LIVE.discard(pgid)


def kill_all() -> None:
    """Kill every group a test started and left behind (a safety net for an interrupted run)."""
    for pgid in list(_LIVE):
        kill_group(pgid)


def track(pgid: int) -> None:
    """Register a group started by other means (pty.fork) for kill_all."""
    _LIVE.add(pgid)


@contextmanager
def spawned(args: Sequence[str], **kwargs: Any) -> Iterator[subprocess.Popen[Any]]:
    """Start `args` in a new session and kill its whole group when the block ends.

    stdin is /dev/null unless given: a child in another session must never read the terminal.
    """
    kwargs.setdefault("stdin", subprocess.DEVNULL)
    proc = subprocess.Popen(args, start_new_session=True, preexec_fn=_child_setup, **kwargs)
    _LIVE.add(proc.pid)
    try:
        yield proc
    finally:
        kill_group(proc.pid)
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None:
                # OSError: a pipe whose reader went away (BrokenPipeError on flush)
                with suppress(OSError):
                    stream.close()
        proc.wait()  # SIGKILL cannot be ignored: this returns at once


def run(
    args: Sequence[str],
    *,
    input: str | bytes | None = None,
    timeout: float = HANG_GUARD,
    text: bool = True,
    **kwargs: Any,
) -> subprocess.CompletedProcess[Any]:
    """Run `args` to the end and capture its output, like subprocess.run(capture_output=True).

    On timeout the group is killed and subprocess.TimeoutExpired is raised with what the child
    wrote so far.
    """
    if input is not None:
        kwargs["stdin"] = subprocess.PIPE
    with spawned(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=text, **kwargs) as proc:
        try:
            out, err = proc.communicate(input, timeout=timeout)
        except subprocess.TimeoutExpired:
            out, err = _stacks_then_kill(proc)
            raise Hung(args, timeout, out, err) from None
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


class Hung(subprocess.TimeoutExpired):
    """A child past the hang guard; the message carries the end of what it wrote to stderr."""

    def __str__(self) -> str:
        tail = self.stderr or b""
        if isinstance(tail, bytes):
            tail = tail.decode(errors="replace")
        return f"{super().__str__()}; the end of its stderr:\n{tail[-4000:]}"


def _stacks_then_kill(proc: subprocess.Popen[Any]) -> tuple[Any, Any]:
    """Ask a hung Python child for its threads' stacks (SIGABRT, which faulthandler prints when
    PYTHONFAULTHANDLER is set), give it a moment to write them, then kill its group."""
    with suppress(ProcessLookupError):
        os.kill(proc.pid, signal.SIGABRT)
    try:
        return proc.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        kill_group(proc.pid)
        return proc.communicate()
