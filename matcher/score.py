"""Stage 4, score: cosine similarity of a query row with every listing row, then the top k."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def cosine_scores(matrix: sp.csr_matrix, query: sp.csr_matrix) -> np.ndarray:
    """Return each row's cosine with ``query``: a dot product, as both are L2-normalised."""
    return np.asarray((matrix @ query.T).toarray()).ravel()


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
