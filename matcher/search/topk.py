"""Stage 4c, search: the rows of the k best scores, exactly, without sorting them all."""

from __future__ import annotations

import numpy as np

# top_k first finds a floor for the k-th score in every SAMPLE_STEP-th score: the k-th best of
# any k scores is at most the k-th best of all, so only rows at or above it can be in the top k,
# and at 1M listings a few thousand of them are sorted rather than every positive score.
SAMPLE_STEP = 64


def top_k(scores: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[int]:
    """Return the rows of the ``k`` highest positive scores, best first, ties by row order.

    ``scores``: float, one per row. ``allowed`` (bool, one per row), when given, leaves out the
    rows where it is False. Fewer than ``k`` rows when fewer scores are positive.
    """
    candidates = above_floor(scores, k, allowed)
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


def above_floor(scores: np.ndarray, k: int, allowed: np.ndarray | None) -> np.ndarray | None:
    """Return the allowed rows scoring at least a floor of the k-th best positive score, in
    order: a superset of the top k. None where the sample holds fewer than k positive scores
    (the caller then takes every positive one), or the scores are too few to sample."""
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
