"""JSON for programs: the plain data of ``data``, indented, or one line per resume."""

from __future__ import annotations

import json
from typing import Any

from ..errors import MatcherError
from ..models import Candidate, GapReport, IndexInfo, Listing, Match, MatchReport, SkillsReport
from .data import (
    candidates_to_dict,
    gaps_to_dict,
    index_info_to_dict,
    many_to_dicts,
    report_to_dict,
    skills_to_dict,
)
from .sanitise import escape_json


def dumps(data: Any) -> str:
    """Return ``data`` as indented JSON ending in a newline (non-ASCII kept as written, but
    for the control characters ``escape_json`` escapes)."""
    return escape_json(json.dumps(data, indent=2, ensure_ascii=False)) + "\n"


def render_report(report: MatchReport) -> str:
    """Return a match report as JSON."""
    return dumps(report_to_dict(report))


def render_gaps(report: GapReport) -> str:
    """Return a gap report as JSON."""
    return dumps(gaps_to_dict(report))


def render_skills(report: SkillsReport) -> str:
    """Return the skills found in a file as JSON."""
    return dumps(skills_to_dict(report))


def render_many(results: list[tuple[str, list[Match] | MatcherError]]) -> str:
    """Return JSON Lines: one object per resume, ``{"resume": ..., "matches": [...]}``, or
    ``{"resume": ..., "error": ...}`` for one that could not be read."""
    return "".join(
        escape_json(json.dumps(item, ensure_ascii=False)) + "\n" for item in many_to_dicts(results)
    )


def render_candidates(
    listing: Listing, candidates: list[Candidate], errors: list[MatcherError] | tuple = ()
) -> str:
    """Return resumes ranked for one listing as JSON."""
    return dumps(candidates_to_dict(listing, candidates, errors))


def render_index_info(info: IndexInfo) -> str:
    """Return what a saved index holds as JSON."""
    return dumps(index_info_to_dict(info))
