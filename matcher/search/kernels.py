"""Stage 4b, search: every score's dot products, through one kernel interface.

A score is the dot product of a query vector ``(columns, values)`` with a listing's vector:
only the postings of the query's columns are read, and each listing's score is the sum, over
the terms it shares with the query, of query weight times listing weight, summed in the
query's column order by every kernel, so that every kernel gives the same floats bit for bit.

The entry points below take any index (an ``Index`` or ``Segments``), score it segment by
segment through ``kernel_for(segment)``, and check that what comes back is a cosine:

- ``cosine_scores``: one query against every listing;
- ``batch_scores``: many queries against every listing (one sparse product);
- ``scores_at``: one query against some listings (a candidate ranking).

A ``Kernel`` is where the arithmetic happens: ``NumpyKernel`` (the default) and
``NumbaKernel`` (``MATCHER_KERNEL=numba`` with the ``fast`` extra, from ``COMPILED_MIN_NNZ``
postings up). A new kernel is one class and one line in ``kernel_for``.
"""

from __future__ import annotations

import os
from typing import Any, Protocol

import numpy as np

from ..errors import IndexFormatError
from ..index.model import AnyIndex, Index, Segments

# A cosine of unit vectors is at most 1; float32 weights may pass it by rounding only.
_MOST = 1.0 + 1e-5
Query = tuple[np.ndarray, np.ndarray]


