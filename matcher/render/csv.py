"""CSV for spreadsheets: one row per match (or gap, candidate, skill), figures unrounded."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from ..models import (
    PART_NAMES,
    Candidate,
    GapReport,
    Listing,
    Match,
    MatchReport,
    SkillsReport,
)
from .sanitise import sanitised

# A cell a spreadsheet would run as a formula (OWASP "CSV injection"): text from listings is
# not trusted, so such a cell starts with an apostrophe, which spreadsheets show as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _write(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue()


_LISTING_HEADER = [
    "listing_id", "title", "company", "location", "url", "remote", "employment_type",
    "date_posted", "salary_min", "salary_max", "salary_currency", "salary_period",
]  # fmt: skip
_EXPLANATION_HEADER = [
    *(f"{part}_part" for part in PART_NAMES), "asked", "covered", "required",
    "required_covered", "matched", "missing",
]  # fmt: skip


def _listing_row(listing: Listing) -> list[Any]:
    return [
        listing.id, listing.title, listing.company, listing.location, listing.url,
        listing.remote, listing.employment_type, listing.date_posted, listing.salary_min,
        listing.salary_max, listing.salary_currency, listing.salary_period,
    ]  # fmt: skip


def _explanation_row(match: Match | Candidate) -> list[Any]:
    c = match.coverage
    return [
        *(match.parts.get(part, 0.0) for part in PART_NAMES),
        *((c.asked, c.covered, c.required, c.required_covered) if c else ("",) * 4),
        "; ".join(f"{s.skill} ({s.share:.1%})" for s in match.matched),
        "; ".join(s.skill if s.required else f"{s.skill} (preferred)" for s in match.missing),
    ]


@sanitised()
def render_report(report: MatchReport) -> str:
    """Return one row per match: rank, score, the listing's fields, parts, coverage, skills.

    Matched skills are "skill (share%)" joined by "; "; missing ones required first, preferred
    ones marked. The parts add up to the score.
    """
    header = ["rank", "score", *_LISTING_HEADER, *_EXPLANATION_HEADER]
    rows = (
        [m.rank, m.score, *_listing_row(m.listing), *_explanation_row(m)] for m in report.matches
    )
    return _write(header, rows)


@sanitised()
def render_gaps(report: GapReport) -> str:
    """Return one row per gap: rank, skill, kind, gain, relative gain, asked by, required by."""
    header = ["rank", "skill", "kind", "gain", "relative", "asked_by", "required_by", "of"]
    n = len(report.matches)
    rows = (
        [i, g.skill, g.kind, g.gain, g.relative, g.asked_by, g.required_by, n]
        for i, g in enumerate(report.gaps, 1)
    )
    return _write(header, rows)


@sanitised()
def render_skills(report: SkillsReport) -> str:
    """Return one row per place a skill is written: document, skill, kind, category, span."""
    header = ["document", "skill", "kind", "category", "start", "end", "text"]
    rows = (
        [d.label, s.name, s.kind, s.category, a, b, d.text[a:b]]
        for d in report.documents
        for s in d.skills
        for a, b in s.spans
    )
    return _write(header, rows)


@sanitised()
def render_candidates(listing: Listing, candidates: list[Candidate]) -> str:
    """Return one row per resume ranked for ``listing``: rank, score, resume, explanation."""
    header = ["rank", "score", "resume", "listing_id", *_EXPLANATION_HEADER]
    rows = ([c.rank, c.score, c.resume, listing.id, *_explanation_row(c)] for c in candidates)
    return _write(header, rows)
