"""`!strategy`: a step-by-step coach for a company's social-media strategy.

Steps are data (`knowledge/strategy_steps.yaml`, validated at start-up: every course quote must
stand word for word in the post it names) and so are the feedback rules
(`knowledge/strategy_checks.yaml`). Feedback asks questions and gives hints; it never writes the
member's answer. Everything a member writes is kept, every revision, through the StrategyStore
port; the core never touches SQLite itself.

    steps.py     the steps' schema and load_steps      feedback.py  the rules and feedback()
    session.py   StrategyCoach: the subcommands        views.py     how the replies read
    texts.py     the bilingual text both data files use
"""

from bot.core.strategy.feedback import Feedback, feedback
from bot.core.strategy.session import (
    CONFIRM_WORDS,
    Advice,
    Member,
    StrategyCoach,
    StrategyResult,
)
from bot.core.strategy.steps import STEP_KEYS, Step, Steps, load_steps

__all__ = [
    "CONFIRM_WORDS",
    "STEP_KEYS",
    "Advice",
    "Feedback",
    "Member",
    "Step",
    "Steps",
    "StrategyCoach",
    "StrategyResult",
    "feedback",
    "load_steps",
]
