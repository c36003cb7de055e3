"""Stage 4, score: cosine similarity of a resume with every listing, then the top k.

Only the postings of the resume's terms are read: each listing's score is the sum, over the
terms it shares with the resume, of resume weight times listing weight.
"""

from __future__ import annotations

import numpy as np

from .errors import IndexFormatError
from .index import Index

# A cosine of unit vectors is at most 1; float32 weights may pass it by rounding only.
_MOST = 1.0 + 1e-5


def cosine_scores(index: Index, columns: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Return each listing's cosine with the query vector ``(columns, values)``."""
    n = len(index.listings)
    if len(columns) == 0:
        return np.zeros(n)
    starts = index.indptr[columns]
    ends = index.indptr[columns + 1]
    spans = list(zip(starts.tolist(), ends.tolist(), strict=True))
    rows = np.concatenate([index.rows[s:e] for s, e in spans])
    if len(rows) and (rows.min() < 0 or rows.max() >= n):
        raise _damaged("postings point outside the listings")
    # float32 weights times float64 resume weights: one pass, in float64.
    weights = np.concatenate([index.weights[s:e] for s, e in spans]) * np.repeat(
        values, ends - starts
    )
    return _checked(np.bincount(rows, weights=weights, minlength=n))


def _damaged(problem: str) -> IndexFormatError:
    return IndexFormatError("index", f"{problem}; the index is damaged (matcher index verify)")


def _checked(scores: np.ndarray) -> np.ndarray:
    """Return ``scores``, having made sure each is a cosine: finite, in [0, 1].

    A saved index loaded without its full check (``verify=False``) is caught here at worst.
    """
    if scores.size and not (
        np.isfinite(scores).all() and -1e-9 <= scores.min() and scores.max() <= _MOST
    ):
        raise _damaged("a score is not a cosine in [0, 1]")
    return scores


def batch_scores(index: Index, queries: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Return the cosine of each query with every listing: one sparse product for them all."""
    import scipy.sparse as sp

    n, v = len(index.listings), len(index.terms)
    if index.nnz and (index.rows.min() < 0 or index.rows.max() >= n):
        raise _damaged("postings point outside the listings")  # scipy would not look
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
    return _checked(np.asarray((block @ listings.T.astype(np.float64)).toarray()))


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
