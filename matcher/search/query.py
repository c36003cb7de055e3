"""Stage 4a, search: a resume's terms turned into a query vector in an index's columns."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from ..index.model import AnyIndex
from ..weigh import part_scale, tf


def query_vector(index: AnyIndex, terms: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Return a text's TF-IDF vector in the index's terms: (columns int64, values float64).

    Each part is L2-normalised and scaled by the square root of its weight, as the listings'
    are, and floored at the index's query floors (``weigh.part_scale``). Columns are sorted;
    terms the index does not have are left out.
    """
    counted = Counter(terms)  # each distinct term looked up once, all in one call
    found = index.terms.columns(list(counted))
    n = np.fromiter(counted.values(), dtype=np.float64, count=len(counted))
    known = found >= 0
    order = np.argsort(found[known], kind="stable")
    columns = found[known][order]
    values = tf(n[known][order], index.sublinear_tf)
    values *= index.idf[columns]
    if len(columns):
        values *= part_scale(
            np.zeros(len(columns), np.int64),
            index.parts[columns],
            values,
            index.part_weights,
            1,
            index.query_floors,
        )
    return columns, values
