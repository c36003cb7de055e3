"""JSON and JSON Lines listings files: records as objects."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import ListingFormatError

# Records as read from a file, each with where it stood ("line 4", "item 2") for messages.
Records = list[tuple[str, Mapping[str, Any]]]


def json_records(text: str, path: Path) -> Records:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ListingFormatError(
            path, f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
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


def jsonl_records(text: str, path: Path) -> Records:
    records: Records = []
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


def _is_job_posting(item: object) -> bool:
    if not isinstance(item, dict):
        return False
    kind = item.get("@type")
    return kind == "JobPosting" or (isinstance(kind, list) and "JobPosting" in kind)
