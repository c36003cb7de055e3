"""Stage 6, render: match reports in, text for people (table, Markdown) or programs (JSON) out."""

from __future__ import annotations

import io
import json
import textwrap
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from .models import Match, MatchReport

FORMATS = ("table", "json", "markdown")
_SHOWN_SKILLS = 5
_SHOWN_MISSING = 5


def render(report: MatchReport, fmt: str, width: int = 100) -> str:
    """Return ``report`` rendered in one of ``FORMATS``, ending in a newline."""
    if fmt == "json":
        return json.dumps(report_to_dict(report), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return render_markdown(report)
    if fmt == "table":
        return render_table(report, width)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def report_to_dict(report: MatchReport) -> dict[str, Any]:
    """Return the report as JSON-ready data; each match's term contributions sum to its score."""
    return {
        "matches": [_match_to_dict(match) for match in report.matches],
        "listings": {
            "count": report.listings_count,
            "duplicates_dropped": report.duplicates_dropped,
            "empty_skipped": report.empty_skipped,
            "considered": report.listings_considered,
            "location": report.location,
        },
    }


def _match_to_dict(match: Match) -> dict[str, Any]:
    listing = match.listing
    return {
        "rank": match.rank,
        "score": match.score,
        "listing": {
            "id": listing.id,
            "title": listing.title,
            "company": listing.company,
            "location": listing.location,
            "url": listing.url,
        },
        "matched": [{"skill": s.skill, "contribution": s.contribution} for s in match.matched],
        "missing": [{"skill": s.skill, "weight": s.weight} for s in match.missing],
        "terms": [
            {"term": t.term, "contribution": t.contribution, "skill": t.is_skill}
            for t in match.terms
        ],
    }


def summary(report: MatchReport) -> str:
    """Return one line saying what was ranked: how many listings, dropped, filtered."""
    parts = [f"{len(report.matches)} best of {report.listings_considered} listings"]
    if report.location:
        parts[0] += f" in '{report.location}' (of {report.listings_count})"
    if report.duplicates_dropped:
        s = "" if report.duplicates_dropped == 1 else "s"
        parts.append(f"{report.duplicates_dropped} duplicate{s} dropped")
    if report.empty_skipped:
        parts.append(f"{report.empty_skipped} without a description skipped")
    return "; ".join(parts)


def _empty_message(report: MatchReport) -> str:
    if report.location and report.listings_considered == 0:
        return f"No listing's location contains '{report.location}'."
    return "No listing shares a term with this resume."


def _matched_text(match: Match, limit: int = _SHOWN_SKILLS, sep: str = "\n") -> str:
    return _listed([f"{s.skill} {s.contribution:.3f}" for s in match.matched], limit, sep)


def _missing_text(match: Match, limit: int = _SHOWN_MISSING, sep: str = "\n") -> str:
    return _listed([s.skill for s in match.missing], limit, sep)


def _listed(items: list[str], limit: int, sep: str) -> str:
    """Return the first ``limit`` items joined by ``sep``, "+N more" for the rest, or "-"."""
    shown = items[:limit]
    if len(items) > limit:
        shown.append(f"+{len(items) - limit} more")
    return sep.join(shown) or "-"


def _where(match: Match) -> str:
    listing = match.listing
    return " · ".join(p for p in (listing.company, listing.location) if p) or "-"


# Below this width five columns no longer fit: each match is printed as a short block instead.
_NARROW = 88
_CAPTION = "Score: cosine similarity (0 to 1); each matched skill shows its share of it."


def render_table(report: MatchReport, width: int = 100) -> str:
    """Return a plain-text table for people, ``width`` columns wide."""
    if not report.matches:
        return f"{summary(report)}\n{_empty_message(report)}\n"
    if width < _NARROW:
        return _render_blocks(report, width)
    table = Table(
        title=summary(report),
        caption=_CAPTION,
        box=box.SIMPLE_HEAD,
        title_justify="left",
        caption_justify="left",
        expand=False,
    )
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Score", justify="right", no_wrap=True)
    # Skills stay on one line each, cut with an ellipsis past a width that leaves the listing
    # column room; titles and locations wrap instead.
    table.add_column("Listing", min_width=20)
    table.add_column("Matched skills", no_wrap=True, overflow="ellipsis", max_width=30)
    table.add_column("Missing skills", no_wrap=True, overflow="ellipsis", max_width=26)
    for match in report.matches:
        table.add_row(
            str(match.rank),
            f"{match.score:.3f}",
            f"{match.listing.title}\n{_where(match)}",
            _matched_text(match),
            _missing_text(match),
        )
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width, color_system=None, force_terminal=False, highlight=False
    )
    console.print(table, markup=False)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


def _render_blocks(report: MatchReport, width: int) -> str:
    wrap = textwrap.TextWrapper(width=max(width, 30), subsequent_indent=" " * 13)
    lines = [summary(report), ""]
    for match in report.matches:
        lines.append(f"{match.rank:>2}. {match.score:.3f}  {match.listing.title}")
        lines.append(f"    {_where(match)}")
        lines += wrap.wrap("    matched: " + _matched_text(match, sep=", "))
        lines += wrap.wrap("    missing: " + _missing_text(match, sep=", "))
        lines.append("")
    lines += textwrap.wrap(_CAPTION, max(width, 30))
    return "\n".join(lines) + "\n"


def render_markdown(report: MatchReport) -> str:
    """Return a Markdown table, for reports and issue trackers."""
    lines = [f"**{summary(report)}**", ""]
    if not report.matches:
        return "\n".join([*lines, _empty_message(report), ""])
    lines += [
        "| Rank | Score | Title | Company | Location | Matched skills | Missing skills |",
        "|---:|---:|---|---|---|---|---|",
    ]
    for match in report.matches:
        listing = match.listing
        title = f"[{listing.title}]({listing.url})" if listing.url else listing.title
        cells = [
            str(match.rank),
            f"{match.score:.3f}",
            title,
            listing.company or "",
            listing.location or "",
            _matched_text(match, limit=10, sep=", "),
            _missing_text(match, limit=10, sep=", "),
        ]
        lines.append("| " + " | ".join(_md_cell(cell) for cell in cells) + " |")
    return "\n".join([*lines, ""])


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
