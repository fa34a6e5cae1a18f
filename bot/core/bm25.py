"""The BM25 table the search scores from: which passages hold each term, and each pair's score.

Built once per index through bm25s's public API only, so an upgrade of bm25s cannot change what
these arrays mean without a test noticing.
"""

from __future__ import annotations

import bm25s
import numpy as np
from numpy.typing import NDArray


def inverted_index(
    vocab: dict[str, int], term_sets: list[frozenset[str]]
) -> tuple[NDArray[np.int32], NDArray[np.int64]]:
    """Return the passages of every term id, in one array, and where each term's run starts."""
    lengths = [len(terms) for terms in term_sets]
    tids = np.fromiter(
        (vocab[t] for terms in term_sets for t in terms), dtype=np.int64, count=sum(lengths)
    )
    docs = np.repeat(np.arange(len(term_sets), dtype=np.int64), lengths)
    order = np.argsort(tids, kind="stable")  # passages stay in order within a term
    indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
    np.cumsum(np.bincount(tids, minlength=len(vocab)), out=indptr[1:])
    return docs[order].astype(np.int32), indptr


def column_scores(
    retriever: bm25s.BM25, indices: NDArray[np.int32], indptr: NDArray[np.int64], n_docs: int
) -> NDArray[np.float32]:
    """Return the BM25 score of each (term, passage) in `indices`, through bm25s's public API.

    `get_scores_from_ids` sums the scores of the terms it is given, so terms go in batches
    whose passages do not overlap: each passage's sum is then one term's score alone, exactly,
    and a batch costs one call (a term per call would cost terms x passages).
    """
    next_free = np.zeros(n_docs, dtype=np.int64)  # a passage is in no batch from here on
    batches: list[list[int]] = []
    for tid in np.argsort(-np.diff(indptr), kind="stable").tolist():
        docs = indices[indptr[tid] : indptr[tid + 1]]
        if docs.size == 0:
            continue
        batch = int(next_free[docs].max())
        if batch == len(batches):
            batches.append([])
        batches[batch].append(tid)
        next_free[docs] = batch + 1
    data = np.zeros(len(indices), dtype=np.float32)
    for batch_ids in batches:
        scores = retriever.get_scores_from_ids(batch_ids)
        for tid in batch_ids:
            lo, hi = indptr[tid], indptr[tid + 1]
            data[lo:hi] = scores[indices[lo:hi]]
    return data


__all__ = ["column_scores", "inverted_index"]
