"""Stage 5, explain: split a score into the exact contribution of every shared term.

Both vectors are L2-normalised, so their cosine is the sum over shared terms of
``resume weight * listing weight``; the contributions reported here add up to the score.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from ..analyse import term_text
from ..index.model import AnyIndex
from ..models import PART_NAMES, Coverage, MissingSkill, SkillContribution, TermContribution
from .query import query_vector


@dataclass(frozen=True)
class Explanation:
    """Why one listing scored what it did: ``parts`` and ``terms`` each add up to the score."""

    terms: tuple[TermContribution, ...]
    matched: tuple[SkillContribution, ...]
    missing: tuple[MissingSkill, ...]
    parts: dict[str, float]
    coverage: Coverage


# A skill's kind ("tool", "soft", ...) by name; "" when unknown.
KindOf = Callable[[str], str]


def _no_kind(name: str) -> str:
    return ""


def explain(
    index: AnyIndex,
    row: int,
    columns: np.ndarray,
    values: np.ndarray,
    listing_weights: np.ndarray | None = None,
    kind_of: KindOf = _no_kind,
    *,
    missing_weights: Mapping[int, float] | None = None,
) -> Explanation:
    """Return the shared terms, parts, matched and missing skills, and coverage of ``row``.

    ``(columns, values)`` is the query vector (see ``query_vector``); ``listing_weights``, the
    listing's weights in those columns, and ``missing_weights``, its weights by column in the
    skills it asks for that the query lacks, if already looked up (see ``explain_all``).
    Contributions are ``resume weight * listing weight``, so they sum to the score; a matched
    skill's ``share`` is its contribution over that score. Missing skills come required first,
    then by weight.
    """
    here = np.array([row])
    if listing_weights is None:
        listing_weights = index.weights_at(here, columns)[:, 0]
    shared = np.flatnonzero(listing_weights)
    contributions = listing_weights[shared] * values[shared]
    score = float(contributions.sum())
    keys = [index.terms[int(columns[i])] for i in shared]
    part_of = index.parts[columns[shared]].tolist()
    order = sorted(range(len(shared)), key=lambda i: (-contributions[i], keys[i]))
    terms = tuple(
        TermContribution(
            term=term_text(keys[i]),
            contribution=float(contributions[i]),
            is_skill=part_of[i] == 0,
            part=PART_NAMES[part_of[i]],
        )
        for i in order
    )
    used = (p for p, w in zip(PART_NAMES, index.part_weights, strict=True) if w)
    parts = dict.fromkeys(used, 0.0)
    for term in terms:
        parts[term.part] = parts.get(term.part, 0.0) + term.contribution
    asked = index.asked(row).tolist()
    required = dict(zip(asked, index.required(row).tolist(), strict=True))
    present = set(columns.tolist())
    matched = tuple(
        SkillContribution(
            skill=term.term,
            contribution=term.contribution,
            share=term.contribution / score if score > 0 else 0.0,
            kind=kind_of(term.term),
            required=required.get(int(columns[shared[i]])),
        )
        for i, term in zip(order, terms, strict=True)
        if term.is_skill
    )
    lacking = np.array([c for c in asked if c not in present], dtype=np.int64)
    if missing_weights is None:
        lacking_weights = index.weights_at(here, lacking)[:, 0]
    else:
        lacking_weights = np.array([missing_weights[c] for c in lacking.tolist()])
    missing = sorted(
        (
            MissingSkill(
                skill=term_text(index.terms[c]),
                weight=float(weight),
                required=required[c],
                kind=kind_of(term_text(index.terms[c])),
            )
            for c, weight in zip(lacking.tolist(), lacking_weights.tolist(), strict=True)
        ),
        key=lambda m: (not m.required, -m.weight, m.skill),
    )
    n_required = sum(required.values())
    missing_required = sum(m.required for m in missing)
    coverage = Coverage(
        asked=len(asked),
        covered=len(asked) - len(missing),
        required=n_required,
        required_covered=n_required - missing_required,
    )
    return Explanation(terms, matched, tuple(missing), parts, coverage)


def explain_all(
    index: AnyIndex,
    rows: list[int],
    columns: np.ndarray,
    values: np.ndarray,
    kind_of: KindOf = _no_kind,
) -> list[Explanation]:
    """Return ``explain`` for each of ``rows``, looking their weights up in two passes: the
    query's columns, then every skill one of them asks for that the query lacks."""
    targets = np.array(rows, dtype=np.int64)
    block = index.weights_at(targets, columns)
    present = set(columns.tolist())
    asked = {c for row in rows for c in index.asked(row).tolist() if c not in present}
    lacking = sorted(asked)
    lacking_block = index.weights_at(targets, np.array(lacking, dtype=np.int64))
    out = []
    for i, row in enumerate(rows):
        missing = dict(zip(lacking, lacking_block[:, i].tolist(), strict=True))
        out.append(
            explain(index, row, columns, values, block[:, i], kind_of, missing_weights=missing)
        )
    return out


@dataclass(frozen=True)
class Gain:
    """What naming one more skill does to the scores of listings ``rows`` (see ``skill_gains``).

    ``gains[i]`` is the exact change of the score of ``rows[i]``; ``asked[i]`` whether that
    listing asks for the skill, ``required[i]`` whether it requires it.
    """

    column: int
    gains: np.ndarray  # float64, one per row
    asked: np.ndarray  # bool, one per row
    required: np.ndarray  # bool, one per row


def skill_gains(
    index: AnyIndex,
    query_terms: list[str],
    rows: list[int],
    terms_with: Callable[[str], list[str]],
) -> tuple[np.ndarray, list[Gain]]:
    """Return the scores of ``rows``, and for each skill they ask for that the query lacks,
    what adding it does to them.

    The query's terms become ``terms_with(skill)`` (the resume naming the skill once more)
    and every score of ``rows`` is re-computed exactly from the postings.
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
    asked: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for i, row in enumerate(rows):
        for column, is_required in zip(
            index.asked(row).tolist(), index.required(row).tolist(), strict=True
        ):
            if column not in present:
                if column not in asked:
                    asked[column] = (np.zeros(len(rows), bool), np.zeros(len(rows), bool))
                asked[column][0][i], asked[column][1][i] = True, is_required
    gains = []
    for column, (is_asked, is_required) in asked.items():
        after = scores(*query_vector(index, terms_with(term_text(index.terms[column]))))
        gains.append(Gain(column, after - before, is_asked, is_required))
    return before, gains
