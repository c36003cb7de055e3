"""Stage 6, render: match reports in, text for people (table, Markdown) or programs (JSON) out."""

from __future__ import annotations

import dataclasses
import io
import json
import textwrap
from collections.abc import Sequence
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from .errors import MatcherError
from .models import (
    Candidate,
    GapReport,
    Listing,
    Match,
    MatchReport,
    SkillsDocument,
    SkillsReport,
)
from .store import IndexInfo

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
        "attributions": list(report.attributions),
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
    return _lines(buffer.getvalue()) + _credits(report.attributions, width)


def _lines(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def _credits(attributions: tuple[str, ...], width: int | None) -> str:
    """Return the vocabularies' attribution lines, wrapped to ``width`` (None: unwrapped)."""
    lines: list[str] = []
    for credit in attributions:
        lines += textwrap.wrap(credit, max(width, 30)) if width else [credit]
    return "".join(line + "\n" for line in lines)


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
    return "\n".join(lines) + "\n" + _credits(report.attributions, width)


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
    return "\n".join([*lines, ""]) + _md_credits(report.attributions)


def _md_credits(attributions: tuple[str, ...]) -> str:
    return "".join(f"\n_{credit}_\n" for credit in attributions)


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


# ------------------------------------------------------------------------------ skill gaps


def render_gaps(report: GapReport, fmt: str, width: int = 100) -> str:
    """Return a gap report in one of ``FORMATS``, ending in a newline."""
    if fmt == "json":
        return json.dumps(gaps_to_dict(report), indent=2, ensure_ascii=False) + "\n"
    n = len(report.matches)
    title = (
        f"Skills missing from the resume's {n} best matches (of {report.listings_count} "
        "listings), by how much adding each would raise their scores"
    )
    caption = (
        f"Gain: mean change of the {n} scores when the resume names the skill once more, "
        "each score re-computed exactly."
    )
    if not report.gaps:
        message = "No listing shares a term with this resume." if not n else "None missing."
        return f"{title}\n{message}\n"
    rows = [
        [str(i), g.skill, g.kind or "-", f"{g.gain:+.4f}", f"{g.asked_by} of {n}"]
        for i, g in enumerate(report.gaps, 1)
    ]
    header = ["#", "Skill", "Kind", "Gain", "Asked by"]
    if fmt == "markdown":
        lines = [f"**{title}**", "", "| " + " | ".join(header) + " |", "|---:|---|---|---:|---:|"]
        lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
        return "\n".join([*lines, "", caption, ""]) + _md_credits(report.attributions)
    if fmt == "table":
        table = _table(title, caption, header, right={0, 3, 4})
        for row in rows:
            table.add_row(*row)
        return _print(table, width) + _credits(report.attributions, width)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def gaps_to_dict(report: GapReport) -> dict[str, Any]:
    """Return the gap report as JSON-ready data."""
    return {
        "gaps": [
            {
                "skill": g.skill,
                "kind": g.kind,
                "gain": g.gain,
                "asked_by": g.asked_by,
                "gains": list(g.gains),
            }
            for g in report.gaps
        ],
        "listings": [
            {"rank": m.rank, "score": m.score, "id": m.listing.id, "title": m.listing.title}
            for m in report.matches
        ],
        "listings_count": report.listings_count,
        "attributions": list(report.attributions),
    }


def _table(title: str, caption: str | None, header: list[str], right: set[int]) -> Table:
    table = Table(
        title=title,
        caption=caption,
        box=box.SIMPLE_HEAD,
        title_justify="left",
        caption_justify="left",
    )
    for i, name in enumerate(header):
        table.add_column(name, justify="right" if i in right else "left")
    return table


def _print(table: Table, width: int) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width, color_system=None, force_terminal=False, highlight=False
    )
    console.print(table, markup=False)
    return _lines(buffer.getvalue())


# ------------------------------------------------------------------------ skills in a file

_SHOWN_SPANS = 3


def render_skills(report: SkillsReport, fmt: str, width: int = 100) -> str:
    """Return the skills found in a file, with where each is written, in one of ``FORMATS``."""
    if fmt == "json":
        return json.dumps(skills_to_dict(report), indent=2, ensure_ascii=False) + "\n"
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    parts = []
    for document in report.documents:
        s = "" if len(document.skills) == 1 else "s"
        title = f"{document.label}: {len(document.skills)} skill{s}"
        rows = [
            [skill.name, skill.kind, str(len(skill.spans)), _spans_text(document, skill.spans)]
            for skill in document.skills
        ]
        header = ["Skill", "Kind", "Times", "Where (characters: text)"]
        if fmt == "markdown":
            lines = [f"**{title}**", ""]
            if rows:
                lines += ["| " + " | ".join(header) + " |", "|---|---|---:|---|"]
                lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
                lines.append("")
            parts.append("\n".join(lines) + "\n")
        elif not rows:
            parts.append(title + "\n")
        else:
            table = _table(title, None, header, right={2})
            for row in rows:
                table.add_row(*row)
            parts.append(_print(table, width))
    credits = _md_credits if fmt == "markdown" else lambda a: _credits(a, width)
    return "\n".join(parts) + credits(report.attributions)


