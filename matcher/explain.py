"""Stage 5, explain: split a score into the exact contribution of every shared term.

Both vectors are L2-normalised, so their cosine is the sum over shared terms of
``resume weight * listing weight``; the contributions reported here add up to the score.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .index import Index, query_vector
from .models import MissingSkill, SkillContribution, TermContribution


@dataclass(frozen=True)
class Explanation:
    """Why one listing scored what it did."""

    terms: tuple[TermContribution, ...]
    matched: tuple[SkillContribution, ...]
    missing: tuple[MissingSkill, ...]


def explain(index: Index, row: int, query: sp.csr_matrix) -> Explanation:
    """Return the shared terms, matched skills and missing skills of listing ``row``."""
    start, end = index.matrix.indptr[row], index.matrix.indptr[row + 1]
    listing_columns = index.matrix.indices[start:end]
    listing_weights = index.matrix.data[start:end]
    shared, in_listing, in_query = np.intersect1d(
        listing_columns, query.indices, assume_unique=True, return_indices=True
    )
    contributions = listing_weights[in_listing] * query.data[in_query]
    order = sorted(range(len(shared)), key=lambda i: (-contributions[i], index.terms[shared[i]]))
    terms = tuple(
        TermContribution(
            term=index.terms[shared[i]],
            contribution=float(contributions[i]),
            is_skill=bool(index.is_skill[shared[i]]),
        )
        for i in order
    )
    weight_of = dict(zip(listing_columns.tolist(), listing_weights.tolist(), strict=True))
    present = set(query.indices.tolist())
    missing = sorted(
        (column for column in index.asked[row] if column not in present),
        key=lambda column: (-weight_of[column], index.terms[column]),
    )
    return Explanation(
        terms=terms,
        matched=tuple(SkillContribution(t.term, t.contribution) for t in terms if t.is_skill),
        missing=tuple(MissingSkill(index.terms[c], weight_of[c]) for c in missing),
    )


def skill_gains(
    index: Index,
    query_terms: list[str],
    rows: list[int],
    terms_with: Callable[[str], list[str]],
) -> list[tuple[int, np.ndarray, int]]:
    """Return, for each skill that listings ``rows`` ask for and the query lacks, its gains.

    Each item is ``(column, gains, asked_by)``: ``gains[i]`` is how much the score of
    ``rows[i]`` rises when the query's terms become ``terms_with(skill)`` (the resume with the
    skill named once more), re-scored exactly; ``asked_by`` is how many of ``rows`` ask for it.
    """
    query = query_vector(index, query_terms)
    present = set(query.indices.tolist())
    block = index.matrix[rows]
    before = np.asarray((block @ query.T).toarray()).ravel()
    asked: dict[int, int] = {}
    for row in rows:
        for column in index.asked[row]:
            if column not in present:
                asked[column] = asked.get(column, 0) + 1
    gains = []
    for column, count in asked.items():
        after = query_vector(index, terms_with(index.terms[column]))
        gains.append((column, np.asarray((block @ after.T).toarray()).ravel() - before, count))
    return gains
