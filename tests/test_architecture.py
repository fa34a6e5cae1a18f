"""The layering rules of DESIGN.md, checked on the code itself."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

from tests import procs

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "bot" / "core"
# sqlite3 stands for the store: the core reaches the database only through its ports.
FORBIDDEN_IN_CORE = {"discord", "httpx", "sqlite3", "aiosqlite"}
ADAPTER_MODULES = {
    "bot.llm",
    "bot.store",
    "bot.console",
    "bot.discord_app",
    "bot.slack_app",
    "bot.__main__",
    "bot.app",
    "bot.cli",
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(CORE.rglob("*.py")), ids=lambda p: p.name)
def test_core_module_imports_no_outside_system_or_adapter(path: Path) -> None:
    for name in imported_modules(path):
        top = name.split(".")[0]
        assert top not in FORBIDDEN_IN_CORE, f"{path.name} imports {name}"
        assert not any(name == m or name.startswith(m + ".") for m in ADAPTER_MODULES), (
            f"{path.name} imports the adapter {name}"
        )


def test_importing_the_whole_core_loads_no_outside_system() -> None:
    code = (
        "import sys, pkgutil, importlib, bot.core as c\n"
        "for m in pkgutil.walk_packages(c.__path__, 'bot.core.'): importlib.import_module(m.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in "
        f"{sorted(FORBIDDEN_IN_CORE)!r})\n"
        "print(','.join(bad))\n"
    )
    out = procs.run([sys.executable, "-c", code], cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


@pytest.mark.slow
def test_the_console_runs_without_importing_discord(tmp_path: Path) -> None:
    code = (
        "import io, sys\n"
        "sys.stdin = io.StringIO('!ask Hva er åpenhet?\\n')\n"
        "from bot.__main__ import main\n"
        "rc = main(['chat'])\n"
        "print('DISCORD' if any(n.split('.')[0] == 'discord' for n in sys.modules) else 'CLEAN')\n"
    )
    env = {"COACH_DB_PATH": str(tmp_path / "c.db"), "PATH": "/usr/bin:/bin"}
    out = procs.run([sys.executable, "-c", code], cwd=ROOT, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("CLEAN")
    assert "Forventingsfaktorer" in out.stdout


MAX_MODULE_LINES = 420  # "about 400": a module past it does more than one job
MAX_FUNCTION_LINES = 65  # "about 60"


@pytest.mark.parametrize(
    "path", sorted((ROOT / "bot").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT))
)
def test_no_module_or_function_grows_past_its_size(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert source.count("\n") <= MAX_MODULE_LINES, f"{path.name} has {source.count(chr(10))} lines"
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            assert length <= MAX_FUNCTION_LINES, f"{path.name}: {node.name} has {length} lines"


def test_no_module_reaches_into_a_library_objects_private_attributes() -> None:
    # aiosqlite's connection internals and bm25s's score matrix, which the code once read.
    private = re.compile(r"\._conn\b|\._execute\b|\.scores\[")
    for path in sorted((ROOT / "bot").rglob("*.py")):
        found = private.search(path.read_text(encoding="utf-8"))
        assert found is None, f"{path.relative_to(ROOT)} uses {found.group(0) if found else ''}"
