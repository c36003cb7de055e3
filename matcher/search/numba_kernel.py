"""The score accumulation compiled with numba (the optional ``fast`` extra); see ``kernels.py``.

Importing this module imports numba, which raises ImportError where it is not installed.
"""

from __future__ import annotations

import numba
import numpy as np

# Listings per block: 64k float64 scores (512 KiB) stay in a core's cache while every query
# term adds its postings for them, instead of each term scattering over all the listings
# (at 1M listings 0.68-0.86x the time of one pass per term; benchmarks/README.md, issue 12).
BLOCK = 1 << 16


@numba.njit(cache=True, nogil=True)
def accumulate(
    indptr: np.ndarray,
    rows: np.ndarray,
    weights: np.ndarray,
    columns: np.ndarray,
    values: np.ndarray,
    n: int,
    block: int = BLOCK,
) -> tuple[np.ndarray, bool]:  # pragma: no cover - compiled
    """Return (scores, inside): each listing's sum of weight x value over the query's columns.

    The listings are taken ``block`` at a time; within a block, column by column, each
    product rounded to float64, then added: each listing's sum is made in the order numpy's
    kernel makes it, so that the floats are the same. ``inside`` is False, and the scores
    incomplete, when a posting's row is outside ``[0, n)``.
    """
    scores = np.zeros(n)
    count = len(columns)
    at = np.empty(count, np.int64)  # each column's next posting
    ends = np.empty(count, np.int64)
    for i in range(count):
        at[i] = indptr[columns[i]]
        ends[i] = indptr[columns[i] + 1]
    for low in range(0, n, block):
        high = min(low + block, n)
        for i in range(count):
            j = at[i]
            end = ends[i]
            value = values[i]
            while j < end:
                row = rows[j]
                if row >= high:
                    break
                if row < 0:
                    return scores, False
                scores[row] += np.float64(weights[j]) * value
                j += 1
            at[i] = j
    for i in range(count):
        if at[i] < ends[i]:  # rows from n up were never reached
            return scores, False
    return scores, True
