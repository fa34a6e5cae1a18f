#!/usr/bin/env python3
"""Set up and run SoMe-coach with nothing but python3 (3.11+).

    python3 dev.py start [ARGS...]   install what is needed, then start the coach (python -m bot)
    python3 dev.py test [PYTEST ARGS...]  install what is needed, then run the test suite

Both create `.venv/` beside this file on first use and reinstall only when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
EXTRAS = {"start": "", "test": "[dev]"}


def _stamp(extra: str) -> Path:
    return VENV / f".installed{extra.strip('[]') or '-runtime'}"


def ensure_installed(extra: str) -> None:
    """Create the virtual environment and install the project (with `extra`) if out of date."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs on whatever python3 is
        sys.exit(f"SoMe-coach needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    stamp = _stamp(extra)
    # An install with the test tools also satisfies a plain start.
    current = [stamp] if extra else [stamp, _stamp(EXTRAS["test"])]
    if PYTHON.exists() and any(s.exists() and s.read_text() == digest for s in current):
        return
    if not PYTHON.exists():
        print("Creating .venv ...", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print(f"Installing some-coach{extra} into .venv ...", file=sys.stderr)
    pip = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "-e", f"{ROOT}{extra}"], check=True, cwd=ROOT)
    stamp.write_text(digest)


def main(argv: list[str]) -> int:
    """Run `start` or `test` with the remaining arguments."""
    if not argv or argv[0] not in EXTRAS:
        print(__doc__, file=sys.stderr)
        return 2
    action, rest = argv[0], argv[1:]
    ensure_installed(EXTRAS[action])
    if action == "start":
        command = [str(PYTHON), "-m", "bot", *rest]
    else:
        command = [str(PYTHON), "-m", "pytest", *rest]
    os.chdir(ROOT)
    if os.name == "nt":
        return subprocess.call(command)
    os.execv(command[0], command)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
