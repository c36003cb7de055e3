"""CSV and TSV listings files: one listing per row."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..errors import ListingFormatError
from .fields import FIELDS
from .json import Records


def csv_records(text: str, path: Path, delimiter: str) -> Records:
    # Job descriptions outgrow csv's default 128 KiB field limit; 16 MiB is still a sane bound.
    csv.field_size_limit(max(csv.field_size_limit(), 16 * 1024 * 1024))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
        columns = [name.strip().lower() for name in header]
        if not any(name in columns for name in FIELDS["description"]):
            raise ListingFormatError(
                path,
                "no column named 'description' or 'text'"
                f" (found: {', '.join(name for name in columns if name) or 'nothing'})",
            )
        records: Records = []
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(columns):
                raise ListingFormatError(
                    path,
                    f"line {reader.line_num} has {len(row)} fields, the header has {len(columns)}",
                )
            records.append((f"line {reader.line_num}", dict(zip(columns, row, strict=True))))
    except csv.Error as exc:
        raise ListingFormatError(path, f"line {reader.line_num}: {exc}") from None
    return records
