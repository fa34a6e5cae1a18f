"""`bot.core.strategy`'s shape: the names importers use and nothing else; one handler per action."""

from __future__ import annotations

import ast

import bot.core.strategy as strategy
from bot.core.knowledge.bundle import Knowledge
from bot.core.strategy import StrategyCoach
from bot.core.strategy.session import SUBCOMMANDS
from tests.conftest import ROOT

# Declared public before anyone imported them: the words that confirm a reset, feedback's result.
DECLARED = {"CONFIRM_WORDS", "Feedback"}
# What the rest of the code and the tests import from the package, and the declared names.
PUBLIC = DECLARED | {
    "STEP_KEYS",
    "Advice",
    "Member",
    "Step",
    "Steps",
    "StrategyCoach",
    "StrategyResult",
    "feedback",
    "load_steps",
}


def imported_names() -> dict[str, set[str]]:
    """Return the names each file under bot/, tests/ and benchmarks/ takes from the package."""
    found: dict[str, set[str]] = {}
    for folder in ("bot", "tests", "benchmarks"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module == "bot.core.strategy":
                    names = {alias.name for alias in node.names}
                    found.setdefault(str(path.relative_to(ROOT)), set()).update(names)
    return found


def test_the_package_exports_exactly_its_public_names() -> None:
    assert set(strategy.__all__) == PUBLIC
    assert len(strategy.__all__) == len(PUBLIC)
    for name in strategy.__all__:
        assert getattr(strategy, name) is not None


def test_every_name_importers_take_from_the_package_is_exported() -> None:
    found = imported_names()
    assert found, "nothing imports bot.core.strategy: the scan looks in the wrong place"
    for where, names in found.items():
        assert names <= PUBLIC, f"{where} imports {sorted(names - PUBLIC)} from bot.core.strategy"


def test_every_exported_name_is_imported_somewhere_or_declared() -> None:
    used = set().union(*imported_names().values())
    assert used | DECLARED == PUBLIC


def test_every_subcommand_runs_a_handler_from_the_coach_table(knowledge: Knowledge) -> None:
    coach = StrategyCoach(knowledge.steps, None, knowledge.strings, knowledge.base)
    assert set(coach.handlers) == set(SUBCOMMANDS.values())
    assert all(callable(handler) for handler in coach.handlers.values())
