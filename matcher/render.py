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
        "matches": [_match_with_listing(match) for match in report.matches],
        "listings": {
            "count": report.listings_count,
            "duplicates_dropped": report.duplicates_dropped,
            "empty_skipped": report.empty_skipped,
            "considered": report.listings_considered,
            "location": report.location,
        },
        "attributions": list(report.attributions),
        "warnings": list(report.warnings),
    }


def _match_to_dict(match: Match | Candidate) -> dict[str, Any]:
    """Return what explains one score: parts, coverage, skills and terms (shared by formats)."""
    coverage = match.coverage
    return {
        "rank": match.rank,
        "score": match.score,
        "parts": dict(match.parts),
        "coverage": None
        if coverage is None
        else {
            "asked": coverage.asked,
            "covered": coverage.covered,
            "required": coverage.required,
            "required_covered": coverage.required_covered,
            "text": coverage_text(match),
        },
        "matched": [
            {
                "skill": s.skill,
                "contribution": s.contribution,
                "share": s.share,
                "kind": s.kind,
                "required": s.required,
            }
            for s in match.matched
        ],
        "missing": [
            {"skill": s.skill, "weight": s.weight, "required": s.required, "kind": s.kind}
            for s in match.missing
        ],
        "terms": [
            {"term": t.term, "part": t.part, "contribution": t.contribution, "skill": t.is_skill}
            for t in match.terms
        ],
    }


def _listing_to_dict(listing: Listing) -> dict[str, Any]:
    return {
        "id": listing.id,
        "title": listing.title,
        "company": listing.company,
        "location": listing.location,
        "url": listing.url,
    }


def _match_with_listing(match: Match) -> dict[str, Any]:
    data = _match_to_dict(match)
    return {"rank": data.pop("rank"), "score": data.pop("score"),
            "listing": _listing_to_dict(match.listing), **data}  # fmt: skip


def coverage_text(match: Match | Candidate) -> str:
    """Return "covers 6 of 9 asked skills (required 5 of 6)", or "asks for no skills"."""
    c = match.coverage
    if c is None or c.asked == 0:
        return "asks for no skills"
    s = "" if c.asked == 1 else "s"
    text = f"covers {c.covered} of {c.asked} asked skill{s}"
    if 0 < c.required < c.asked:
        text += f" (required {c.required_covered} of {c.required})"
    return text


def _percent(value: float, score: float) -> str:
    return f"{100 * value / score:.0f}%" if score > 0 else "0%"


def parts_text(match: Match | Candidate, sep: str = " · ") -> str:
    """Return the score split by part as shares: "skills 42% · title 18% · words 40%"."""
    return sep.join(f"{part} {_percent(value, match.score)}" for part, value in match.parts.items())


def _other_terms(match: Match | Candidate, limit: int = 3) -> str:
    """Return the largest shared terms that are not skills, by part, with their share of the
    score: "title: scientist 18%; words: neurips 5%"."""
    others = [t for t in match.terms if not t.is_skill][:limit]
    groups: dict[str, list[str]] = {}
    for t in others:
        groups.setdefault(t.part, []).append(f"{t.term} {_percent(t.contribution, match.score)}")
    return "; ".join(f"{part}: {', '.join(items)}" for part, items in groups.items())


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


def _matched_text(match: Match | Candidate, limit: int = _SHOWN_SKILLS, sep: str = "\n") -> str:
    return _listed([f"{s.skill} {s.share:.0%}" for s in match.matched], limit, sep)


def _missing_text(match: Match | Candidate, limit: int = _SHOWN_MISSING, sep: str = "\n") -> str:
    """Return the missing skills, required first; preferred ones marked, soft ones counted."""
    hard = [s for s in match.missing if s.kind != "soft"]
    soft = len(match.missing) - len(hard)
    items = [s.skill if s.required else f"{s.skill} (preferred)" for s in hard]
    text = _listed(items, limit, sep)
    if soft:
        more = f"+{soft} soft skill{'' if soft == 1 else 's'}"
        text = more if text == "-" else f"{text}{sep}{more}"
    return text


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
_CAPTION = (
    "Score (0 to 1): skills, title and words, each part a cosine similarity with its weight; "
    "the shares under it add up to the score. Matched skills, and the largest other shared "
    "terms under the listing, show their share of the score. Missing: asked-for skills the "
    "resume lacks, required first."
)


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
    # Titles, places and coverage wrap; skills keep a line each, and a share ends each line,
    # so a name too long for its column is cut before the figure is (see _fit).
    table.add_column("Listing", min_width=20)
    table.add_column("Matched skills", no_wrap=True, max_width=30)
    table.add_column("Missing skills", no_wrap=True, max_width=30)
    for match in report.matches:
        others = _other_terms(match)
        table.add_row(
            str(match.rank),
            f"{match.score:.3f}\n" + parts_text(match, "\n"),
            f"{match.listing.title}\n{_where(match)}\n{coverage_text(match)}"
            + (f"\n{others}" if others else ""),
            _fit(_matched_text(match), 30),
            _fit(_missing_text(match), 30),
        )
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width, color_system=None, force_terminal=False, highlight=False
    )
    console.print(table, markup=False)
    return _lines(buffer.getvalue()) + _credits(report.attributions, width)


