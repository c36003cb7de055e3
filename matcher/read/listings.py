"""Listings files and folders in, ``Listing`` objects out, identical ones collapsed."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import ListingFormatError
from ..models import Listing, ListingSet
from .fields import FIELDS, facts, lower_keys, text_field
from .json import json_records, jsonl_records
from .limits import Limits
from .markup import html_to_text, looks_like_html, markup_to_text
from .normalise import normalise, valid_unicode
from .pages import text_records
from .tables import csv_records, is_table
from .text import decode_text, read_bytes, text_lines
from .titles import guess_title

LISTING_SUFFIXES = (".txt", ".json", ".jsonl", ".ndjson", ".csv", ".tsv")


def load_listings(
    paths: str | Path | Iterable[str | Path], limits: Limits | None = None
) -> ListingSet:
    """Return the listings in the given files and folders, identical ones collapsed.

    Reads seed-page text (location line + description line pairs), JSON (a list of objects),
    JSON Lines and CSV/TSV. A folder contributes every supported file below it. JSON Lines,
    CSV and TSV files are read a record at a time, so memory grows with the listings kept, not
    with the file; ``.json`` and ``.txt`` files are read whole. ``limits`` (default
    ``Limits.from_env()``, raised by ``MATCHER_MAX_INPUT_MB``) bounds a file read whole, one
    record, and one description. Raises ``ListingFormatError`` naming the file (and line).
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    limits = limits or Limits.from_env()
    empty = 0

    def listings() -> Iterator[Listing]:
        nonlocal empty
        for file in _expand(paths):
            for listing in _read_listing_file(file, limits):
                if listing is None:
                    empty += 1
                else:
                    yield listing

    # Duplicates are dropped as they come: memory holds the listings kept, not the file.
    collapsed, dropped = _collapse_duplicates(listings())
    return ListingSet(
        tuple(_unique_ids(collapsed)), duplicates_dropped=dropped, empty_skipped=empty
    )


def _expand(paths: Iterable[str | Path]) -> Iterator[Path]:
    given = False
    for raw in paths:
        given = True
        path = Path(raw)
        if path.is_dir():
            if _is_saved_index(path):
                raise ListingFormatError(
                    path, "is a saved matcher index, not listings (give it with --index)"
                )
            indexes = {m.parent for m in path.rglob("meta.json") if _is_saved_index(m.parent)}
            files = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in LISTING_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
                and not indexes.intersection(p.parents)  # an index's own files are not listings
            )
            if not files:
                raise ListingFormatError(
                    path, f"no listing files in this folder ({', '.join(LISTING_SUFFIXES)})"
                )
            yield from files
        elif path.exists():
            if path.suffix.lower() not in LISTING_SUFFIXES:
                raise ListingFormatError(
                    path,
                    f"unsupported listings format '{path.suffix}'"
                    f" (supported: {', '.join(LISTING_SUFFIXES)})",
                )
            yield path
        else:
            raise ListingFormatError(path, "no such file or folder")
    if not given:
        raise ListingFormatError("<listings>", "no listings files given")


def _read_listing_file(path: Path, limits: Limits) -> Iterator[Listing | None]:
    """Yield the listings of one file as they are read, None for each without a description."""
    suffix = path.suffix.lower()
    records: Iterable[tuple[str, Mapping[str, Any]]]
    if suffix in (".jsonl", ".ndjson"):
        records = jsonl_records(text_lines(path, ListingFormatError, limits, "\n"), path)
    elif suffix in (".csv", ".tsv"):
        records = csv_records(
            lambda: text_lines(path, ListingFormatError, limits),
            path,
            "\t" if suffix == ".tsv" else None,
            limits.file_bytes,
        )
    else:
        text = decode_text(read_bytes(path, ListingFormatError, limits), path, ListingFormatError)
        if not text.strip():
            raise ListingFormatError(path, "the file is empty")
        if suffix == ".json":
            records = json_records(text, path)
        elif is_table(text):
            records = csv_records(
                lambda: io.StringIO(text, newline=""), path, "\t", limits.file_bytes
            )
        else:
            records = text_records(text, path)
    seen = found = 0
    for where, record in records:
        seen += 1
        listing = _listing(record, path, where, limits)
        found += listing is not None
        yield listing
    if not seen and suffix != ".json":
        raise ListingFormatError(path, "the file is empty")
    if not found:
        raise ListingFormatError(path, "no listings with a description")


