"""CSV and TSV listings files: one listing per row."""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from ..errors import ListingFormatError
from .fields import FIELDS
from .json import RecordStream

# Delimiters a spreadsheet exports with: "," (English Excel, most tools), ";" (Excel where the
# decimal separator is a comma), tab (TSV, Excel's "Unicode Text"), "|".
DELIMITERS = (",", ";", "\t", "|")
_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_ODD_BACKSLASHES = re.compile(r"(?<!\\)(?:\\\\)*\\(?!\\)")


def sniff_delimiter(text: str, default: str = ",") -> str:
    """Return the delimiter that splits the header line into the most known columns.

    The header decides, not the rows: descriptions are full of commas and semicolons, while a
    header is a handful of short names. Ties and headers naming no known column fall back to
    the delimiter with the most columns, then to ``default``.
    """
    header = text.split("\n", 1)[0]
    known = {name for names in FIELDS.values() for name in names}

    def score(delimiter: str) -> tuple[int, int, bool]:
        names = [n.strip().strip('"').lower() for n in header.split(delimiter)]
        return (sum(n in known for n in names), len(names), delimiter == default)

    return max(DELIMITERS, key=score)


def is_table(text: str) -> bool:
    """Return whether a text file is a table: a tab-separated header with a description column.

    Excel's "Unicode Text" export (UTF-16, tab-separated) is saved as ``.txt``.
    """
    header = text.split("\n", 1)[0]
    names = [n.strip().strip('"').lower() for n in header.split("\t")]
    return len(names) > 1 and any(n in FIELDS["description"] for n in names)


def csv_records(
    lines: Callable[[], Iterable[str]],
    path: Path,
    delimiter: str | None = None,
    field_bytes: int = 16 * 1024 * 1024,
) -> RecordStream:
    """Yield a CSV or TSV file's rows as records keyed by lower-cased column names.

    ``lines`` opens the file's lines afresh (lines keep their ends; ``text_lines``): it is
    read twice, first for the escaping, then for the rows, so memory does not grow with the
    file. ``delimiter`` None sniffs it from the header; a field (which may span lines) longer
    than ``field_bytes`` is refused. A file whose every backslash is doubled
    was written with ``escapechar="\\"`` (JobSpy's ``to_csv``), and is read with it, so that
    "\\\\*nix" is "\\*nix" again. Raises ``ListingFormatError`` naming the file and line.
    """
    doubled = False
    for line in lines():
        if _ODD_BACKSLASHES.search(line):
            escaped = False
            break
        doubled = doubled or "\\\\" in line
    else:
        escaped = doubled
    rows = iter(lines())
    header_line = next(rows, "")
    if not header_line.strip():
        first = next((line for line in rows if line.strip()), None)
        if first is None:
            raise ListingFormatError(path, "the file is empty")
        rows = itertools.chain((first,), rows)
    delimiter = delimiter or sniff_delimiter(header_line)
    # Job descriptions outgrow csv's default 128 KiB field limit (a process-wide setting).
    csv.field_size_limit(field_bytes)
    reader = csv.reader(
        itertools.chain((header_line,), rows),
        delimiter=delimiter,
        strict=True,
        escapechar="\\" if escaped else None,
    )
    try:
        header = next(reader)
        columns = [name.strip().lower() for name in header]
        if not any(name in columns for name in FIELDS["description"]):
            raise ListingFormatError(
                path,
                "no column named 'description' or 'text'"
                f" (found: {', '.join(name for name in columns if name) or 'nothing'};"
                f" read as {_NAMES[delimiter]}-separated)",
            )
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(columns):
                raise ListingFormatError(
                    path,
                    f"line {reader.line_num} has {len(row)} fields, the header has {len(columns)}",
                )
            yield f"line {reader.line_num}", dict(zip(columns, row, strict=True))
    except csv.Error as exc:
        raise ListingFormatError(path, f"line {reader.line_num}: {exc}") from None