def _fit(cell: str, width: int) -> str:
    """Return ``cell`` with each line at most ``width`` wide, cutting the name, not a share."""
    lines = []
    for line in cell.split("\n"):
        if len(line) > width:
            name, _, figure = line.rpartition(" ")
            if figure.endswith("%") and name:
                line = name[: width - len(figure) - 2] + "\u2026 " + figure
            else:
                line = line[: width - 1] + "\u2026"
        lines.append(line)
    return "\n".join(lines)


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
        lines += wrap.wrap(f"    score: {parts_text(match, ', ')}; {coverage_text(match)}")
        lines += wrap.wrap("    matched: " + _matched_text(match, sep=", "))
        lines += wrap.wrap("    missing: " + _missing_text(match, sep=", "))
        if _other_terms(match):
            lines += wrap.wrap("    also: " + _other_terms(match))
        lines.append("")
    lines += textwrap.wrap(_CAPTION, max(width, 30))
    return "\n".join(lines) + "\n" + _credits(report.attributions, width)


def render_markdown(report: MatchReport) -> str:
    """Return a Markdown table, for reports and issue trackers."""
    lines = [f"**{summary(report)}**", ""]
    if not report.matches:
        return "\n".join([*lines, _empty_message(report), ""])
    lines += [
        "| Rank | Score | Parts | Title | Company | Location | Coverage | Matched skills "
        "| Missing skills | Other words |",
        "|---:|---:|---|---|---|---|---|---|---|---|",
    ]
    for match in report.matches:
        listing = match.listing
        title = f"[{listing.title}]({listing.url})" if listing.url else listing.title
        cells = [
            str(match.rank),
            f"{match.score:.3f}",
            parts_text(match, ", "),
            title,
            listing.company or "",
            listing.location or "",
            coverage_text(match),
            _matched_text(match, limit=10, sep=", "),
            _missing_text(match, limit=10, sep=", "),
            _other_terms(match),
        ]
        lines.append("| " + " | ".join(_md_cell(cell) for cell in cells) + " |")
    return "\n".join([*lines, "", _CAPTION, ""]) + _md_credits(report.attributions)


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
        "listings), by what naming each would add to their scores"
    )
    caption = (
        "Gain: how much the score (0 to 1) of each listing that asks for the skill rises, on "
        "average, when the resume names it once more (in brackets, as a share of those "
        "scores), every score re-computed exactly; the "
        "list is ordered by gain times how many ask. Moves: those listings' places among the "
        f"{n} that change."
    )
    left = _left_out(report)
    if left:
        caption += f" Left out: {left}."
    if not report.gaps:
        message = "No listing shares a term with this resume." if not n else "None to advise."
        return f"{title}\n{message}\n" + (f"{left[0].upper()}{left[1:]}.\n" if left else "")
    rows = [
        [
            str(i),
            g.skill,
            g.kind or "-",
            f"+{g.gain:.3f} ({g.relative:+.0%})",
            f"{g.asked_by} of {n}" + (f", {g.required_by} require" if g.required_by else ""),
            ", ".join(f"#{a}\u2192#{b}" for a, b in g.moves) or "-",
        ]
        for i, g in enumerate(report.gaps, 1)
    ]
    header = ["#", "Skill", "Kind", "Gain", "Asked by", "Moves"]
    if fmt == "markdown":
        lines = [f"**{title}**", "", "| " + " | ".join(header) + " |"]
        lines += ["|---:|---|---|---:|---:|---|"]
        lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
        return "\n".join([*lines, "", caption, ""]) + _md_credits(report.attributions)
    if fmt == "table":
        table = _table(title, caption, header, right={0, 3, 4})
        for row in rows:
            table.add_row(*row)
        return _print(table, width) + _credits(report.attributions, width)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def _left_out(report: GapReport) -> str:
    """Return what the gap report leaves out and why, or "" if nothing."""
    parts = []
    if report.not_helping:
        s = "" if report.not_helping == 1 else "s"
        parts.append(f"{report.not_helping} skill{s} that would not raise the scores")
    if report.kinds_left_out:
        s = "" if report.kinds_left_out == 1 else "s"
        parts.append(f"{report.kinds_left_out} soft skill{s} (--kinds to include them)")
    return "; ".join(parts)


def gaps_to_dict(report: GapReport) -> dict[str, Any]:
    """Return the gap report as JSON-ready data."""
    return {
        "gaps": [
            {
                "skill": g.skill,
                "kind": g.kind,
                "gain": g.gain,
                "relative": g.relative,
                "asked_by": g.asked_by,
                "required_by": g.required_by,
                "gains": list(g.gains),
                "moves": [{"from": a, "to": b} for a, b in g.moves],
            }
            for g in report.gaps
        ],
        "matches": [_match_with_listing(m) for m in report.matches],
        "listings": {"count": report.listings_count},
        "left_out": {"not_helping": report.not_helping, "kinds": report.kinds_left_out},
        "attributions": list(report.attributions),
        "warnings": list(report.warnings),
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
        "warnings": list(report.warnings),
    }


# ------------------------------------------------------------------- batches and candidates


def render_many(results: list[tuple[str, list[Match] | MatcherError]]) -> str:
    """Return JSON Lines: one object per resume, ``{"resume": ..., "matches": [...]}``, or
    ``{"resume": ..., "error": ...}`` for one that could not be read."""
    return "".join(
        json.dumps({"resume": name, "error": result.problem} if isinstance(result, MatcherError)
                   else {"resume": name, "matches": [_match_with_listing(m) for m in result]},
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
                {"rank": c.rank, "score": c.score, "resume": c.resume, **_match_to_dict(c)}
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
            _matched_text(c),
            _missing_text(c),
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
