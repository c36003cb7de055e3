"""One self-contained HTML page for a match report: inline CSS and SVG, no script, no network.

Laid out by a Jinja2 template (``templates/report.html.j2``, package data) with autoescaping
on: every text from a listing or resume is escaped, and a link is kept only when it is http(s).
The numbers are worked out here, so the template only places them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from .. import __version__
from ..models import (
    JOB_TYPES,
    PART_NAMES,
    GapReport,
    Listing,
    Match,
    MatchReport,
    job_type_bits,
    per_year,
)
from .data import (
    CAPTION,
    coverage_text,
    empty_message,
    gaps_caption,
    gaps_title,
    other_terms,
    summary,
)
from .sanitise import sanitised

# How many asked skills the skills x listings grid shows, most asked first.
_GRID_SKILLS = 30
_GAPS_SHOWN = 15


@cache
def _environment() -> Any:
    # Imported here: only this format needs Jinja2, and ``matcher match`` starts faster.
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(
        loader=PackageLoader("matcher.render", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def safe_url(url: str | None) -> str | None:
    """Return ``url`` when it is an http(s) address, else None (no ``javascript:`` links)."""
    if url and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None


@dataclass(frozen=True)
class _Segment:
    part: str
    value: float  # contribution to the score
    share: float  # of the score, 0 to 1
    x: float  # where it starts, 0 to 100 (per cent of the bar)
    width: float


def _segments(match: Match, scale: float) -> list[_Segment]:
    """Return the score's parts laid end to end, ``scale`` being the score of a full bar."""
    out, x = [], 0.0
    for part in PART_NAMES:
        value = match.parts.get(part, 0.0)
        width = 100 * value / scale if scale > 0 else 0.0
        share = value / match.score if match.score > 0 else 0.0
        out.append(_Segment(part, value, share, x, width))
        x += width
    return out


_PERIODS = {1: "a year", 12: "a month", 52: "a week", 260: "a day", 2080: "an hour"}


def _facts(listing: Listing) -> list[str]:
    """Return what the posting says besides its text: "Remote", "Full-time", salary, date."""
    facts = []
    if listing.remote is True:
        facts.append("Remote")
    elif listing.remote is False:
        facts.append("On site")
    bits = job_type_bits(listing.employment_type)
    if bits:
        facts += [name.capitalize() for i, name in enumerate(JOB_TYPES) if bits >> i & 1]
    elif listing.employment_type:
        facts.append(listing.employment_type.replace("_", " ").capitalize())
    if listing.salary_min is not None or listing.salary_max is not None:
        low, high = listing.salary_min, listing.salary_max
        amount = (
            f"{low:,.0f}\u2013{high:,.0f}"
            if low is not None and high is not None and low != high
            else f"{low if low is not None else high:,.0f}"
        )
        currency = f"{listing.salary_currency} " if listing.salary_currency else ""
        periods = per_year(listing.salary_period)
        period = (
            f" {_PERIODS[periods]}"
            if periods in _PERIODS
            else f" ({listing.salary_period})"
            if listing.salary_period
            else ""
        )
        facts.append(f"{currency}{amount}{period}")
    if listing.date_posted:
        facts.append(f"posted {listing.date_posted[:10]}")
    return facts


def _grid(matches: tuple[Match, ...]) -> dict[str, Any]:
    """Return the skills x listings grid: rows of asked skills, a cell per listing.

    A cell is "has" (the resume names it), "lacks" (asked for, the resume lacks it) or "" (not
    asked); ``preferred`` marks a skill the listing names only as preferred.
    """
    asked: dict[str, int] = {}
    cells: dict[tuple[str, int], tuple[str, bool]] = {}
    for i, match in enumerate(matches):
        for s in match.matched:
            if s.required is None:
                continue  # named by the listing without asking for it
            asked[s.skill] = asked.get(s.skill, 0) + 1
            cells[s.skill, i] = ("has", not s.required)
        for m in match.missing:
            asked[m.skill] = asked.get(m.skill, 0) + 1
            cells[m.skill, i] = ("lacks", not m.required)
    has = {skill for (skill, _), (state, _) in cells.items() if state == "has"}
    order = sorted(asked, key=lambda skill: (skill not in has, -asked[skill], skill))
    shown = order[:_GRID_SKILLS]
    rows = [
        {
            "skill": skill,
            "asked": asked[skill],
            "has": skill in has,
            "cells": [cells.get((skill, i), ("", False)) for i in range(len(matches))],
        }
        for skill in shown
    ]
    return {"rows": rows, "left_out": len(order) - len(shown)}


def _gap_view(report: GapReport) -> dict[str, Any]:
    gaps = report.gaps[:_GAPS_SHOWN]
    # Bars show what orders the list: the total rise over the listings that ask for the skill.
    top = max((g.gain * g.asked_by for g in gaps), default=0.0)
    return {
        "title": gaps_title(report),
        "caption": gaps_caption(report),
        "of": len(report.matches),
        "left_out": max(0, len(report.gaps) - len(gaps)),
        "rows": [
            {
                "skill": g.skill,
                "kind": g.kind or "-",
                "gain": g.gain,
                "relative": g.relative,
                "asked_by": g.asked_by,
                "required_by": g.required_by,
                "total": g.gain * g.asked_by,
                "width": 100 * g.gain * g.asked_by / top if top > 0 else 0.0,
            }
            for g in gaps
        ],
    }


@sanitised()
def render_html(report: MatchReport, title: str = "Job matches") -> str:
    """Return the report as one HTML page, ending in a newline.

    Per match: the score with its parts as a bar (bars scaled to the best score shown),
    coverage of the asked skills, matched skills with their share, missing ones required first,
    and a link to the posting. Across the matches: a skills x listings grid, and, when
    ``report.gaps`` is set, the gaps as a bar chart.
    """
    best = max((m.score for m in report.matches), default=0.0)
    matches = [
        {
            "rank": m.rank,
            "score": m.score,
            "listing": m.listing,
            "url": safe_url(m.listing.url),
            "facts": _facts(m.listing),
            "segments": _segments(m, best),
            "coverage": coverage_text(m),
            "coverage_ratio": (m.coverage.covered / m.coverage.asked)
            if m.coverage and m.coverage.asked
            else None,
            "matched": m.matched,
            "missing": sorted(m.missing, key=lambda s: (not s.required, s.kind == "soft")),
            "others": other_terms(m),
        }
        for m in report.matches
    ]
    page = (
        _environment()
        .get_template("report.html.j2")
        .render(
            title=title,
            summary=summary(report),
            empty=empty_message(report),
            caption=CAPTION,
            best=best,
            matches=matches,
            parts=PART_NAMES,
            grid=_grid(report.matches),
            gaps=_gap_view(report.gaps) if report.gaps is not None else None,
            attributions=report.attributions,
            warnings=report.warnings,
            version=__version__,
        )
    )
    return page.rstrip("\n") + "\n"


@sanitised()
def render_gaps_html(report: GapReport) -> str:
    """Return a gap report as one HTML page: the gaps chart, then the matches it looked at."""
    as_report = MatchReport(
        matches=report.matches,
        listings_count=report.listings_count,
        listings_considered=report.listings_considered,
        location=report.location,
        filters=report.filters,
        attributions=report.attributions,
        warnings=report.warnings,
        gaps=report,
    )
    return render_html(as_report, title="Skill gaps")
