"""The checks a saved index passes as it loads: meta.json's shape and checksum, each ``.npy``
header, the arrays' shapes and structure, the idf, every posting, and the files' SHA-256.

``read.load_index`` runs them on what it has mapped (having checked each file's size as it
mapped it): the cheap structural ones always (types, shapes, offsets in order, columns in
range, idf), the costly ones (every file's SHA-256, every posting) unless asked not to. Each
raises ``IndexFormatError`` naming the file at fault. Figures: ``benchmarks/integrity.py``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import mmap
from pathlib import Path
from tokenize import TokenError
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # imported where used: a query neither writes nor hashes when trusted
    from concurrent.futures import Future, ThreadPoolExecutor

from ...errors import IndexFormatError
from ...models import PARTS
from ...settings import Settings
from ...weigh import smoothed_idf
from .layout import (
    ARRAYS,
    COLUMN_ARRAYS,
    FORMAT,
    META,
    META_MAX_BYTES,
    OFFSET_TABLES,
    OLDEST,
    VERSION,
    file_names,
    fitted_segments,
    meta_checksum,
    segment_prefix,
)

__all__ = [
    "check_idf",
    "check_postings",
    "check_shapes",
    "check_structure",
    "checked_settings",
    "compare_checksums",
    "npy_array",
    "parse_meta",
    "start_hashing",
]

# ----------------------------------------------------------------------------- meta.json


def parse_meta(data: bytes, shown: Path) -> dict[str, Any]:
    """Return meta.json's fields from its bytes ``data`` (at most ``META_MAX_BYTES`` + 1 read),
    checked: the format marker, a version this matcher reads, every field it needs, its own
    checksum. ``shown``: the index folder as the user named it, for messages.
    """
    path = shown / META
    if len(data) > META_MAX_BYTES:
        raise IndexFormatError(path, "is far too large for an index description")
    try:
        meta = json.loads(data)
    except (ValueError, RecursionError):
        raise IndexFormatError(path, "is not valid JSON; the index is damaged") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise IndexFormatError(path, "is not a matcher index description")
    version = meta.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise IndexFormatError(path, "has no valid format version; the index is damaged")
    if version > VERSION:
        raise IndexFormatError(
            shown, f"was written by a newer matcher (format {version}); this one reads {VERSION}"
        )
    if not _meta_shape_ok(meta):
        raise IndexFormatError(path, "lacks fields this matcher needs; the index is damaged")
    if version < OLDEST:
        raise IndexFormatError(
            shown, f"was written by an older matcher (format {version}); rebuild it with "
            "matcher index build"
        )  # fmt: skip
    if "checksum" in meta or version >= 2:  # a flip of "2" to "1" still leaves the field
        if meta.get("checksum") != meta_checksum(meta):
            raise IndexFormatError(path, "does not match its own checksum; the index was changed")
    return meta


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1 << 40


def _meta_shape_ok(meta: dict[str, Any]) -> bool:
    files, vocabulary = meta.get("files"), meta.get("vocabulary")
    return (
        all(_count(meta.get(key)) for key in ("listings", "terms", "nnz"))
        and isinstance(meta.get("settings"), dict)
        and isinstance(vocabulary, dict)
        and isinstance(vocabulary.get("source"), (str, type(None)))
        and isinstance(vocabulary.get("attributions", []), list)
        and all(isinstance(a, str) for a in vocabulary.get("attributions", []))
        and _segments_ok(meta)
        and isinstance(files, dict)
        and all(
            isinstance(entry, dict)
            and _count(entry.get("bytes"))
            and isinstance(entry.get("sha256"), str)
            for entry in files.values()
        )
    )


def _segments_ok(meta: dict[str, Any]) -> bool:
    """Whether meta.json's segments are numbered in order and add up to its counts."""
    segments = meta.get("segments")
    return (
        isinstance(segments, list)
        and 0 < len(segments) < 1000
        and all(
            isinstance(entry, dict)
            and entry.get("prefix") == segment_prefix(k)
            and _count(entry.get("listings"))
            and _count(entry.get("nnz"))
            for k, entry in enumerate(segments)
        )
        and isinstance(meta.get("fitted", 1), int)
        and not isinstance(meta.get("fitted", 1), bool)
        and 1 <= meta.get("fitted", 1) <= len(segments)
        and sum(entry["listings"] for entry in segments) == meta.get("listings")
        and sum(entry["nnz"] for entry in segments) == meta.get("nnz")
    )