class Kernel(Protocol):
    """The arithmetic of scoring one segment; the entry points check and join what it gives."""

    def scores(self, index: Index, columns: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Return each listing's dot product with the query (float64, one per listing).
        Raises ``IndexFormatError`` when a posting points outside the listings."""
        ...

    def batch(self, index: Index, queries: list[Query]) -> np.ndarray:
        """Return each query's dot product with every listing (float64, queries x listings)."""
        ...

    def scores_at(self, index: Index, rows: np.ndarray, columns: np.ndarray,
                  values: np.ndarray) -> np.ndarray:  # fmt: skip
        """Return the dot products of the listings ``rows`` only (float64, one per row)."""
        ...


class NumpyKernel:
    """Gather the query's postings, multiply, add up by row (``np.bincount``)."""

    def scores(self, index: Index, columns: np.ndarray, values: np.ndarray) -> np.ndarray:
        n = len(index.listings)
        if len(columns) == 0:
            return np.zeros(n)
        starts = index.indptr[columns]
        ends = index.indptr[columns + 1]
        spans = list(zip(starts.tolist(), ends.tolist(), strict=True))
        # Gathered straight into the types bincount works in (it would copy int32 rows to
        # intp), then float32 weights times float64 query weights, in place.
        rows = np.concatenate([index.rows[s:e] for s, e in spans], dtype=np.intp)
        weights = np.concatenate([index.weights[s:e] for s, e in spans], dtype=np.float64)
        weights *= np.repeat(values, ends - starts)
        try:  # bincount refuses a negative row, and grows past n for a row beyond the listings
            scores = np.bincount(rows, weights=weights, minlength=n)
        except ValueError:
            raise _damaged("postings point outside the listings") from None
        if len(scores) != n:
            raise _damaged("postings point outside the listings")
        return scores

    def batch(self, index: Index, queries: list[Query]) -> np.ndarray:
        import scipy.sparse as sp  # here: one query has no use for it

        n, v = len(index.listings), len(index.terms)
        if index.nnz and (index.rows.min() < 0 or index.rows.max() >= n):
            raise _damaged("postings point outside the listings")  # scipy would not look
        listings = sp.csc_matrix((index.weights, index.rows, index.indptr), shape=(n, v))
        indptr = np.zeros(len(queries) + 1, dtype=np.int64)
        indptr[1:] = np.cumsum([len(columns) for columns, _ in queries])
        block = sp.csr_matrix(
            (
                np.concatenate([values for _, values in queries]) if queries else np.zeros(0),
                np.concatenate([c for c, _ in queries]) if queries else np.zeros(0, int),
                indptr,
            ),
            shape=(len(queries), v),
        )
        return np.asarray((block @ listings.T.astype(np.float64)).toarray())

    def scores_at(self, index: Index, rows: np.ndarray, columns: np.ndarray,
                  values: np.ndarray) -> np.ndarray:  # fmt: skip
        # One dot product a row, each over contiguous weights: the floats a single row's
        # ``values @ weights`` gives, whichever rows are asked for together.
        block = index.weights_at(rows, columns).T.copy()
        return np.array([float(values @ row) for row in block], dtype=np.float64)


class NumbaKernel(NumpyKernel):
    """``NumpyKernel`` with one query's scores accumulated by compiled code, block by block
    of listings (``numba_kernel.accumulate``), in numpy's order of additions."""

    def __init__(self, accumulate: Any) -> None:
        self._accumulate = accumulate

    def scores(self, index: Index, columns: np.ndarray, values: np.ndarray) -> np.ndarray:
        n = len(index.listings)
        if len(columns) == 0:
            return np.zeros(n)
        scores, inside = self._accumulate(index.indptr, index.rows, index.weights, columns,
                                          values, n)  # fmt: skip
        if not inside:
            raise _damaged("postings point outside the listings")
        return scores


# The compiled kernel is asked for with MATCHER_KERNEL=numba (numba installed: the "fast"
# extra), and used from this many postings up. It is not the default: numba's import (~0.6-0.9
# s) and its first call (~1.4 s, compiling) cost more than a one-off query saves (at 100k
# listings ~5 ms a query, at 1M ~80 ms): it pays in a long session, not in `matcher match`.
COMPILED_MIN_NNZ = 5_000_000
NUMPY = NumpyKernel()
_COMPILED: list[Kernel | None] = []  # the compiled kernel once made, or None without numba


def kernel_for(index: Index) -> Kernel:
    """Return the kernel that scores ``index``: the compiled one when asked for and worth it
    (``MATCHER_KERNEL=numba``, ``COMPILED_MIN_NNZ`` postings or more, numba installed), else
    numpy's."""
    if index.nnz < COMPILED_MIN_NNZ or os.environ.get("MATCHER_KERNEL") != "numba":
        return NUMPY
    if not _COMPILED:
        try:
            from .numba_kernel import accumulate
        except ImportError:  # numba is an optional extra
            _COMPILED.append(None)
        else:
            _COMPILED.append(NumbaKernel(accumulate))
    return _COMPILED[0] or NUMPY


def cosine_scores(index: AnyIndex, columns: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Return each listing's cosine with the query vector ``(columns, values)``.

    Shape (listings,), float64. Raises ``IndexFormatError`` when a posting points outside the
    listings or a score is not a cosine in [0, 1] (a damaged index loaded without its check).
    """
    parts = [kernel_for(s).scores(s, columns, values) for s in _segments(index)]
    return _checked(parts[0] if len(parts) == 1 else np.concatenate(parts))


def batch_scores(index: AnyIndex, queries: list[Query]) -> np.ndarray:
    """Return the cosine of each query with every listing: shape (queries, listings), float64.

    Raises ``IndexFormatError`` as ``cosine_scores`` does.
    """
    parts = [kernel_for(s).batch(s, queries) for s in _segments(index)]
    return _checked(parts[0] if len(parts) == 1 else np.hstack(parts))


def scores_at(index: AnyIndex, rows: np.ndarray, columns: np.ndarray,
              values: np.ndarray) -> np.ndarray:  # fmt: skip
    """Return the cosine of the query with the listings ``rows`` only (float64, one per row,
    in their order). Raises ``IndexFormatError`` as ``cosine_scores`` does."""
    rows = np.asarray(rows, dtype=np.int64)
    if isinstance(index, Index):
        return _checked(kernel_for(index).scores_at(index, rows, columns, values))
    out = np.zeros(len(rows), dtype=np.float64)
    which = np.searchsorted(index.starts, rows, side="right") - 1
    for k in np.unique(which).tolist():
        here = which == k
        segment = index.segments[k]
        local = rows[here] - index.starts[k]
        out[here] = kernel_for(segment).scores_at(segment, local, columns, values)
    return _checked(out)


def _segments(index: AnyIndex) -> tuple[Index, ...]:
    return index.segments if isinstance(index, Segments) else (index,)


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
