"""Stage 5, explain: split a score into the exact contribution of every shared term.

Both vectors are L2-normalised, so their cosine is the sum over shared terms of
``resume weight * listing weight``; the contributions reported here add up to the score.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

import numpy as np

from ..analyse import SKILL_PREFIX, term_text
from ..index.model import AnyIndex
from ..models import (
    PART_NAMES,
    Coverage,
    MissingSkill,
    SkillContribution,
    SkillGap,
    TermContribution,
)
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
    query: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, list[Gain]]:
    """Return the scores of ``rows``, and for each skill they ask for that the query lacks,
    what adding it does to them.

    The query's terms become ``terms_with(skill)`` (the resume naming the skill once more)
    and every score of ``rows`` is re-computed exactly from the postings. ``query`` is
    ``query_vector(index, query_terms)`` when the caller has it already (the ranking's).
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

    columns, values = query if query is not None else query_vector(index, query_terms)
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


# The kinds of skill gaps are advised on unless told otherwise: soft skills are shown apart.
DEFAULT_GAP_KINDS = frozenset({"tool", "knowledge", "practice", ""})


@dataclass(frozen=True)
class Gaps:
    """The skill gaps of one ranking (see ``skill_gaps``), best first, and what was left out."""

    gaps: tuple[SkillGap, ...]
    not_helping: int  # missing skills whose addition would not raise the scores
    kinds_left_out: int  # missing skills of kinds not asked for


def skill_gaps(
    index: AnyIndex,
    query_terms: list[str],
    query: tuple[np.ndarray, np.ndarray],
    rows: list[int],
    kind_of: KindOf = _no_kind,
    kinds: Collection[str] = DEFAULT_GAP_KINDS,
) -> Gaps:
    """Rank the skills listings ``rows`` ask for and the query lacks by what naming each adds.

    ``query`` is the query vector of ``query_terms`` (``query_vector``), reused as it is.
    Each skill is added to the terms once (as if written in the resume's skills list) and the
    scores of ``rows`` are re-computed exactly (``skill_gains``). A skill's ``gain`` is the
    mean rise over the rows that ask for it; skills whose gain is not positive are counted in
    ``not_helping``, and skills whose kind is not in ``kinds`` in ``kinds_left_out``. Order:
    the total rise (``gain * asked_by``), then how many ask for it, then name.
    """

    def with_skill(skill: str) -> list[str]:
        return [*query_terms, SKILL_PREFIX + skill]

    before, gains = skill_gains(index, query_terms, rows, with_skill, query)
    ranks_before = ranks(before)
    gaps = []
    not_helping = left_out = 0
    for gain in gains:
        name = term_text(index.terms[gain.column])
        kind = kind_of(name)
        if kind and kind not in kinds:
            left_out += 1
            continue
        mean = float(gain.gains[gain.asked].mean())
        if mean <= 0:
            not_helping += 1
            continue
        ranks_after = ranks(before + gain.gains)
        moves = tuple(
            (int(ranks_before[i]), int(ranks_after[i]))
            for i in np.flatnonzero(gain.asked)
            if ranks_after[i] != ranks_before[i]
        )
        gaps.append(
            SkillGap(
                skill=name,
                kind=kind,
                gain=mean,
                asked_by=int(gain.asked.sum()),
                gains=tuple(float(g) for g in gain.gains),
                required_by=int(gain.required.sum()),
                moves=moves,
                relative=float((gain.gains[gain.asked] / before[gain.asked]).mean()),
            )
        )
    gaps.sort(key=lambda g: (-g.gain * g.asked_by, -g.asked_by, g.skill))
    return Gaps(tuple(gaps), not_helping, left_out)


def ranks(scores: np.ndarray) -> np.ndarray:
    """Return each score's rank (1 = best) among ``scores``, ties by position: int64."""
    order = np.lexsort((np.arange(len(scores)), -scores))
    out = np.empty(len(scores), dtype=np.int64)
    out[order] = np.arange(1, len(scores) + 1)
    return out
