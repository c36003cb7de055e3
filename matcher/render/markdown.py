"""Markdown tables, for notes and issue trackers."""

from __future__ import annotations

from ..models import Candidate, GapReport, Listing, MatchReport, SkillsReport
from .data import (
    CANDIDATES_HEADER,
    CAPTION,
    GAP_HEADER,
    SKILLS_HEADER,
    candidate_rows,
    candidates_title,
    empty_message,
    gap_rows,
    gaps_caption,
    gaps_title,
    matched_text,
    missing_text,
    no_gaps_text,
    other_terms,
    parts_text,
    skill_rows,
    summary,
)
from .data import coverage_text as _coverage
from .sanitise import sanitised


@sanitised()
def render_markdown(report: MatchReport) -> str:
    """Return a Markdown table, for reports and issue trackers."""
    lines = [f"**{summary(report)}**", ""]
    if not report.matches:
        return "\n".join([*lines, empty_message(report), ""])
    lines += [
        "| Rank | Score | Parts | Title | Company | Location | Coverage | Matched skills "
        "| Missing skills | Other words |",
        "|---:|---:|---|---|---|---|---|---|---|---|",
    ]
    for match in report.matches:
        listing = match.listing
        title = f"[{_md_link_text(listing.title)}]({listing.url})" if listing.url else listing.title
        cells = [
            str(match.rank),
            f"{match.score:.3f}",
            parts_text(match, ", "),
            title,
            listing.company or "",
            listing.location or "",
            _coverage(match),
            matched_text(match, limit=10, sep=", "),
            missing_text(match, limit=10, sep=", "),
            other_terms(match),
        ]
        lines.append("| " + " | ".join(md_cell(cell) for cell in cells) + " |")
    return "\n".join([*lines, "", CAPTION, ""]) + md_credits(report.attributions)


def _md_link_text(text: str) -> str:
    return text.replace("[", "\\[").replace("]", "\\]")


def md_credits(attributions: tuple[str, ...]) -> str:
    """Return the vocabularies' credits as Markdown paragraphs in italics."""
    return "".join(f"\n_{credit}_\n" for credit in attributions)


def md_cell(text: str) -> str:
    """Return ``text`` safe inside one Markdown table cell."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


@sanitised()
def render_gaps(report: GapReport) -> str:
    """Return a gap report as a Markdown table."""
    title = gaps_title(report)
    if not report.gaps:
        return no_gaps_text(report, f"**{title}**")
    lines = [f"**{title}**", "", "| " + " | ".join(GAP_HEADER) + " |"]
    lines += ["|---:|---|---|---:|---:|---|"]
    lines += ["| " + " | ".join(md_cell(c) for c in row) + " |" for row in gap_rows(report)]
    return "\n".join([*lines, "", gaps_caption(report), ""]) + md_credits(report.attributions)


@sanitised()
def render_skills(report: SkillsReport) -> str:
    """Return the skills found in a file as one Markdown table per document."""
    parts = []
    for document in report.documents:
        title, rows = skill_rows(document)
        lines = [f"**{title}**", ""]
        if rows:
            lines += ["| " + " | ".join(SKILLS_HEADER) + " |", "|---|---|---:|---|"]
            lines += ["| " + " | ".join(md_cell(c) for c in row) + " |" for row in rows]
            lines.append("")
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts) + md_credits(report.attributions)


@sanitised()
def render_candidates(listing: Listing, candidates: list[Candidate]) -> str:
    """Return resumes ranked for one listing as a Markdown table."""
    rows = candidate_rows(candidates)
    title = candidates_title(listing, candidates)
    lines = [f"**{title}**", "", "| " + " | ".join(CANDIDATES_HEADER) + " |"]
    lines.append("|---:|---:|---|---|---|")
    lines += ["| " + " | ".join(md_cell(c.replace("\n", ", ")) for c in row) + " |" for row in rows]
    return "\n".join([*lines, ""])
