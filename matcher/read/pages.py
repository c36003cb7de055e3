"""Saved job-board pages (.txt): location line and description line pairs, or one posting."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import ListingFormatError
from .json import Records

# A seed page's location line: a country code and up to three short parts ("US, WA, Seattle").
_LOCATION_LINE = re.compile(r"[A-Z]{2}(?:, [^,]{1,40}){0,3}")
_SEED_MARKER = "Related content"
_LINE_END = re.compile(r"\r\n|\r|\n")


def _is_page(body: list[tuple[int, str]]) -> bool:
    """Return whether non-blank lines alternate location and description from first to last.

    Without the page's marker line only the whole structure tells a saved page from a posting
    whose first line happens to look like a location ("HR", "QA", "IT").
    """
    if not body or len(body) % 2:
        return False
    return all(
        bool(_LOCATION_LINE.fullmatch(line)) == (i % 2 == 0) for i, (_, line) in enumerate(body)
    )


def may_be_page(text: str) -> bool:
    """Return whether ``text`` may be a saved page of listings: it has the page's marker line
    or a line like a location line. False means ``text_records`` would find one posting.

    Cheap (no Markdown or HTML conversion): a ``.txt`` resume is checked with it before being
    read as listings to tell whether it is a saved page given in the resume's place.
    """
    return any(
        line.strip() == _SEED_MARKER or _LOCATION_LINE.fullmatch(line.strip())
        for line in _LINE_END.split(text)
    )


def text_records(text: str, path: Path) -> Records:
    """Return the listings of a saved seed page (location line, description line, ...).

    A file without the "Related content" marker whose lines do not alternate so from first to
    last is one posting. Raises ``ListingFormatError`` for a page with the marker whose
    structure breaks, naming the line.
    """
    lines = _LINE_END.split(text)  # not splitlines(): U+2028 may stand inside a description
    start = next((i + 1 for i, line in enumerate(lines) if line.strip() == _SEED_MARKER), None)
    body = [(n, line.strip()) for n, line in enumerate(lines, 1) if line.strip()]
    if start is None:
        if not _is_page(body):
            # No seed structure: the whole file is one posting.
            return [("the file", {"description": text.strip()})]
        start = 0
    pairs = [(n, line) for n, line in body if n > start]
    records: Records = []
    i = 0
    while i < len(pairs):
        number, location = pairs[i]
        # Messages name lines by number, never by content: a resume given where listings
        # belong can look like a saved page, and its lines are personal data.
        if not _LOCATION_LINE.fullmatch(location):
            raise ListingFormatError(
                path,
                f"line {number}: expected a location line such as 'US, WA, Seattle'"
                f" ({len(location)} characters of other text)",
            )
        if i + 1 == len(pairs) or _LOCATION_LINE.fullmatch(pairs[i + 1][1]):
            raise ListingFormatError(
                path, f"line {number}: a location line has no description line after it"
            )
        records.append((f"line {number}", {"location": location, "description": pairs[i + 1][1]}))
        i += 2
    if not records:
        raise ListingFormatError(path, f"no listings after the '{_SEED_MARKER}' line")
    return records