def checked_settings(path: Path, values: dict[str, Any]) -> Settings:
    """Return the ``Settings`` of meta.json's ``settings`` (``values``), refusing a name
    ``Settings`` lacks and a value of another kind than its default's (``path``: meta.json)."""
    defaults = {field.name: field.default for field in dataclasses.fields(Settings)}
    for key, value in values.items():
        if key not in defaults:
            raise IndexFormatError(path, f"has unknown settings (unexpected setting '{key}')")
        default = defaults[key]
        kind = (bool,) if isinstance(default, bool) else (int,) if isinstance(default, int) \
            else (int, float)  # fmt: skip
        bad_bool = isinstance(value, bool) and not isinstance(default, bool)
        if not isinstance(value, kind) or bad_bool or not np.isfinite(value):
            raise IndexFormatError(path, f"has a setting '{key}' of the wrong kind; damaged")
    try:
        return Settings(**values)
    except ValueError as exc:  # a value Settings refuses: out of its range
        raise IndexFormatError(path, f"has settings matcher refuses ({exc}); damaged") from None


# ------------------------------------------------------------------------------ arrays


def npy_array(path: Path, blob: bytes | mmap.mmap, dtype: type) -> np.ndarray:
    """Return the 1-D array of a ``.npy`` file's bytes, refusing any other kind of content."""
    stream = io.BytesIO(blob[:65536])
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, fortran, found = np.lib.format.read_array_header_1_0(stream)
        elif version == (2, 0):
            shape, fortran, found = np.lib.format.read_array_header_2_0(stream)
        else:
            raise ValueError(f"unsupported .npy version {version}")
    except (ValueError, SyntaxError, TypeError, KeyError, RecursionError, TokenError) as exc:
        # numpy parses the header's Python-literal text: these are its ways to refuse it.
        raise IndexFormatError(path, f"is not a plain numpy array ({exc})") from None
    want = np.dtype(dtype)
    if found != want or len(shape) != 1:
        raise IndexFormatError(path, f"is not a plain numpy array of {want} (it holds {found})")
    offset = stream.tell()
    if offset + shape[0] * want.itemsize != len(blob):
        raise IndexFormatError(path, "has the wrong size for its header; the index is damaged")
    return np.frombuffer(blob, dtype=want, count=shape[0], offset=offset)


def check_shapes(shown: Path, arrays: dict[str, np.ndarray], entry: dict[str, Any], v: int) -> None:
    """Check that each array of the segment ``entry`` (of meta.json's ``segments``; the
    index's own arrays included) has the length meta.json's counts give it (``ARRAYS``)."""
    prefix, n, nnz = entry["prefix"], entry["listings"], entry["nnz"]
    for name, spec in ARRAYS.items():
        length = spec.length(n, v, nnz)
        if length is not None and arrays[name].shape != (length,):
            raise IndexFormatError(
                shown / f"{prefix if spec.segment else ''}{name}.npy",
                "has the wrong shape for meta.json",
            )


def check_structure(
    shown: Path,
    arrays: dict[str, np.ndarray],
    sizes: dict[str, int],
    v: int,
    prefix: str = "",
    *,
    first: bool = True,
) -> None:
    """Check what is cheap to check and would otherwise crash a query or mislead it: a
    segment's arrays (named with ``prefix``) always, the index's own with the ``first``."""

    def path(name: str) -> Path:
        return shown / f"{prefix if ARRAYS[name].segment else ''}{name}.npy"

    for name, cuts in OFFSET_TABLES.items():
        table = arrays[name]
        end = len(arrays[cuts]) if cuts in arrays else sizes[cuts]
        if len(table) == 0 or table[0] != 0 or table[-1] != end:
            raise IndexFormatError(path(name), "does not match the data it indexes")
        if len(table) > 1 and bool((np.diff(table) < 0).any()):
            raise IndexFormatError(path(name), "has offsets out of order; damaged")
    for name in COLUMN_ARRAYS:
        values = arrays[name]
        if len(values) and (values.min() < 0 or values.max() >= v):
            raise IndexFormatError(path(name), "points outside the index")
    if len(arrays["asked_required"]) != len(arrays["asked_columns"]):
        raise IndexFormatError(path("asked_required"), "does not fit the asked skills")
    if not first:
        return
    parts = arrays["parts"]
    if len(parts) and parts.max() >= len(PARTS):
        raise IndexFormatError(path("parts"), "names a part that does not exist; damaged")
    for name in ("query_floors", "listing_floors"):
        floors = arrays[name]
        if not bool(np.isfinite(floors).all()) or bool((floors < 0).any()):
            raise IndexFormatError(path(name), "holds values that are not floors")
    for name, kind in (("term_hashes", np.uint64), ("repeated", np.int64)):
        keys = arrays[name].astype(kind, copy=False)
        if len(keys) > 1 and not bool((keys[1:] > keys[:-1]).all()):
            raise IndexFormatError(path(name), "is not in order; the index is damaged")