def _spans_text(document: SkillsDocument, spans: tuple[tuple[int, int], ...]) -> str:
    shown = [f"{a}-{b}: {' '.join(document.text[a:b].split())}" for a, b in spans]
    return _listed(shown, _SHOWN_SPANS, "; ")


def skills_to_dict(report: SkillsReport) -> dict[str, Any]:
    """Return the skills report as JSON-ready data; ``text[start:end]`` is each span."""
    return {
        "source": report.source,
        "kind": report.kind,
        "documents": [
            {
                "label": document.label,
                "skills": [
                    {
                        "name": skill.name,
                        "kind": skill.kind,
                        "category": skill.category,
                        "spans": [
                            {"start": a, "end": b, "text": document.text[a:b]}
                            for a, b in skill.spans
                        ],
                    }
                    for skill in document.skills
                ],
            }
            for document in report.documents
        ],
        "attributions": list(report.attributions),
    }


# ------------------------------------------------------------------- batches and candidates


def render_many(results: list[tuple[str, list[Match] | MatcherError]]) -> str:
    """Return JSON Lines: one object per resume, ``{"resume": ..., "matches": [...]}``, or
    ``{"resume": ..., "error": ...}`` for one that could not be read."""
    return "".join(
        json.dumps({"resume": name, "error": result.problem} if isinstance(result, MatcherError)
                   else {"resume": name, "matches": [_match_to_dict(m) for m in result]},
                   ensure_ascii=False) + "\n"
        for name, result in results
    )  # fmt: skip


def render_candidates(
    listing: Listing,
    candidates: list[Candidate],
    fmt: str,
    width: int = 100,
    errors: Sequence[MatcherError] = (),
) -> str:
    """Return resumes ranked for one listing in one of ``FORMATS``, ending in a newline.

    ``errors``: resumes that could not be read; JSON lists them under "errors" (the CLI says
    them on stderr for the other formats).
    """
    if fmt == "json":
        data: dict[str, Any] = {
            "listing": {"id": listing.id, "title": listing.title, "location": listing.location},
            "candidates": [
                {
                    "rank": c.rank,
                    "score": c.score,
                    "resume": c.resume,
                    "matched": [
                        {"skill": s.skill, "contribution": s.contribution} for s in c.matched
                    ],
                    "missing": [{"skill": s.skill, "weight": s.weight} for s in c.missing],
                    "terms": [
                        {"term": t.term, "contribution": t.contribution, "skill": t.is_skill}
                        for t in c.terms
                    ],
                }
                for c in candidates
            ],
        }
        if errors:
            data["errors"] = [{"resume": e.source, "error": e.problem} for e in errors]
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    title = f"{len(candidates)} resumes ranked for {listing.title} ({listing.id})"
    rows = [
        [
            str(c.rank),
            f"{c.score:.3f}",
            c.resume.replace("\\", "/").rsplit("/", 1)[-1],  # the file name; JSON has the path
            _listed([f"{s.skill} {s.contribution:.3f}" for s in c.matched], _SHOWN_SKILLS, "\n"),
            _listed([s.skill for s in c.missing], _SHOWN_MISSING, "\n"),
        ]
        for c in candidates
    ]
    header = ["#", "Score", "Resume", "Matched skills", "Missing skills"]
    if fmt == "markdown":
        lines = [f"**{title}**", "", "| " + " | ".join(header) + " |", "|---:|---:|---|---|---|"]
        lines += [
            "| " + " | ".join(_md_cell(c.replace("\n", ", ")) for c in row) + " |" for row in rows
        ]
        return "\n".join([*lines, ""])
    if fmt == "table":
        table = _table(title, _CAPTION, header, right={0, 1})
        for row in rows:
            table.add_row(*row)
        return _print(table, width)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def render_index_info(info: IndexInfo, fmt: str) -> str:
    """Return what a saved index holds (``matcher index info``): JSON, or lines of text."""
    if fmt == "json":
        return json.dumps(dataclasses.asdict(info), indent=2, ensure_ascii=False) + "\n"
    settings = ", ".join(f"{key}={value}" for key, value in info.settings.items())
    skills = "off" if info.skills is None else f"{info.skills} skills from {info.vocabulary_source}"
    lines = [
        f"index:      {info.folder}",
        f"format:     {info.format} {info.version}, created {info.created or 'unknown'}",
        f"listings:   {info.listings}",
        f"terms:      {info.terms} ({info.nnz} postings)",
        f"vocabulary: {skills}",
        *(f"            {credit}" for credit in info.attributions),
        f"settings:   {settings}",
        f"size:       {info.bytes:,} bytes in {len(info.files)} files",
    ]
    return "\n".join(lines) + "\n"
