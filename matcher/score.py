"""Stage 4, score: cosine similarity of a resume with every listing, then the top k.

Only the postings of the resume's terms are read: each listing's score is the sum, over the
terms it shares with the resume, of resume weight times listing weight.
"""

from __future__ import annotations

import numpy as np

from .index import Index


def cosine_scores(index: Index, columns: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Return each listing's cosine with the query vector ``(columns, values)``."""
    n = len(index.listings)
    if len(columns) == 0:
        return np.zeros(n)
    starts = index.indptr[columns]
    ends = index.indptr[columns + 1]
    spans = list(zip(starts.tolist(), ends.tolist(), strict=True))
    rows = np.concatenate([index.rows[s:e] for s, e in spans])
    weights = np.concatenate([index.weights[s:e] for s, e in spans]).astype(np.float64)
    weights *= np.repeat(values, ends - starts)
    return np.bincount(rows, weights=weights, minlength=n)


def top_k(scores: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[int]:
    """Return the rows of the ``k`` highest positive scores, best first, ties by row order."""
    candidates = np.flatnonzero(scores > 0)
    if allowed is not None:
        candidates = candidates[allowed[candidates]]
    if k < len(candidates):
        # Keep every candidate tied with the k-th score, so the tie-break below sees them all.
        kth = np.partition(scores[candidates], len(candidates) - k)[len(candidates) - k]
        candidates = candidates[scores[candidates] >= kth]
    order = np.lexsort((candidates, -scores[candidates]))
    return [int(row) for row in candidates[order][:k]]
