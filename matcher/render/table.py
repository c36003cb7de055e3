"""Plain-text tables for people at a terminal (rich lays them out; no colour codes)."""

from __future__ import annotations

import io
import textwrap

from rich import box
from rich.console import Console
from rich.style import Style
from rich.table import Table
from rich.text import Text
from rich.theme import Theme

from ..models import Candidate, GapReport, IndexInfo, Listing, MatchReport, SkillsReport
from .data import (
    CANDIDATES_HEADER,
    CAPTION,
    GAP_HEADER,
    SKILLS_HEADER,
    candidate_rows,
    candidates_title,
    coverage_text,
    empty_message,
    gap_rows,
    gaps_caption,
    gaps_title,
    matched_text,
    missing_text,
    no_gaps_text,
    other_terms,
    parts_text,
    plural,
    skill_rows,
    summary,
    where,
)
from .sanitise import clean, sanitised

# With links on, rich writes escape codes: none but the links' (no bold header, no italics).
_PLAIN = Theme(
    {f"table.{name}": "none" for name in ("header", "footer", "title", "caption", "cell")}
)

# Below this width five columns no longer fit: each match is printed as a short block instead.
_NARROW = 88


@sanitised(output=False)  # with links, the escape codes are rich's: cleaned below without
def render_table(report: MatchReport, width: int = 100, links: bool = False) -> str:
    """Return a plain-text table for people, at most ``width`` columns wide.

    Columns are as wide as their content while it fits; past ``width`` the listing column
    wraps first, then skill names are shortened, never a figure. Links to the postings are
    listed under the table, in full; ``links`` also makes each title a terminal hyperlink
    (OSC 8: for a terminal, not for a pipe or a file).
    """
    if not report.matches:
        return clean(f"{summary(report)}\n{empty_message(report)}\n")
    if width < _NARROW:
        return clean(_render_blocks(report, width))
    rows = []
    for match in report.matches:
        others = other_terms(match, join=_GLUE)
        rows.append(
            [
                str(match.rank),
                f"{match.score:.3f}\n" + parts_text(match, "\n"),
                f"{match.listing.title}\n{where(match.listing)}\n{coverage_text(match)}"
                + (f"\n{others}" if others else ""),
                matched_text(match),
                missing_text(match),
            ]
        )
    widths = _widths(rows, width)
    table = Table(
        title=summary(report),
        caption=CAPTION,
        box=box.SIMPLE_HEAD,
        title_justify="left",
        caption_justify="left",
        expand=False,
    )
    table.add_column("#", justify="right", no_wrap=True, width=widths[0])
    table.add_column("Score", justify="right", no_wrap=True, width=widths[1])
    table.add_column("Listing", width=widths[2], no_wrap=True)
    table.add_column("Matched skills", no_wrap=True, width=widths[3])
    table.add_column("Missing skills", no_wrap=True, width=widths[4])
    for match, row in zip(report.matches, rows, strict=True):
        wrapped = _wrap(row[2], widths[2])
        listing: str | Text = wrapped
        if links and match.listing.url:
            listing = Text(wrapped)
            listing.stylize(Style(link=match.listing.url), 0, len(match.listing.title))
        table.add_row(row[0], row[1], listing, fit(row[3], widths[3]), fit(row[4], widths[4]))
    text = print_table(table, width, links=links)
    text += _link_notes(report) + credits(report.attributions, width)
    return text if links else clean(text)


# The narrowest a column may become before the table gives up on a column (cells wrap or are
# shortened to it): a listing's title wraps, a skill's name is shortened.
_MIN_LISTING = 20
_MIN_SKILLS = 18


def _widths(rows: list[list[str]], width: int) -> list[int]:
    """Return the five columns' widths: their content's, shrunk to fit ``width`` if needed."""
    natural = [max(_longest(row[i]) for row in rows) for i in range(5)]
    natural[0] = max(natural[0], 1)
    natural[1] = max(natural[1], len("Score"))
    natural[3] = max(natural[3], len("Matched skills"))
    natural[4] = max(natural[4], len("Missing skills"))
    room = width - (3 * 5 + 1)  # rich's padding and edges around five columns
    if sum(natural) <= room:
        return natural
    widths = list(natural)
    # First the listing wraps, down to its least; then the skill columns share what is left.
    widths[2] = max(_MIN_LISTING, room - sum(natural) + natural[2])
    # Then the wider skill column gives a character, until the table fits or both are at
    # their least (rich then wraps the listing column further).
    while sum(widths) > room and max(widths[3], widths[4]) > _MIN_SKILLS:
        widths[3 if widths[3] > widths[4] else 4] -= 1
    return widths


# Holds a term to its share ("two 3%") while a cell is wrapped: textwrap breaks only at ASCII
# white space, so a no-break space is never a break, and it is made a space afterwards.
_GLUE = "\u00a0"


def _wrap(cell: str, width: int) -> str:
    """Return ``cell`` with each line wrapped to ``width``, never between a term and its share."""
    lines = []
    for line in cell.split("\n"):
        lines += textwrap.wrap(line, width, break_on_hyphens=False) or [""]
    return "\n".join(lines).replace(_GLUE, " ")


def _longest(cell: str) -> int:
    return max((len(line) for line in cell.split("\n")), default=0)


def _link_notes(report: MatchReport) -> str:
    """Return the postings' addresses under the table, in full: "Links: 1 https://..."."""
    lines = [f"  {m.rank:>2}  {m.listing.url}" for m in report.matches if m.listing.url]
    return "\nLinks to the postings:\n" + "\n".join(lines) + "\n" if lines else ""


