"""Stage 4, score: cosine similarity of a resume with every listing, then the top k.

Only the postings of the resume's terms are read: each listing's score is the sum, over the
terms it shares with the resume, of resume weight times listing weight.
"""

from __future__ import annotations

import numpy as np

from .errors import MatcherError
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
    # float32 weights times float64 resume weights: one pass, in float64.
    weights = np.concatenate([index.weights[s:e] for s, e in spans]) * np.repeat(
        values, ends - starts
    )
    scores = np.bincount(rows, weights=weights, minlength=n)
    if len(scores) != n or (len(rows) and rows.min() < 0):
        raise MatcherError("index", "postings point outside the listings; the index is damaged")
    return scores


def batch_scores(index: Index, queries: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Return the cosine of each query with every listing: one sparse product for them all."""
    import scipy.sparse as sp

    n, v = len(index.listings), len(index.terms)
    listings = sp.csc_matrix((index.weights, index.rows, index.indptr), shape=(n, v))
    indptr = np.zeros(len(queries) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(columns) for columns, _ in queries])
    block = sp.csr_matrix(
        (
            np.concatenate([values for _, values in queries]) if queries else np.zeros(0),
            np.concatenate([columns for columns, _ in queries]) if queries else np.zeros(0, int),
            indptr,
        ),
        shape=(len(queries), v),
    )
    return np.asarray((block @ listings.T.astype(np.float64)).toarray())


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
