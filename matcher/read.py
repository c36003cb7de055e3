"""Stage 1, read: listings files and resumes in, plain text and ``Listing`` objects out.

Nothing here knows about terms or scores. Every problem with a file the user gave is raised as a
``ListingFormatError`` or ``ResumeReadError`` naming the file, so the CLI can print one line.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from .errors import ListingFormatError, MatcherError, ResumeReadError
from .models import UNTITLED, Listing, ListingSet

LISTING_SUFFIXES = (".txt", ".json", ".jsonl", ".ndjson", ".csv", ".tsv")
RESUME_SUFFIXES = (".txt", ".md", ".pdf", ".docx")
# Formats people try that we cannot read: refuse them by name rather than decode them as text.
_UNSUPPORTED_RESUME_SUFFIXES = (".doc", ".rtf", ".odt", ".pages", ".png", ".jpg", ".jpeg")

# Field names accepted in JSON and CSV records, first match wins. JobSpy's CSV export
# (title, company, location, description, job_url, ...) needs no mapping.
_FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("id", "job_id", "listing_id"),
    "title": ("title", "job_title", "position"),
    "company": ("company", "company_name", "employer", "hiring_org", "organization"),
    "location": ("location", "job_location", "locality", "city"),
    "description": ("description", "text", "job_description", "body"),
    "url": ("url", "job_url", "job_url_direct", "link", "apply_url"),
}


# Records as read from a file, each with where it stood ("line 4", "item 2") for messages.
_Records = list[tuple[str, Mapping[str, Any]]]

# --------------------------------------------------------------------------- decoding


def decode_text(data: bytes, source: str | Path, error: type[MatcherError]) -> str:
    """Return ``data`` decoded as UTF-8 (BOM or not), UTF-16 with a BOM, or Windows-1252/Latin-1.

    Raises ``error`` for binary data (NUL bytes without a UTF-16 BOM) and for bytes that only
    decode to control characters, which means the file is in no encoding we can trust.
    """
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[len(codecs.BOM_UTF8) :], "utf-8", source, error)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", source, error)
    if b"\x00" in data:
        raise error(source, "looks like a binary file, not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    bad = _CONTROL.search(text)
    if bad:
        raise error(
            source,
            f"undecodable byte at character {bad.start()}: save the file as UTF-8 text",
        )
    return text


# C0 controls other than tab, newline, vertical tab, form feed and carriage return, DEL, and the
# C1 block: real text in any of our encodings does not contain them.
_CONTROL = re.compile(r"[\x01-\x08\x0e-\x1f\x7f-\x9f]")


def _strict(data: bytes, encoding: str, source: str | Path, error: type[MatcherError]) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise error(
            source, f"not valid {encoding.upper()} at byte {exc.start} despite its byte-order mark"
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def _read_bytes(path: Path, error: type[MatcherError]) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise error(path, "no such file") from None
    except IsADirectoryError:
        raise error(path, "is a folder, not a file") from None
    except PermissionError:
        raise error(path, "permission denied") from None


# --------------------------------------------------------------------------- resumes


def read_resume(path: str | Path) -> str:
    """Return the text of a resume: ``.txt``, ``.md``, ``.pdf``, ``.docx``, or ``-`` for stdin."""
    if str(path) == "-":
        text = decode_text(sys.stdin.buffer.read(), "<stdin>", ResumeReadError)
        return _non_empty(text, "<stdin>")
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in _UNSUPPORTED_RESUME_SUFFIXES:
        raise ResumeReadError(
            path,
            f"unsupported resume format '{suffix}' (supported: {', '.join(RESUME_SUFFIXES)});"
            " save it as PDF, DOCX or text",
        )
    data = _read_bytes(path, ResumeReadError)
    if suffix == ".pdf":
        text = _pdf_text(data, path)
        if not text.strip():
            raise ResumeReadError(
                path, "the PDF has no extractable text (a scanned image?); save it as text or DOCX"
            )
        return text
    if suffix == ".docx":
        return _non_empty(_docx_text(data, path), path)
    return _non_empty(decode_text(data, path, ResumeReadError), path)


def _non_empty(text: str, source: str | Path) -> str:
    if not text.strip():
        raise ResumeReadError(source, "the resume is empty")
    return text


def _pdf_text(data: bytes, path: Path) -> str:
    from pypdf import PdfReader  # imported here: only PDF resumes pay for it
    from pypdf.errors import PyPdfError

    if not data.lstrip().startswith(b"%PDF"):
        raise ResumeReadError(path, "not a PDF file (no %PDF header)")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ResumeReadError(path, "the PDF is password-protected")
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except ResumeReadError:
        raise
    # A damaged file can surface from pypdf's parser as any of these; all mean "unreadable".
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise ResumeReadError(path, f"not a readable PDF ({type(exc).__name__})") from exc


def _docx_text(data: bytes, path: Path) -> str:
    import zipfile

    import docx  # python-docx; imported here: only DOCX resumes pay for it
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise ResumeReadError(path, "not a readable DOCX file") from exc
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells: list[str] = []
                for cell in row.cells:  # merged cells repeat: keep each text once per row
                    if cell.text not in cells:
                        cells.append(cell.text)
                lines.append(" | ".join(cells))
        else:
            lines.append(block.text)
    return "\n".join(lines)


# --------------------------------------------------------------------------- listings


def load_listings(paths: str | Path | Iterable[str | Path]) -> ListingSet:
    """Return the listings in the given files and folders, identical ones collapsed.

    Reads seed-page text (location line + description line pairs), JSON (a list of objects),
    JSON Lines and CSV/TSV. A folder contributes every supported file below it.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    listings: list[Listing] = []
    empty = 0
    for file in _expand(paths):
        found, skipped = _read_listing_file(file)
        listings.extend(found)
        empty += skipped
    collapsed, dropped = _collapse_duplicates(listings)
    return ListingSet(
        tuple(_unique_ids(collapsed)), duplicates_dropped=dropped, empty_skipped=empty
    )


