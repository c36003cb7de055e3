"""Stage 6, render: reports in, text for people (table, Markdown, HTML, CSV) or programs (JSON).

One module per format; each starts from ``data``, which turns a report into plain data and
the phrases every format shares, so the same thing has the same shape and words everywhere.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from types import ModuleType

from ..errors import MatcherError
from ..models import Candidate, GapReport, IndexInfo, Listing, Match, MatchReport, SkillsReport
from . import json as _json
from .data import (
    coverage_text,
    explanation_to_dict,
    gaps_to_dict,
    listing_to_dict,
    match_to_dict,
    parts_text,
    report_to_dict,
    skills_to_dict,
    summary,
)

__all__ = [
    "FORMATS",
    "coverage_text",
    "explanation_to_dict",
    "gaps_to_dict",
    "listing_to_dict",
    "match_to_dict",
    "parts_text",
    "render",
    "render_candidates",
    "render_gaps",
    "render_html",
    "render_index_info",
    "render_many",
    "render_markdown",
    "render_skills",
    "render_table",
    "report_to_dict",
    "skills_to_dict",
    "summary",
]

FORMATS = ("table", "json", "markdown", "html", "csv")


def _module(name: str) -> ModuleType:
    """Return the renderer of one format, imported on first use: a run renders one format."""
    return importlib.import_module(f".{name}", __name__)


def render_html(report: MatchReport, title: str = "Job matches") -> str:
    """Return ``report`` as one HTML page titled ``title`` (see ``matcher/render/html.py``)."""
    text: str = _module("html").render_html(report, title)
    return text


def render_markdown(report: MatchReport) -> str:
    """Return ``report`` as Markdown (see ``matcher/render/markdown.py``)."""
    text: str = _module("markdown").render_markdown(report)
    return text


def _table() -> ModuleType:
    """Return the table renderer, imported on first use: it imports rich (~40 ms), which
    ``--format json`` and the other formats have no use for."""
    from . import table

    return table


def render_table(report: MatchReport, width: int = 100, links: bool = False) -> str:
    """Return ``report`` as a table for a terminal ``width`` columns wide, ending in a newline.

    ``links`` makes the listings' titles terminal hyperlinks to their postings.
    """
    text: str = _table().render_table(report, width, links)
    return text


def _unknown(fmt: str, formats: Sequence[str] = FORMATS) -> ValueError:
    return ValueError(f"unknown format {fmt!r}; expected one of {', '.join(formats)}")


def render(report: MatchReport, fmt: str, width: int = 100, links: bool = False) -> str:
    """Return ``report`` rendered in one of ``FORMATS``, ending in a newline.

    ``width`` is the table's greatest width in columns, and ``links`` makes its titles
    terminal hyperlinks (see ``render_table``); the other formats ignore both.
    """
    if fmt == "json":
        return _json.render_report(report)
    if fmt == "markdown":
        return render_markdown(report)
    if fmt == "table":
        return render_table(report, width, links)
    if fmt == "html":
        return render_html(report)
    if fmt == "csv":
        return _module("csv").render_report(report)
    raise _unknown(fmt)


def render_gaps(report: GapReport, fmt: str, width: int = 100) -> str:
    """Return a gap report in one of ``FORMATS``, ending in a newline."""
    if fmt == "json":
        return _json.render_gaps(report)
    if fmt == "markdown":
        return _module("markdown").render_gaps(report)
    if fmt == "table":
        return _table().render_gaps(report, width)
    if fmt == "html":
        return _module("html").render_gaps_html(report)
    if fmt == "csv":
        return _module("csv").render_gaps(report)
    raise _unknown(fmt)


def render_skills(report: SkillsReport, fmt: str, width: int = 100) -> str:
    """Return the skills found in a file, with where each is written, in a text format."""
    if fmt == "json":
        return _json.render_skills(report)
    if fmt == "markdown":
        return _module("markdown").render_skills(report)
    if fmt == "table":
        return _table().render_skills(report, width)
    if fmt == "csv":
        return _module("csv").render_skills(report)
    raise _unknown(fmt, ("table", "json", "markdown", "csv"))


def render_many(results: list[tuple[str, list[Match] | MatcherError]]) -> str:
    """Return JSON Lines: one object per resume, ``{"resume": ..., "matches": [...]}``, or
    ``{"resume": ..., "error": ...}`` for one that could not be read."""
    return _json.render_many(results)


def render_candidates(
    listing: Listing,
    candidates: list[Candidate],
    fmt: str,
    width: int = 100,
    errors: Sequence[MatcherError] = (),
) -> str:
    """Return resumes ranked for one listing in a text format, ending in a newline.

    ``errors``: resumes that could not be read; JSON lists them under "errors" (the CLI says
    them on stderr for the other formats).
    """
    if fmt == "json":
        return _json.render_candidates(listing, candidates, list(errors))
    if fmt == "markdown":
        return _module("markdown").render_candidates(listing, candidates)
    if fmt == "table":
        return _table().render_candidates(listing, candidates, width)
    if fmt == "csv":
        return _module("csv").render_candidates(listing, candidates)
    raise _unknown(fmt, ("table", "json", "markdown", "csv"))


def render_index_info(info: IndexInfo, fmt: str) -> str:
    """Return what a saved index holds (``matcher index info``): JSON, or lines of text."""
    if fmt == "json":
        return _json.render_index_info(info)
    return _table().render_index_info(info)
