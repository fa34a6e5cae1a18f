"""Search across languages in the teacher's added documents: one sentence vector per passage.

The word search finds a Norwegian question in Norwegian slides through stems, folding and
compounds, but an English question about them shares no words with them, and the glossary knows
nothing of a teacher's new material. The multilingual encoder (`bot.core.embedding`) places a
question and a passage near each other when they mean the same in either language.

Vectors cost about 2 ms per token to make, so they are made once and kept by a VectorStore (a
SQLite file in the cache folder, `bot.store.vectors`, keyed by the text's hash): `fill` makes
the missing ones
(in the background after a start or a reload, within a time budget after `knowledge add`), and
`search` uses those that exist (it never embeds passages itself: it runs on the event loop).
Only added documents are embedded: the bundled course is answered by the tuned word search
alone, and a coach with nothing added embeds nothing.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Sequence

import numpy as np

from bot.core.ask.sentences import Quote, SentenceBank
from bot.core.embedding import DIM, ENCODER, Embedder
from bot.core.knowledge import KnowledgeBase, Passage
from bot.core.matches import Hit
from bot.core.ports import VectorStore

log = logging.getLogger(__name__)

# The cosine similarity an added document's passage must reach, and how far it must stand above
# the mean of all added passages (a question about nothing in them is about as near to all), to
# answer a question the words did not find (DENSE_MIN), or one the words answered from the
# bundled course (DENSE_STRONG); tuned on tests/data/knowledge_docs_tune.yaml
# (benchmarks/eval_knowledge.py).
# A passage at DENSE_SURE or nearer answers whatever the mean (a folder of a few documents on one
# subject has a high mean).
DENSE_MIN = (0.85, 0.06)
DENSE_STRONG = (0.88, 0.07)
DENSE_SURE = 0.885
# A passage the word search also ranks among its best for the question (shared names, numbers,
# words the glossary carries across) needs only DENSE_AGREE: two ways of finding it agree.
DENSE_AGREE = 0.82
_BATCH = 4  # a few passages per call, so a review's query never waits long for the lock
_VERSION = b"e5-small-q4:1:"


def _key(kind: str, text: str) -> str:
    return hashlib.sha1(_VERSION + kind.encode() + b":" + text.encode()).hexdigest()


class MemoryVectors:
    """Vectors kept in memory only (tests, and a coach with no cache folder)."""

    def __init__(self) -> None:
        self._vectors: dict[str, np.ndarray] = {}

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        return {k: self._vectors[k] for k in keys if k in self._vectors}

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        self._vectors.update(items)


class DenseIndex:
    """Vectors of the added documents' passages; `search` ranks them by cosine similarity."""

    def __init__(
        self, base: KnowledgeBase, cache: VectorStore | None = None, encoder: Embedder = ENCODER
    ) -> None:
        added = {post.slug for post in base.posts if post.meta.source is not None}
        self.passages = [p for p in base.passages if p.slug in added]
        self.cache: VectorStore = cache if cache is not None else MemoryVectors()
        self.encoder = encoder
        self._texts = [_passage_text(p) for p in self.passages]
        self._keys = [_key("passage", t) for t in self._texts]
        self._vectors = np.zeros((len(self.passages), DIM), dtype=np.float32)
        self._have = np.zeros(len(self.passages), dtype=bool)
        self._fill_lock = threading.Lock()
        self._stop = threading.Event()
        if self.passages:
            found = self.cache.get_many(self._keys)
            for i, key in enumerate(self._keys):
                if key in found:
                    self._vectors[i] = found[key]
                    self._have[i] = True

    @property
    def size(self) -> int:
        return len(self.passages)

    @property
    def missing(self) -> int:
        return int((~self._have).sum())

    def fill(self, deadline: float | None = None) -> int:
        """Embed the passages that have no vector yet (until `deadline`, a monotonic time).

        Return how many are still missing. One filler at a time; another caller returns at once.
        """
        if not self.missing or not self._fill_lock.acquire(blocking=False):
            return self.missing
        try:
            todo = [int(i) for i in np.flatnonzero(~self._have)]
            for start in range(0, len(todo), _BATCH):
                if self._stop.is_set() or (deadline is not None and time.monotonic() >= deadline):
                    break
                rows = todo[start : start + _BATCH]
                vectors = self.encoder.passage([self._texts[i] for i in rows])
                if vectors is None:
                    break  # no encoder here: the word search alone answers
                self.cache.put_many({self._keys[i]: v for i, v in zip(rows, vectors, strict=True)})
                for i, vector in zip(rows, vectors, strict=True):
                    self._vectors[i] = vector
                    self._have[i] = True
        finally:
            self._fill_lock.release()
        return self.missing

    def cancel(self) -> None:
        """Stop a running `fill` after its current batch (when the coach closes or reloads)."""
        self._stop.set()

    def search(self, question: str, k: int = 5) -> list[tuple[Passage, float]]:
        """Return the k passages nearest to a question, with their cosine similarity."""
        return self.nearest(question, k)[0]

    def nearest(self, question: str, k: int = 5) -> tuple[list[tuple[Passage, float]], float]:
        """Return the k nearest passages with their similarity, and the mean over all."""
        if not self.passages:
            return [], 0.0
        have = np.flatnonzero(self._have)
        if have.size == 0:
            return [], 0.0
        query = self.encoder.query([question])
        if query is None:
            return [], 0.0
        scores = self._vectors[have] @ query[0]
        order = np.argsort(-scores)[:k]
        found = [(self.passages[int(have[i])], float(scores[i])) for i in order]
        return found, float(scores.mean())

    def similarities(self, question: str, sentences: list[str]) -> list[float]:
        """Return how near each sentence is to a question (to pick which to quote)."""
        query = self.encoder.query([question])
        keys = [_key("passage", s) for s in sentences]
        found = self.cache.get_many(keys)
        todo = [s for s, k in zip(sentences, keys, strict=True) if k not in found]
        if todo:
            made = self.encoder.passage(todo)
            if made is not None:
                new = {_key("passage", s): v for s, v in zip(todo, made, strict=True)}
                self.cache.put_many(new)
                found.update(new)
        if query is None:
            return [0.0] * len(sentences)
        return [float(found[k] @ query[0]) if k in found else 0.0 for k in keys]


