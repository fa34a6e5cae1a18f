"""Measure `!ask` offline on an evaluation set, as a student's answers would be judged.

    .venv/bin/python benchmarks/eval_ask.py [tests/data/ask_frozen.yaml] [--misses]

Figures per kind: the right post first (answerable kinds), the key terms in the answer, the
own-business questions answered from the right post, traps (cut off, named but absent) declined
or marked `cut_off`, outside topics declined. Measurement only: `ask_frozen.yaml` is never tuned
on (see the README for which sets were).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.knowledge.bundle import load_all  # noqa: E402
from bot.core.router import Coach  # noqa: E402

ANSWERABLE = ("nb", "en", "typo", "own_business", "two_part")
TRAPS = ("cut_off", "named_absent")


def judge(
    case: dict[str, object], result: dict[str, object], slug_of: dict[str, str]
) -> tuple[bool, bool]:
    """Judge one answer: (right post first, or declined as it should; and with the key terms)."""
    kind = case["kind"]
    sources = result["sources"]
    assert isinstance(sources, list)
    first = slug_of.get(sources[0]["path"]) if sources else None
    if kind in ANSWERABLE:
        ok = bool(result["answered"]) and first == case["post"]
        text = str(result["answer"]).lower()
        terms = case["terms"]
        assert isinstance(terms, list)
        return ok, ok and all(str(t).lower() in text for t in terms)
    return not result["answered"] or bool(result.get("cut_off")), False


def main(argv: list[str]) -> int:
    """Print the figures for one set; with --misses, the questions that missed."""
    path = Path(next((a for a in argv if not a.startswith("--")), "tests/data/ask_frozen.yaml"))
    cases = yaml.safe_load(path.read_text(encoding="utf-8"))
    knowledge = load_all(ROOT / "knowledge")
    coach = Coach(knowledge)
    slug_of = {p.path: p.slug for p in knowledge.base.posts}
    total: Counter[str] = Counter()
    right: Counter[str] = Counter()
    terms_ok: Counter[str] = Counter()
    misses: list[str] = []
    parts_total = parts_right = 0
    for case in cases:
        kind = case["kind"]
        result = coach.asking.answer_offline(case["q"]).to_json()
        ok, with_terms = judge(case, result, slug_of)
        total[kind] += 1
        terms_ok[kind] += with_terms
        right[kind] += ok
        if not ok:
            misses.append(f"  [{kind}] {case['q']}")
        for i, part in enumerate(case.get("parts") or []):
            parts_total += 1
            good = _part_ok(result, i, len(case["parts"]), part)
            parts_right += good
            if not good:
                misses.append(f"  [part {i + 1}] {case['q']}")
    print(f"!ask offline on {path.name} ({len(cases)} questions)")
    for kind in (*ANSWERABLE, *TRAPS, "decline"):
        if not total[kind]:
            continue
        label = "right post first" if kind in ANSWERABLE else "declined or cut_off"
        line = (
            f"  {kind:13} {right[kind]:3}/{total[kind]:<3} {right[kind] / total[kind]:6.1%} {label}"
        )
        if kind in ANSWERABLE:
            line += f"; key terms {terms_ok[kind]}/{total[kind]}"
        print(line)
    answerable = sum(total[k] for k in ANSWERABLE)
    print(
        f"  answerable    {sum(right[k] for k in ANSWERABLE)}/{answerable} right post first, "
        f"{sum(terms_ok[k] for k in ANSWERABLE)}/{answerable} with the key terms"
    )
    if parts_total:
        print(
            f"  parts        {parts_right}/{parts_total} of two-part questions' parts answered "
            "with the key terms, or declined where the course does not answer them"
        )
    if "--misses" in argv:
        print("\n".join(misses))
    return 0


def _part_ok(result: dict[str, object], i: int, count: int, part: dict[str, object]) -> bool:
    """Say whether one part of a two-part question was answered (with its terms) or declined."""
    parts = result.get("parts") or []
    assert isinstance(parts, list)
    answered = bool(parts[i]["answered"]) if len(parts) == count else bool(result["answered"])
    if not part["answerable"]:
        return not answered
    text = str(result["answer"]).lower()
    terms = part.get("terms") or []
    assert isinstance(terms, list)
    return answered and all(str(t).lower() in text for t in terms)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
