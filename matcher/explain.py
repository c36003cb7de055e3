"""Stage 5, explain: split a score into the exact contribution of every shared term.

Both vectors are L2-normalised, so their cosine is the sum over shared terms of
``resume weight * listing weight``; the contributions reported here add up to the score.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .index import Index, query_vector
from .models import MissingSkill, SkillContribution, TermContribution


@dataclass(frozen=True)
class Explanation:
    """Why one listing scored what it did."""

    terms: tuple[TermContribution, ...]
    matched: tuple[SkillContribution, ...]
    missing: tuple[MissingSkill, ...]


def explain(
    index: Index,
    row: int,
    columns: np.ndarray,
    values: np.ndarray,
    listing_weights: np.ndarray | None = None,
) -> Explanation:
    """Return the shared terms, matched skills and missing skills of listing ``row``.

    ``(columns, values)`` is the query vector (see ``query_vector``); ``listing_weights``, the
    listing's weights in those columns, if already looked up (see ``explain_all``).
    """
    here = np.array([row])
    if listing_weights is None:
        listing_weights = index.weights_at(here, columns)[:, 0]
    shared = np.flatnonzero(listing_weights)
    contributions = listing_weights[shared] * values[shared]
    names = [index.terms[int(columns[i])] for i in shared]
    order = sorted(range(len(shared)), key=lambda i: (-contributions[i], names[i]))
    terms = tuple(
        TermContribution(
            term=names[i],
            contribution=float(contributions[i]),
            is_skill=bool(index.is_skill[columns[shared[i]]]),
        )
        for i in order
    )
    present = set(columns.tolist())
    asked = np.array([c for c in index.asked(row).tolist() if c not in present], dtype=np.int64)
    asked_weights = index.weights_at(here, asked)[:, 0]
    missing = sorted(
        zip(asked_weights.tolist(), (index.terms[c] for c in asked.tolist()), strict=True),
        key=lambda pair: (-pair[0], pair[1]),
    )
    return Explanation(
        terms=terms,
        matched=tuple(SkillContribution(t.term, t.contribution) for t in terms if t.is_skill),
        missing=tuple(MissingSkill(name, weight) for weight, name in missing),
    )


def explain_all(
    index: Index, rows: list[int], columns: np.ndarray, values: np.ndarray
) -> list[Explanation]:
    """Return ``explain`` for each of ``rows``, looking their weights up in one pass."""
    block = index.weights_at(np.array(rows, dtype=np.int64), columns)
    return [explain(index, row, columns, values, block[:, i]) for i, row in enumerate(rows)]


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
    targets = np.array(rows, dtype=np.int64)
    cache: dict[int, np.ndarray] = {}

    def scores(columns: np.ndarray, values: np.ndarray) -> np.ndarray:
        missing = [c for c in columns.tolist() if c not in cache]
        if missing:
            block = index.weights_at(targets, np.array(missing, dtype=np.int64))
            cache.update(zip(missing, block, strict=True))
        if not len(columns):
            return np.zeros(len(rows))
        return values @ np.vstack([cache[c] for c in columns.tolist()])

    columns, values = query_vector(index, query_terms)
    before = scores(columns, values)
    present = set(columns.tolist())
    asked: dict[int, int] = {}
    for row in rows:
        for column in index.asked(row).tolist():
            if column not in present:
                asked[column] = asked.get(column, 0) + 1
    gains = []
    for column, count in asked.items():
        after = scores(*query_vector(index, terms_with(index.terms[column])))
        gains.append((column, after - before, count))
    return gains
