"""The weighting formulas, as pure numpy functions: term frequency, idf, each vector part's
norm and the pivoted floors. Every build (whole, sharded, on Dask, a segment) and every query
vector is weighed by these, so the floats are the same whichever path made them.
"""

from __future__ import annotations

import numpy as np

from .models import PART_NUMBER, PARTS
from .settings import Settings


def tf(weights: np.ndarray, sublinear: bool) -> np.ndarray:
    """Return term frequencies from summed occurrence weights: 1 + ln(w) from w = 1 up, w below.

    Shape and dtype of ``weights`` (float64). Section weights make a weight below 1 possible,
    where 1 + ln(w) would turn negative; the two pieces meet at w = 1 with the same slope, so
    the curve stays smooth and positive. With ``sublinear`` False, ``weights`` themselves.
    """
    if not sublinear:
        return weights
    return np.where(weights >= 1.0, 1.0 + np.log(np.maximum(weights, 1.0)), weights)


def smoothed_idf(n: int, df: np.ndarray) -> np.ndarray:
    """Return each term's idf from its document frequency ``df`` among ``n`` listings.

    Smoothed, as scikit-learn's ``TfidfTransformer(smooth_idf=True)``: ln((1 + n) / (1 + df)) + 1
    (float64, one per term). A saved index's idf is checked against it (``index/store``).
    """
    return np.log((1.0 + n) / (1.0 + df)) + 1.0


def part_norms(groups: np.ndarray, parts: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Return each listing's L2 norm per part, shape (n, len(PARTS)), float64.

    ``groups`` (< ``n``) and ``parts`` (part numbers) say where each of ``values`` belongs;
    each block is summed in the values' order.
    """
    p = len(PARTS)
    block = groups.astype(np.int64) * p + parts
    return np.sqrt(np.bincount(block, weights=values * values, minlength=n * p)).reshape(n, p)


def pivot_floors(settings: Settings, norms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the (query, listing) floors of the parts (float64, one per part) from every
    listing's ``part_norms`` (shape (listings, parts)).

    A floor is a pivot times the median norm of the listings' non-empty blocks of a part (see
    ``part_scale``): a listing's part by its ``Part.listing_pivot`` (none: no floor), a
    resume's by ``settings.query_pivot`` times the median of its ``Part.query_floor`` part.
    Pivoted normalisation: Singhal, Buckley and Mitra, "Pivoted document length
    normalization", SIGIR 1996.
    """
    medians = np.array(
        [float(np.median(c[c > 0])) if (c > 0).any() else 0.0 for c in norms.T], dtype=np.float64
    )
    floor_of = [PART_NUMBER[part.query_floor] for part in PARTS]
    pivots = np.array(
        [getattr(settings, p.listing_pivot) if p.listing_pivot else 0.0 for p in PARTS]
    )
    return settings.query_pivot * medians[floor_of], pivots * medians


def part_scale(
    groups: np.ndarray,
    parts: np.ndarray,
    values: np.ndarray,
    part_weights: np.ndarray,
    n: int,
    floors: np.ndarray | None = None,
) -> np.ndarray:
    """Return the factor (float64, one per value) that makes each (group, part) block of
    ``values`` have L2 norm ``sqrt(part_weights[part])``: a block of zeros stays zero.

    ``groups`` (int, < ``n``) and ``parts`` (part numbers) say where each value belongs. With
    ``floors`` (one per part), a block whose norm is below ``floors[part]`` is divided by that
    floor instead, so its norm stays below ``sqrt(part_weights[part])``: a listing that names
    one skill is weak evidence, and must not reach a full cosine by sharing it (pivoted
    normalisation, see ``pivot_floors``).
    """
    p = len(part_weights)
    block = groups.astype(np.int64) * p + parts
    norms = np.sqrt(np.bincount(block, weights=values * values, minlength=n * p))
    if floors is not None:
        norms = np.where(norms > 0, np.maximum(norms, np.tile(floors, n)), 0.0)
    return np.sqrt(part_weights)[parts] / np.where(norms > 0, norms, 1.0)[block]
