"""The score accumulation compiled with numba (the optional ``fast`` extra); see ``score.py``.

Importing this module imports numba, which raises ImportError where it is not installed.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def accumulate(
    indptr: np.ndarray,
    rows: np.ndarray,
    weights: np.ndarray,
    columns: np.ndarray,
    values: np.ndarray,
    n: int,
) -> tuple[np.ndarray, bool]:  # pragma: no cover - compiled
    """Return (scores, inside): each listing's sum of weight x value over the query's columns.

    One pass over the postings, in the order numpy's kernel sums them (column by column, each
    product rounded to float64, then added), so that the floats are the same. ``inside`` is
    False, and the scores incomplete, when a posting's row is outside ``[0, n)``.
    """
    scores = np.zeros(n)
    for i in range(len(columns)):
        column = columns[i]
        value = values[i]
        for j in range(indptr[column], indptr[column + 1]):
            row = rows[j]
            if row < 0 or row >= n:
                return scores, False
            scores[row] += np.float64(weights[j]) * value
    return scores, True