def check_idf(shown: Path, meta: dict[str, Any], segments: list[dict[str, np.ndarray]]) -> None:
    """Check that the idf is the one the postings of the first ``fitted`` segments give."""
    # The idf was fitted on the first ``fitted`` segments: later ones are weighed with it.
    fitted = fitted_segments(meta)
    n = sum(entry["listings"] for entry in meta["segments"][:fitted])
    df = np.sum([np.diff(arrays["indptr"]) for arrays in segments[:fitted]], axis=0)
    if not np.allclose(segments[0]["idf"], smoothed_idf(n, df), rtol=1e-12, atol=0.0):
        raise IndexFormatError(shown / "idf.npy", "does not fit the postings; the index is damaged")


def check_postings(shown: Path, arrays: dict[str, np.ndarray], n: int, prefix: str = "") -> None:
    """Check every posting: a row inside the listings, rows rising within a term, a weight
    in [0, 1] (NaN and infinity fail). A block at a time, so memory stays flat.

    Listing vectors' lengths (at most 1) are not checked here (a pass of scattered adds, costing
    more than all the rest): scoring (``matcher.search.kernels``) refuses any score outside
    [0, 1] instead.
    """
    rows, weights, starts = arrays["rows"], arrays["weights"], arrays["indptr"][:-1]
    block = 1 << 22
    for at in range(0, len(rows), block):
        stop = min(len(rows), at + block)
        here, w = rows[at:stop], weights[at:stop]
        if here.min() < 0 or here.max() >= n:
            raise IndexFormatError(
                shown / f"{prefix}rows.npy", "points outside the listings; damaged"
            )
        if not (w.min() >= 0.0 and w.max() <= 1.0):  # NaN compares false
            raise IndexFormatError(
                shown / f"{prefix}weights.npy", "holds weights outside [0, 1]; damaged"
            )
        # Within a term's postings rows rise; a fall is allowed only where a term starts.
        after = rows[at + 1 : min(len(rows), stop + 1)]
        falls = np.flatnonzero(after <= rows[at : at + len(after)]) + at + 1
        if len(falls):
            where = np.minimum(np.searchsorted(starts, falls), len(starts) - 1)
            if not bool((starts[where] == falls).all()):
                raise IndexFormatError(
                    shown / f"{prefix}rows.npy", "is out of order; the index is damaged"
                )


# --------------------------------------------------------------------------- checksums


def start_hashing(pool: ThreadPoolExecutor, blobs: dict[str, Any]) -> dict[str, Future[str]]:
    """Start hashing every mapped file of ``blobs`` (name -> bytes) on ``pool``, the biggest
    first; return each name's future SHA-256 (hex). ``hashlib`` lets go of the GIL."""
    biggest_first = sorted(blobs, key=lambda name: -len(blobs[name]))
    return {name: pool.submit(_sha256_of, blobs[name]) for name in biggest_first}


def _sha256_of(blob: bytes | mmap.mmap) -> str:
    return hashlib.sha256(blob).hexdigest()


def compare_checksums(shown: Path, meta: dict[str, Any], digests: dict[str, Future[str]]) -> None:
    """Check each hashed file's SHA-256 (``start_hashing``) against meta.json's, in the order
    of ``file_names``; waits for the hashes."""
    for name in file_names(meta):
        if name in digests and digests[name].result() != meta["files"][name]["sha256"]:
            raise IndexFormatError(
                shown / name,
                "does not match its checksum; the index was changed (build it again: "
                "matcher index build LISTINGS... -o DIR)",
            )