def fit(cell: str, width: int) -> str:
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


def credits(attributions: tuple[str, ...], width: int | None) -> str:
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
        lines.append(f"    {where(match.listing)}")
        if match.listing.url:
            lines.append(f"    {match.listing.url}")  # whole: a terminal can open it
        lines += wrap.wrap(f"    score: {parts_text(match, ', ')}; {coverage_text(match)}")
        lines += wrap.wrap("    matched: " + matched_text(match, sep=", "))
        lines += wrap.wrap("    missing: " + missing_text(match, sep=", "))
        if other_terms(match):
            lines += wrap.wrap("    also: " + other_terms(match))
        lines.append("")
    lines += textwrap.wrap(CAPTION, max(width, 30))
    return "\n".join(lines) + "\n" + credits(report.attributions, width)


def make_table(title: str, caption: str | None, header: list[str], right: set[int]) -> Table:
    """Return an empty rich table with these columns (``right``: right-aligned columns)."""
    table = Table(
        title=title,
        caption=caption,
        box=box.SIMPLE_HEAD,
        title_justify="left",
        caption_justify="left",
    )
    for i, name in enumerate(header):
        # Figures (right-aligned) never wrap: the text columns give way instead.
        if i in right:
            table.add_column(name, justify="right", no_wrap=True)
        else:
            table.add_column(name)
    return table


def print_table(table: Table, width: int, links: bool = False) -> str:
    """Return ``table`` laid out ``width`` columns wide, without trailing spaces.

    ``links`` keeps its hyperlinks as terminal escape codes (OSC 8), and nothing else styled.
    """
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        color_system="standard" if links else None,
        force_terminal=links,
        no_color=True,
        highlight=False,
        theme=_PLAIN,
    )
    console.print(table, markup=False)
    return _lines(buffer.getvalue())


# A gap table shows this many rows; JSON and Markdown list every gap.
SHOWN_GAPS = 20


@sanitised()
def render_gaps(report: GapReport, width: int = 100) -> str:
    """Return a gap report as a plain-text table (one block per gap on narrow terminals),
    the first ``SHOWN_GAPS`` gaps, and how many more there are."""
    title = gaps_title(report)
    if not report.gaps:
        return no_gaps_text(report, title)
    rows = gap_rows(report)
    more = len(rows) - SHOWN_GAPS
    rows = rows[:SHOWN_GAPS]
    tail = (
        f"+{plural(more, 'more skill')}: --format json or markdown lists them all.\n"
        if more > 0
        else ""
    )
    if width < _NARROW:
        wrap = textwrap.TextWrapper(width=max(width, 30), subsequent_indent=" " * 5)
        lines = [*textwrap.wrap(title, max(width, 30)), ""]
        for number, skill, kind, gain, asked, moves in rows:
            lines += wrap.wrap(f"{number:>3}. {skill} ({kind})")
            detail = f"{gain}, asked by {asked}" + ("" if moves == "-" else f"; moves {moves}")
            lines += wrap.wrap("     " + detail)
        lines += ["", *textwrap.wrap(gaps_caption(report), max(width, 30))]
        return "\n".join(lines) + "\n" + tail + credits(report.attributions, width)
    table = make_table(title, gaps_caption(report), GAP_HEADER, right={0, 3, 4})
    for row in rows:
        table.add_row(*row)
    return print_table(table, width) + tail + credits(report.attributions, width)


@sanitised()
def render_skills(report: SkillsReport, width: int = 100) -> str:
    """Return the skills found in a file, one table per document."""
    parts = []
    for document in report.documents:
        title, rows = skill_rows(document)
        if not rows:
            parts.append(title + "\n")
            continue
        table = make_table(title, None, SKILLS_HEADER, right={2})
        for row in rows:
            table.add_row(*row)
        parts.append(print_table(table, width))
    return "\n".join(parts) + credits(report.attributions, width)


@sanitised()
def render_candidates(listing: Listing, candidates: list[Candidate], width: int = 100) -> str:
    """Return resumes ranked for one listing as a plain-text table."""
    table = make_table(candidates_title(listing, candidates), CAPTION, CANDIDATES_HEADER, {0, 1})
    for row in candidate_rows(candidates):
        table.add_row(*row)
    return print_table(table, width)


def _segments_text(segments: tuple[int, ...], fitted: int = 1) -> str:
    if len(segments) < 2:
        return ""
    shards = f" in {fitted} shards" if fitted > 1 else ""
    if len(segments) == fitted:
        return shards
    added = sum(segments[fitted:])
    return (
        f"{shards} in {len(segments)} segments ({added:,} added since its statistics were fitted"
        f" on {sum(segments[:fitted]):,}; matcher index optimize refits them)"
    )


@sanitised()
def render_index_info(info: IndexInfo) -> str:
    """Return what a saved index holds as aligned lines of text."""
    settings = ", ".join(f"{key}={value}" for key, value in info.settings.items())
    skills = "off" if info.skills is None else f"{info.skills} skills from {info.vocabulary_source}"
    lines = [
        f"index:      {info.folder}",
        f"format:     {info.format} {info.version}, created {info.created or 'unknown'}",
        f"listings:   {info.listings:,}" + _segments_text(info.segments, info.fitted),
        f"terms:      {info.terms:,} ({info.nnz:,} postings)",
        f"vocabulary: {skills}",
        *(f"            {credit}" for credit in info.attributions),
        f"settings:   {settings}",
        f"size:       {info.bytes:,} bytes in {len(info.files)} files",
    ]
    return "\n".join(lines) + "\n"
