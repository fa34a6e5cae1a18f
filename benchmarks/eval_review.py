"""Measure `!review` offline (rules and tone models) on a labelled set: recall, false alarms.

    .venv/bin/python benchmarks/eval_review.py [tests/data/review_frozen.yaml]

Also says whether each length is exact by re-counting the over-limit flag against the label.
Measurement only: `review_frozen.yaml` is never tuned on.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.knowledge.bundle import load_all  # noqa: E402
from bot.core.review import FLAGS  # noqa: E402
from bot.core.router import Coach  # noqa: E402


def main(argv: list[str]) -> int:
    """Print recall per flag and the good drafts that got a flag."""
    path = Path(argv[0] if argv else "tests/data/review_frozen.yaml")
    cases = yaml.safe_load(path.read_text(encoding="utf-8"))
    coach = Coach(load_all(ROOT / "knowledge"))
    deserved: Counter[str] = Counter()
    found: Counter[str] = Counter()
    false_alarms: Counter[str] = Counter()
    good = good_flagged = good_flagged_aside = 0
    for case in cases:
        result = coach.reviewing.by_rules(case["text"], case.get("platform"), case.get("lang"))
        expected, got = set(case["flags"]), set(result.flags)
        for flag in expected:
            deserved[flag] += 1
            found[flag] += flag in got
        for flag in got - expected:
            false_alarms[flag] += 1
        good += not expected
        good_flagged += not expected and bool(got)
        good_flagged_aside += not expected and bool(got - {"no_dialogue"})
    print(f"!review offline (rules and tone models) on {path.name} ({len(cases)} drafts)")
    for flag in FLAGS:
        if deserved[flag] or false_alarms[flag]:
            rate = found[flag] / deserved[flag] if deserved[flag] else 0.0
            print(
                f"  {flag:24} {found[flag]:3}/{deserved[flag]:<3} {rate:6.1%}"
                f"   false alarms {false_alarms[flag]}"
            )
    print(f"  good drafts with a flag: {good_flagged}/{good}")
    # Whether an imperative such as «kom innom» invites dialogue is where labellers differ most.
    print(f"  good drafts with a flag other than no_dialogue: {good_flagged_aside}/{good}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