def _expand(paths: Iterable[str | Path]) -> Iterator[Path]:
    given = False
    for raw in paths:
        given = True
        path = Path(raw)
        if path.is_dir():
            files = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in LISTING_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
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


def _read_listing_file(path: Path) -> tuple[list[Listing], int]:
    text = decode_text(_read_bytes(path, ListingFormatError), path, ListingFormatError)
    if not text.strip():
        raise ListingFormatError(path, "the file is empty")
    suffix = path.suffix.lower()
    if suffix == ".json":
        records = _json_records(text, path)
    elif suffix in (".jsonl", ".ndjson"):
        records = _jsonl_records(text, path)
    elif suffix in (".csv", ".tsv"):
        records = _csv_records(text, path, "\t" if suffix == ".tsv" else ",")
    else:
        records = _text_records(text, path)
    listings: list[Listing] = []
    empty = 0
    for where, record in records:
        listing = _listing(record, path, where)
        if listing is None:
            empty += 1
        else:
            listings.append(listing)
    if not listings:
        raise ListingFormatError(path, "no listings with a description")
    return listings, empty


def _json_records(text: str, path: Path) -> _Records:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ListingFormatError(
            path, f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    if isinstance(data, dict):
        lists = [data[k] for k in ("listings", "jobs", "results", "data") if k in data]
        if lists and isinstance(lists[0], list):
            data = lists[0]
        else:
            data = [data]
    if not isinstance(data, list):
        raise ListingFormatError(path, "expected a JSON list of listing objects")
    return [(f"item {i}", _object(item, path, f"item {i}")) for i, item in enumerate(data, 1)]


def _jsonl_records(text: str, path: Path) -> _Records:
    records: _Records = []
    # Only "\n" ends a JSON Lines record: str.splitlines() would also cut at U+2028, U+0085
    # and other separators that JSON strings may hold as they are.
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ListingFormatError(
                path, f"line {number} is not valid JSON (column {exc.colno}: {exc.msg})"
            ) from None
        records.append((f"line {number}", _object(item, path, f"line {number}")))
    return records


def _object(item: object, path: Path, where: str) -> Mapping[str, Any]:
    if not isinstance(item, dict):
        raise ListingFormatError(path, f"{where} is not a JSON object")
    return item


def _csv_records(text: str, path: Path, delimiter: str) -> _Records:
    # Job descriptions outgrow csv's default 128 KiB field limit; 16 MiB is still a sane bound.
    csv.field_size_limit(max(csv.field_size_limit(), 16 * 1024 * 1024))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
        columns = [name.strip().lower() for name in header]
        if not any(name in columns for name in _FIELDS["description"]):
            raise ListingFormatError(
                path,
                "no column named 'description' or 'text'"
                f" (found: {', '.join(name for name in columns if name) or 'nothing'})",
            )
        records: _Records = []
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


# A seed page's location line: a country code and up to three short parts ("US, WA, Seattle").
_LOCATION_LINE = re.compile(r"[A-Z]{2}(?:, [^,]{1,40}){0,3}")
_SEED_MARKER = "Related content"
_LINE_END = re.compile(r"\r\n|\r|\n")


def _text_records(text: str, path: Path) -> _Records:
    """Read a saved seed page (location line, description line, ...) or a single posting."""
    lines = _LINE_END.split(text)  # not splitlines(): U+2028 may stand inside a description
    start = next((i + 1 for i, line in enumerate(lines) if line.strip() == _SEED_MARKER), None)
    body = [(n, line.strip()) for n, line in enumerate(lines, 1) if line.strip()]
    if start is None:
        if not body or not _LOCATION_LINE.fullmatch(body[0][1]):
            # No seed structure: the whole file is one posting.
            return [("the file", {"description": text.strip()})]
        start = 0
    pairs = [(n, line) for n, line in body if n > start]
    records: _Records = []
    i = 0
    while i < len(pairs):
        number, location = pairs[i]
        if not _LOCATION_LINE.fullmatch(location):
            shown = location if len(location) <= 40 else location[:37] + "..."
            raise ListingFormatError(
                path,
                f"line {number}: expected a location line such as 'US, WA, Seattle',"
                f" found '{shown}'",
            )
        if i + 1 == len(pairs) or _LOCATION_LINE.fullmatch(pairs[i + 1][1]):
            raise ListingFormatError(
                path, f"line {number}: location '{location}' has no description line after it"
            )
        records.append((f"line {number}", {"location": location, "description": pairs[i + 1][1]}))
        i += 2
    if not records:
        raise ListingFormatError(path, f"no listings after the '{_SEED_MARKER}' line")
    return records


def _listing(record: Mapping[str, Any], path: Path, where: str) -> Listing | None:
    fields = {key: _field(record, names) for key, names in _FIELDS.items()}
    if not any(name in record for name in _FIELDS["description"]):
        raise ListingFormatError(path, f"{where} has no 'description' or 'text' field")
    description = fields["description"]
    if not description:
        return None
    return Listing(
        id=fields["id"] or content_id(description),
        title=fields["title"] or guess_title(description),
        description=description,
        company=fields["company"],
        location=fields["location"],
        url=fields["url"],
        source=str(path),
    )


def _field(record: Mapping[str, Any], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = record.get(name)
        if isinstance(value, dict):
            value = ", ".join(str(v) for v in value.values() if v not in (None, ""))
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value if v not in (None, ""))
        if value is None or isinstance(value, bool):
            continue
        text = str(value).strip()
        if text and text.lower() not in ("nan", "none", "null"):
            return text
    return None


def content_id(description: str) -> str:
    """Return a stable id for a listing with none: a hash of its normalised text."""
    return hashlib.sha1(_normalise(description).encode("utf-8")).hexdigest()[:12]


def _normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


def _collapse_duplicates(listings: list[Listing]) -> tuple[list[Listing], int]:
    """Keep the first of listings with identical text; remember the others' locations."""
    kept: dict[str, Listing] = {}
    dropped = 0
    for listing in listings:
        key = _normalise(listing.description)
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


# --------------------------------------------------------------------------- titles

_ROLE = (
    r"(?:Scientist|Engineer|Economist|Manager|Developer|Analyst|Designer|Researcher|Architect"
    r"|Consultant|Specialist|Director|Lead|Technician|Technologist|Nurse|Physician|Teacher"
    r"|Administrator|Coordinator|Officer|Associate|Intern|Accountant|Programmer|Strategist"
    r"|Writer|Editor|Recruiter|Representative|Assistant|Advisor|Adviser|Statistician"
    r"|Mathematician|Therapist|Pharmacist|Supervisor|Practitioner|Planner|Professor)"
)
# Up to five capitalised words (or "of"/"and") before a role noun, plus a level ("II", "3").
# Each word starts at a word's start: tried inside a long word, the pattern would scan to its
# end again and again (quadratic).
_TITLE = (
    r"(?:(?:(?<![\w&+.-])[A-Z][\w&+.-]*|of|and|&),?\s+){0,5}"
    + _ROLE
    + r"s?(?:\s+(?:I{1,3}|IV|V|[1-5])\b)?"
)
_ADJECTIVES = (
    r"(?:(?:passionate|talented|dedicated|skilled|motivated|experienced|innovative|inventive"
    r"|exceptional|strong|driven|highly|curious|creative|seasoned|hands-on),?\s+(?:and\s+)?)*"
)
_TITLE_CUES = [
    re.compile(
        r"(?:Offered Position|Job Title|Position Title|Title)\s*:\s*(?P<t>[^.:;\n]{3,60}?)"
        r"(?=\s+(?:Job Location|Location|Job Number)\b|[.:;\n]|$)"
    ),
    re.compile(
        r"(?i:looking for|seeking|hiring|recruiting|searching for)\s+(?:an?\s+|the\s+)?"
        + _ADJECTIVES
        + r"(?P<t>"
        + _TITLE
        + ")"
    ),
    re.compile(r"(?:\bAs an?|\bjoin (?:us|our team) as an?)\s+(?P<t>" + _TITLE + ")"),
    re.compile(r"(?P<t>" + _TITLE + ")"),
    # Last resort, "As a Prime Video technologist": a lower-case role noun after a cue.
    re.compile(
        r"(?:\bAs an?|\bIf you are an?)\s+(?P<t>(?:[A-Z][\w&+.-]*\s+){0,3}(?i:" + _ROLE + r"))\b"
    ),
]
_LEADING_WORDS = re.compile(r"^(?:(?:A|An|The|Our|As|We|At|Come|Join)\s+)+")
_ANY_ROLE = re.compile(_ROLE + r"s?\b", re.IGNORECASE)
_PLURAL_ROLE = re.compile(r"\b(" + _ROLE + r")s\b")
_LAST_WORD = re.compile(r"(\s)(\w)(\w*)$")


def guess_title(text: str) -> str:
    """Return the job title a description most likely advertises, or "Untitled listing"."""
    for cue in _TITLE_CUES:
        for found in cue.finditer(text):
            title = _LEADING_WORDS.sub("", found.group("t").strip(" ,"))
            if _ANY_ROLE.search(title):
                # "Prime Video technologist" -> "Prime Video Technologist"; plurals singular.
                title = title[0].upper() + title[1:]
                title = _LAST_WORD.sub(lambda m: m[1] + m[2].upper() + m[3], title)
                return _PLURAL_ROLE.sub(r"\1", title)
    return UNTITLED