def _listing(record: Mapping[str, Any], path: Path, where: str, limits: Limits) -> Listing | None:
    record = lower_keys(record)
    if not any(name in record for name in FIELDS["description"]):
        raise ListingFormatError(path, f"{where} has no 'description' or 'text' field")
    fields = {key: text_field(record, names) for key, names in FIELDS.items()}
    # A JSON file may hold lone surrogates ("\\ud800"); fields not normalised lose them here.
    fields = {key: valid_unicode(value) if value else value for key, value in fields.items()}
    raw = fields["description"]
    if not raw:
        return None
    if len(raw) > limits.text_chars:
        raise limits.refuse(
            ListingFormatError,
            path,
            f"{where}: a description of {len(raw):,} characters",
            f"{limits.text_chars:,}",
            len(raw) / limits.text_chars,
        )
    description = normalise(markup_to_text(raw)).strip()
    if not description:
        return None
    title = _clean(fields["title"])
    return Listing(
        id=fields["id"] or content_id(description),
        title=title or guess_title(description),
        description=description,
        company=_clean(fields["company"]),
        location=_clean(fields["location"]),
        url=fields["url"],
        source=str(path),
        **facts(record),
    )


def _clean(value: str | None) -> str | None:
    """Return a short field (title, company, location) as plain one-line text."""
    if value is None:
        return None
    text = " ".join(normalise(html_to_text(value) if looks_like_html(value) else value).split())
    return text or None


def content_id(description: str) -> str:
    """Return a stable id for a listing with none: a hash of its normalised text."""
    return hashlib.sha1(_normalise(description).encode("utf-8")).hexdigest()[:12]


# How a saved index's meta.json begins (``index/store`` writes "format" first): enough to tell an
# index folder from listings without reading the index (this stage comes before the index's).
_INDEX_MARKER = b'"format": "matcher-index"'


def _is_saved_index(folder: Path) -> bool:
    """Whether ``folder`` holds a saved matcher index (its meta.json names the format)."""
    try:
        with (folder / "meta.json").open("rb") as file:
            return _INDEX_MARKER in file.read(256)
    except OSError:
        return False


def content_key(description: str) -> int:
    """Return ``content_id`` as a number (48 bits), as a saved index keeps it per listing."""
    return int(content_id(description), 16)


def _normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


def _collapse_duplicates(listings: Iterable[Listing]) -> tuple[list[Listing], int]:
    """Keep the first of listings with identical text; remember the others' locations."""
    # Keyed by a digest, not the text: the text would double the memory of a large file.
    kept: dict[bytes, Listing] = {}
    dropped = 0
    for listing in listings:
        key = hashlib.sha1(_normalise(listing.description).encode("utf-8")).digest()
        first = kept.get(key)
        if first is None:
            kept[key] = listing
            continue
        dropped += 1
        if listing.location and listing.location not in (first.location or "").split("; "):
            merged = f"{first.location}; {listing.location}" if first.location else listing.location
            kept[key] = replace(first, location=merged)
    return list(kept.values()), dropped


def _unique_ids(listings: list[Listing]) -> Iterator[Listing]:
    seen: dict[str, int] = {}
    for listing in listings:
        count = seen.get(listing.id, 0) + 1
        seen[listing.id] = count
        yield listing if count == 1 else replace(listing, id=f"{listing.id}-{count}")