def nearest_quotes(
    dense: DenseIndex,
    bank: SentenceBank,
    text: str,
    limit: int,
    strong: bool,
    agree: frozenset[int] = frozenset(),
) -> tuple[list[Quote], Hit] | None:
    """Return the sentences of the added passage nearest a question, if it is near enough.

    `strong`: the words answered from the bundled course, so the passage must be nearer. The
    quoted sentences are the passage's nearest to the question, in the passage's order.
    """
    if not dense.size or dense.missing == dense.size:
        return None
    found, mean = dense.nearest(text, k=1)
    least, margin = DENSE_STRONG if strong else DENSE_MIN
    agreed = bool(found) and not strong and found[0][0].id in agree
    if not found or found[0][1] < (DENSE_AGREE if agreed else least):
        return None
    near_enough = agreed or found[0][1] - mean >= margin
    if not near_enough and (strong or found[0][1] < DENSE_SURE):
        return None
    passage, similarity = found[0]
    sentences = [s for s, _, _ in bank.of(passage)]
    if not sentences:
        return None
    if len(sentences) > limit:
        near = dense.similarities(text, sentences)
        best = sorted(range(len(sentences)), key=lambda i: near[i], reverse=True)[:limit]
        sentences = [sentences[i] for i in sorted(best)]
    return [Quote(passage, s, similarity) for s in sentences], Hit(passage, similarity)


def _passage_text(passage: Passage) -> str:
    heading = f"{passage.heading}. " if passage.heading else ""
    return f"{heading}{passage.text}"


__all__ = ["DENSE_MIN", "DENSE_STRONG", "DenseIndex", "MemoryVectors", "nearest_quotes"]
