"""JSON and JSON Lines listings files: records as objects."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from ..errors import ListingFormatError

# Records as read from a file, each with where it stood ("line 4", "item 2") for messages.
Records = list[tuple[str, Mapping[str, Any]]]
RecordStream = Iterator[tuple[str, Mapping[str, Any]]]
# Listings nest 2 or 3 levels (schema.org's jobLocation.address.addressLocality); the field
# readers walk nested values recursively, so deeper values are refused before they do.
MAX_DEPTH = 64
# A number longer than this is read as the text it is written as: a salary, an id or a
# count needs a few digits, while a 5,000-digit integer would stop Python's int parser
# (over 4,300 digits it raises) or become an infinite float.
MAX_NUMBER_CHARS = 100


def json_records(text: str, path: Path) -> Records:
    """Return the listing objects of a JSON document: a list, a JSON-LD graph, or an object
    holding a list under "listings", "jobs", "results" or "data".

    Numbers longer than ``MAX_NUMBER_CHARS``, past a float's range, or written ``NaN`` or
    ``Infinity`` are read as their text, at any depth. Raises ``ListingFormatError`` for
    invalid JSON, values nested deeper than ``MAX_DEPTH`` and items that are not objects.
    """
    data = _loads(text, path, "")
    if isinstance(data, dict) and isinstance(data.get("@graph"), list):
        # JSON-LD: the JobPosting objects among the graph's nodes.
        data = [item for item in data["@graph"] if _is_job_posting(item)] or data["@graph"]
    if isinstance(data, dict):
        lists = [data[k] for k in ("listings", "jobs", "results", "data") if k in data]
        if lists and isinstance(lists[0], list):
            data = lists[0]
        else:
            data = [data]
    if not isinstance(data, list):
        raise ListingFormatError(path, "expected a JSON list of listing objects")
    return [(f"item {i}", _object(item, path, f"item {i}")) for i, item in enumerate(data, 1)]


def jsonl_records(lines: Iterable[str], path: Path) -> RecordStream:
    """Yield the objects of a JSON Lines file, one per non-blank line, as the lines come.

    ``lines`` must end only at "\\n" (``text_lines(..., newline="\\n")``): U+2028, U+0085 and
    other separators may stand in JSON strings as they are. Raises ``ListingFormatError`` as
    ``json_records`` does, naming the line.
    """
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        item = _loads(line, path, f"line {number} ")
        yield f"line {number}", _object(item, path, f"line {number}")


def _loads(text: str, path: Path, where: str) -> Any:
    """Return the value of a JSON text; raise ``ListingFormatError`` if invalid or too deep."""
    try:
        data = json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        if where:
            problem = f"{where}is not valid JSON (column {exc.colno}: {exc.msg})"
        else:
            problem = f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        raise ListingFormatError(path, problem) from None
    except RecursionError:
        data = None  # nested past Python's own parser: the check below says so
        depth = MAX_DEPTH + 1
    else:
        depth = _depth(data)
    if depth > MAX_DEPTH:
        raise ListingFormatError(
            path, f"{where}nests values more than {MAX_DEPTH} levels deep (a listing needs 3)"
        )
    return data


def _int(literal: str) -> int | str:
    """Return a JSON integer's value, or its text when longer than ``MAX_NUMBER_CHARS``."""
    return int(literal) if len(literal) <= MAX_NUMBER_CHARS else literal


def _float(literal: str) -> float | str:
    """Return a JSON number's value, or its text when long or past a float's range."""
    if len(literal) > MAX_NUMBER_CHARS:
        return literal
    value = float(literal)
    return value if math.isfinite(value) else literal


def _constant(literal: str) -> str:
    """Return ``NaN``, ``Infinity`` or ``-Infinity`` (not JSON, which Python accepts) as text."""
    return literal


def _depth(value: Any) -> int:
    """Return how deep lists and objects nest in ``value``, stopping past ``MAX_DEPTH``."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Iterable[Any] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _object(item: object, path: Path, where: str) -> Mapping[str, Any]:
    if not isinstance(item, dict):
        raise ListingFormatError(path, f"{where} is not a JSON object")
    return item


def _is_job_posting(item: object) -> bool:
    if not isinstance(item, dict):
        return False
    kind = item.get("@type")
    return kind == "JobPosting" or (isinstance(kind, list) and "JobPosting" in kind)
