"""Measure `!strategy` on persona walks: each answer's state, and feedback repeated across steps.

    .venv/bin/python benchmarks/eval_strategy.py [tests/data/strategy_personas_frozen.yaml] [--misses]

Each persona starts a strategy in a fresh SQLite file, goes to the step of each answer and gives
it, offline (no model). Printed: per expected state, how many answers got it; and the reply
sentences that appear on two or more steps of one persona's strategy (the step's own question
excepted; before 2026-12-02 only the feedback part of the reply was counted). Measurement
only: the frozen set is never tuned on (see the README).
"""

from __future__ import annotations

import asyncio
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.knowledge.bundle import load_all  # noqa: E402
from bot.core.router import Coach, Context  # noqa: E402
from bot.core.strategy.feedback import STATES  # noqa: E402
from bot.store import open_store  # noqa: E402


async def main(argv: list[str]) -> int:
    """Print the figures for one persona set; with --misses, the answers that missed."""
    default = "tests/data/strategy_personas_frozen.yaml"
    path = Path(next((a for a in argv if not a.startswith("--")), default))
    personas = yaml.safe_load(path.read_text(encoding="utf-8"))
    knowledge = load_all(ROOT / "knowledge")
    keys = [s.key for s in knowledge.steps.steps]
    total: Counter[str] = Counter()
    right: Counter[str] = Counter()
    misses: list[str] = []
    repeats = 0
    with tempfile.TemporaryDirectory() as folder:
        for n, persona in enumerate(personas, start=1):
            store = await open_store(Path(folder) / f"p{n}.db")
            coach = Coach(knowledge, store=store)
            ctx = Context(user_id=n)
            await coach.run_strategy(f"start {persona['company']}", ctx)
            seen: dict[str, set[str]] = {}
            for answer in persona["answers"]:
                step = keys.index(answer["step"]) + 1
                await coach.run_strategy(f"goto {step}", ctx)
                result = await coach.run_strategy(f"answer {answer['text']}", ctx)
                got = result.assessment.state if result.assessment else "none"
                total[answer["state"]] += 1
                right[answer["state"]] += got == answer["state"]
                if got != answer["state"]:
                    misses.append(
                        f"  [{persona['name']}/{answer['step']}] want {answer['state']}, "
                        f"got {got}: {answer['text'][:70]}"
                    )
                question = knowledge.steps.steps[step - 1].question(persona["lang"])
                # Every sentence of the reply (the saved line, the feedback, the way on).
                for sentence in _sentences("\n".join(result.reply.parts)):
                    if sentence not in question and not sentence.startswith("«"):
                        seen.setdefault(sentence, set()).add(answer["step"])
            repeated = [s for s, steps in seen.items() if len(steps) > 1]
            repeats += len(repeated)
            misses += [
                f"  [{persona['name']}] repeated on {len(seen[s])} steps: {s[:80]}"
                for s in repeated
            ]
            await store.close()
    print(
        f"!strategy offline on {path.name} ({len(personas)} personas, {sum(total.values())} answers)"
    )
    for state in STATES:
        if total[state]:
            print(
                f"  {state:11} {right[state]:3}/{total[state]:<3} {right[state] / total[state]:6.1%}"
            )
    print(f"  all         {sum(right.values())}/{sum(total.values())}")
    print(f"  feedback sentences repeated across steps of one strategy: {repeats}")
    if "--misses" in argv:
        print("\n".join(misses))
    return 0


def _sentences(text: str) -> list[str]:
    """The sentences of a reply, one per line or sentence end, without list marks."""
    out = []
    for line in text.splitlines():
        for part in re.split(r"(?<=[.!?])\s+", line.strip(" •-")):
            if len(part.split()) >= 4:
                out.append(part)
    return out


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
