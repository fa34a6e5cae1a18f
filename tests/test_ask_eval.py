"""The evaluation set for `!ask`: top-1 source accuracy and correct refusals, per kind.

`tests/data/ask_eval.yaml` and `ask_holdout.yaml` hold questions of four kinds: Norwegian
paraphrases (nb), English (en), misspelled or without æøå (typo), and questions the course does
not answer (decline). The holdout set was written apart from the first and is not used to tune
the word lists; both must meet the targets.
The test prints a table and checks the targets of the issue: the first source is the right post
for at least 90% of Norwegian, 80% of English and 75% of misspelled questions; at least 7 of 8
unanswerable questions are declined; the answer holds the expected key terms for 80% of answers.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.core.knowledge.bundle import Knowledge
from bot.core.router import Coach

DATA = Path(__file__).parent / "data"
SETS = ["ask_eval.yaml", "ask_holdout.yaml", "ask_blind.yaml"]
TARGETS = {"nb": 0.90, "en": 0.80, "typo": 0.75, "decline": 7 / 8}
TERMS_TARGET = 0.80


@pytest.mark.parametrize("name", SETS)
def test_the_evaluation_set_meets_the_targets(
    coach: Coach, knowledge: Knowledge, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    cases = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    assert len(cases) >= 60
    total: Counter[str] = Counter()
    right: Counter[str] = Counter()
    answered = 0
    with_terms = 0
    misses: list[str] = []
    slug_of = {p.path: p.slug for p in knowledge.base.posts}
    for case in cases:
        kind = case["kind"]
        result = coach.asking.answer_offline(case["q"])
        total[kind] += 1
        if case["post"] is None:
            ok = not result.answered
        else:
            ok = result.answered and slug_of[result.sources[0].path] == case["post"]
            if result.answered:
                answered += 1
                text = result.answer.lower()
                with_terms += all(str(term).lower() in text for term in case["terms"])
        right[kind] += ok
        if not ok:
            misses.append(f"  [{kind}] {case['q']}")
    rates = {kind: right[kind] / total[kind] for kind in total}
    terms_rate = with_terms / answered if answered else 0.0
    with capsys.disabled():
        print(f"\n!ask evaluation set {name} (offline engine)")
        for kind in ("nb", "en", "typo", "decline"):
            label = "declined" if kind == "decline" else "top-1 right post"
            print(
                f"  {kind:8} {right[kind]:3}/{total[kind]:<3} {rates[kind]:6.1%} {label}"
                f"  (target {TARGETS[kind]:.0%})"
            )
        print(f"  key terms in the answer: {with_terms}/{answered} {terms_rate:.1%}")
        if misses:
            print("  misses:\n" + "\n".join(misses))
    for kind, target in TARGETS.items():
        assert rates[kind] >= target, (kind, rates[kind])
    assert terms_rate >= TERMS_TARGET


@pytest.mark.parametrize("name", SETS)
def test_the_evaluation_set_is_well_formed(name: str) -> None:
    cases = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    counts = Counter(case["kind"] for case in cases)
    assert counts["nb"] >= 20 and counts["en"] >= 15 and counts["typo"] >= 15
    assert counts["decline"] >= 12
    for case in cases:
        assert set(case) == {"q", "kind", "post", "terms"}
        assert (case["post"] is None) == (case["kind"] == "decline")
