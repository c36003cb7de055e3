"""Stage 4, score: cosine similarity of a resume with every listing, then the top k.

Only the postings of the resume's terms are read: each listing's score is the sum, over the
terms it shares with the resume, of resume weight times listing weight.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..errors import IndexFormatError
from ..index.model import AnyIndex, Index, Segments

# A cosine of unit vectors is at most 1; float32 weights may pass it by rounding only.
_MOST = 1.0 + 1e-5


def cosine_scores(index: AnyIndex, columns: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Return each listing's cosine with the query vector ``(columns, values)``.

    Shape (listings,), float64. Each listing's score is summed over the query's columns in
    the order given, whichever kernel runs, so the two give the same floats bit for bit: the
    compiled one (``_compiled``: numba, asked for with ``MATCHER_KERNEL=numba``, from
    ``COMPILED_MIN_NNZ`` postings up) or numpy's. Raises ``IndexFormatError`` when a posting
    points outside the listings. An index of segments is scored segment by segment.
    """
    if isinstance(index, Segments):
        return np.concatenate([cosine_scores(s, columns, values) for s in index.segments])
    n = len(index.listings)
    if len(columns) == 0:
        return np.zeros(n)
    kernel = _compiled(index)
    if kernel is not None:
        scores, inside = kernel(index.indptr, index.rows, index.weights, columns, values, n)
        if not inside:
            raise _damaged("postings point outside the listings")
        return _checked(scores)
    starts = index.indptr[columns]
    ends = index.indptr[columns + 1]
    spans = list(zip(starts.tolist(), ends.tolist(), strict=True))
    # Gathered straight into the types bincount works in (it would copy int32 rows to intp),
    # then float32 weights times float64 resume weights, in place: the same floats as before.
    rows = np.concatenate([index.rows[s:e] for s, e in spans], dtype=np.intp)
    weights = np.concatenate([index.weights[s:e] for s, e in spans], dtype=np.float64)
    weights *= np.repeat(values, ends - starts)
    try:  # bincount refuses a negative row, and grows past n for a row beyond the listings
        scores = np.bincount(rows, weights=weights, minlength=n)
    except ValueError:
        raise _damaged("postings point outside the listings") from None
    if len(scores) != n:
        raise _damaged("postings point outside the listings")
    return _checked(scores)


# The compiled kernel is asked for with MATCHER_KERNEL=numba (numba installed: the "fast"
# extra), and used from this many postings up. It is not the default: numba's import (~0.6-0.9
# s) and its first call (~1.4 s, compiling) cost more than a one-off query saves (at 100k
# listings ~5 ms a query, at 1M ~80 ms): it pays in a long session, not in `matcher match`.
COMPILED_MIN_NNZ = 5_000_000
_KERNEL: list[Any] = []  # the compiled kernel once made, or None where numba is missing


def _compiled(index: Index) -> Any:
    """Return the compiled accumulation kernel when asked for and worth it, else None."""
    if index.nnz < COMPILED_MIN_NNZ or os.environ.get("MATCHER_KERNEL") != "numba":
        return None
    if not _KERNEL:
        kernel: Any = None
        try:
            from .numba_kernel import accumulate as kernel
        except ImportError:  # numba is an optional extra
            pass
        _KERNEL.append(kernel)
    return _KERNEL[0]


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


def batch_scores(index: AnyIndex, queries: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Return the cosine of each query with every listing: one sparse product for them all.

    Shape (queries, listings), float64; an index of segments is scored segment by segment.
    """
    import scipy.sparse as sp

    if isinstance(index, Segments):
        return np.hstack([batch_scores(s, queries) for s in index.segments])
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


# top_k first finds a floor for the k-th score in every SAMPLE_STEP-th score: the k-th best of
# any k scores is at most the k-th best of all, so only rows at or above it can be in the top k,
# and at 1M listings a few thousand of them are sorted rather than every positive score.
SAMPLE_STEP = 64


def top_k(scores: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[int]:
    """Return the rows of the ``k`` highest positive scores, best first, ties by row order.

    ``allowed`` (bool, one per row), when given, leaves out the rows where it is False.
    """
    candidates = _above_floor(scores, k, allowed)
    if candidates is None:
        candidates = np.flatnonzero(scores > 0)
        if allowed is not None:
            candidates = candidates[allowed[candidates]]
    if k < len(candidates):
        # Keep every candidate tied with the k-th score, so the tie-break below sees them all.
        kth = np.partition(scores[candidates], len(candidates) - k)[len(candidates) - k]
        candidates = candidates[scores[candidates] >= kth]
    order = np.lexsort((candidates, -scores[candidates]))
    return [int(row) for row in candidates[order][:k]]


def _above_floor(scores: np.ndarray, k: int, allowed: np.ndarray | None) -> np.ndarray | None:
    """Return the allowed rows scoring at least a floor of the k-th best positive score, in
    order: a superset of the top k. None where the sample holds fewer than k positive scores
    (the caller then takes every positive one)."""
    if k < 1 or len(scores) < SAMPLE_STEP * k * 4:
        return None
    sample = scores[::SAMPLE_STEP]
    if allowed is not None:
        sample = sample[allowed[::SAMPLE_STEP]]
    sample = sample[sample > 0]
    if len(sample) < k:
        return None
    floor = np.partition(sample, len(sample) - k)[len(sample) - k]
    candidates = np.flatnonzero(scores >= floor)
    if allowed is not None:
        candidates = candidates[allowed[candidates]]
    return candidates
