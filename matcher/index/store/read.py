"""Map a saved index back (``load_index``): its postings and arrays memory-mapped, its terms
and listings read from the mapped files only when asked for, without pickle.

Loading holds the index's lock shared while it opens and maps every file it will use
(``locks``), then checks what it mapped (``verify``): the structure always, and by default every
file's SHA-256 and every posting; ``verify=False`` skips the second part for a trusted index.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import mmap
import os
import stat
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import IndexFormatError, MatcherError
from ...models import LazyListings, Listing
from ...settings import Settings
from ...skills import SkillVocabulary
from ...skills.compiled import (
    CompiledVocabularyError,
    StaleCompiledVocabulary,
    csv_sha256,
    read_compiled,
)
from ..model import AnyIndex, Index, Segments
from .layout import (
    ARRAYS,
    META,
    META_MAX_BYTES,
    OPTIONAL_FILES,
    SEGMENT_TEXT_FILES,
    TEXT_FILES,
    absolute,
    backup_path,
    file_names,
    fitted_segments,
    term_hash,
)
from .locks import index_lock
from .verify import (
    check_idf,
    check_postings,
    check_shapes,
    check_structure,
    checked_settings,
    compare_checksums,
    npy_array,
    parse_meta,
    start_hashing,
)

__all__ = ["MappedListings", "MappedTerms", "SavedIndex", "load_index"]


class MappedTerms:
    """The saved terms: hash lookup for term -> column, byte offsets for column -> term."""

    def __init__(self, blob: bytes | mmap.mmap, offsets: np.ndarray, hashes: np.ndarray,
                 order: np.ndarray, source: Path) -> None:  # fmt: skip
        self._blob = blob
        self._offsets = offsets
        self._hashes = hashes
        self._order = order
        self._source = source

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, column: int) -> str:
        start, end = int(self._offsets[column]), int(self._offsets[column + 1])
        try:
            return bytes(self._blob[start:end]).decode("utf-8")
        except UnicodeDecodeError:
            raise IndexFormatError(self._source, f"term {column} is not UTF-8; damaged") from None

    def column(self, term: str) -> int | None:
        """Return the term's column, or None for a term not in the index."""
        wanted = np.uint64(term_hash(term))
        at = int(np.searchsorted(self._hashes, wanted))
        if at >= len(self._hashes) or self._hashes[at] != wanted:
            return None
        column = int(self._order[at])
        return column if self[column] == term else None

    def columns(self, terms: Sequence[str]) -> np.ndarray:
        """Return each term's column (int64), -1 for a term not in the index: one search."""
        out = np.full(len(terms), -1, dtype=np.int64)
        if not len(self._hashes) or not terms:
            return out
        wanted = np.fromiter(map(term_hash, terms), dtype=np.uint64, count=len(terms))
        at = np.minimum(np.searchsorted(self._hashes, wanted), len(self._hashes) - 1)
        hit = self._hashes[at] == wanted
        out[hit] = self._order[at[hit]]
        for i in np.flatnonzero(hit).tolist():  # a 64-bit hash match: check the text itself
            if self[int(out[i])] != terms[i]:
                out[i] = -1
        return out


_LISTING_FIELDS = {field.name: field for field in dataclasses.fields(Listing)}
_REQUIRED = ("id", "title", "description")
# Listing fields that are not text: the JSON types each may hold (besides null).
_TYPED = {"remote": (bool,), "salary_min": (int, float), "salary_max": (int, float)}


def _field_ok(key: str, value: object) -> bool:
    if value is None:
        return True
    kinds = _TYPED.get(key, (str,))
    return isinstance(value, kinds) and (bool not in kinds) == (not isinstance(value, bool))


class MappedListings(LazyListings):
    """The saved listings, each parsed from ``listings.jsonl`` only when asked for."""

    def __init__(self, blob: bytes | mmap.mmap, offsets: np.ndarray, source: Path) -> None:
        self._blob = blob
        self._offsets = offsets
        self._source = source

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def _listing(self, index: int) -> Listing:
        start, end = int(self._offsets[index]), int(self._offsets[index + 1])
        try:
            record = json.loads(bytes(self._blob[start:end]))
        except (ValueError, RecursionError) as exc:
            problem = str(exc) if isinstance(exc, ValueError) else "nested too deep"
            raise IndexFormatError(
                self._source, f"listing {index} is damaged ({problem})"
            ) from None
        if (
            not isinstance(record, dict)
            or any(key not in _LISTING_FIELDS for key in record)
            or any(not isinstance(record.get(key), str) for key in _REQUIRED)
            or not all(_field_ok(key, value) for key, value in record.items())
        ):
            raise IndexFormatError(self._source, f"listing {index} is damaged (wrong fields)")
        return Listing(**record)


@dataclasses.dataclass(frozen=True)
class SavedIndex:
    """What ``load_index`` maps back."""

    index: AnyIndex
    settings: Settings
    vocabulary: Callable[[], SkillVocabulary] | None  # parses the saved vocabulary's text
    checksum: str  # SHA-256 of its meta.json: what ``save_index(expected=...)`` compares
    meta: dict[str, Any]  # meta.json as read
    content_keys: np.ndarray  # uint64, one per listing: ``read.listings.content_key`` of its text
    id_keys: np.ndarray  # uint64, one per listing: ``term_hash`` of its id


def load_index(folder: str | Path, *, verify: bool = True) -> SavedIndex:
    """Map a saved index back, with its settings and vocabulary, checked for damage.

    Every file is opened and mapped (the vocabulary's text read) before this returns, so a
    later rebuild of the folder cannot mix into what was loaded. Always checked: meta.json's
    shape and its own checksum, every file's size, the arrays' types and shapes, offsets in
    order, idf. With ``verify`` (the default) also every file's SHA-256 and every posting:
    rows inside the listings and in order, weights in [0, 1]. Costs: ``benchmarks/integrity.py``.
    Raises ``IndexFormatError``.
    """
    folder = Path(folder)
    where = absolute(folder)
    with index_lock(where, exclusive=False):
        shown = folder
        if not where.is_dir() and backup_path(where).is_dir():
            where, shown = backup_path(where), backup_path(folder)  # a crash between two renames
        meta_bytes, meta = _read_meta(shown, where)
        blobs = {
            name: _open(shown / name, where / name, meta)
            for name in file_names(meta)
            if name not in OPTIONAL_FILES or name in meta["files"]
        }
    # Files hash on other threads (hashlib lets go of the GIL) while the arrays are checked.
    pool = None
    if verify:
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1)
    try:
        digests = start_hashing(pool, blobs) if pool else {}
        try:
            arrays = _arrays(shown, blobs, meta)
            if verify:
                for entry, here in zip(meta["segments"], arrays, strict=True):
                    check_postings(shown, here, entry["listings"], entry["prefix"])
        except IndexFormatError:
            compare_checksums(shown, meta, digests)  # "was changed" says more, if it was
            raise
        compare_checksums(shown, meta, digests)
    finally:
        if pool:
            pool.shutdown(wait=True, cancel_futures=True)
    settings = checked_settings(shown / META, meta["settings"])
    vocabulary = (
        _vocabulary(shown, blobs["skills.csv"], blobs.get("skills.npz"), meta)
        if settings.skills
        else None
    )
    first = arrays[0]
    terms = MappedTerms(
        blobs["terms.txt"],
        first["term_offsets"],
        first["term_hashes"],
        first["term_order"],
        shown / "terms.txt",
    )
    segments = []
    for entry, here in zip(meta["segments"], arrays, strict=True):
        name = entry["prefix"] + "listings.jsonl"
        listings = MappedListings(blobs[name], here["listing_offsets"], shown / name)
        fields = {name: here[name] for name, spec in ARRAYS.items() if not spec.derived}
        segments.append(
            Index(
                listings=listings,
                terms=terms,
                sublinear_tf=settings.sublinear_tf,
                part_weights=np.array(settings.part_weights(), dtype=np.float64),
                **fields,
            )
        )
    index: AnyIndex = (
        segments[0] if len(segments) == 1 else Segments(segments, fitted=fitted_segments(meta))
    )
    checksum = hashlib.sha256(meta_bytes).hexdigest()
    keys = {name: np.concatenate([here[name] for here in arrays]) if len(arrays) > 1
            else arrays[0][name] for name in ("content_keys", "id_keys")}  # fmt: skip
    return SavedIndex(index, settings, vocabulary, checksum, meta, **keys)


def _arrays(
    shown: Path, blobs: dict[str, bytes | mmap.mmap], meta: dict[str, Any]
) -> list[dict[str, np.ndarray]]:
    """Return every segment's arrays (the index's own in each, by name), each checked for type
    and shape, and their structure."""
    v = meta["terms"]
    common = {
        name: npy_array(shown / f"{name}.npy", blobs[f"{name}.npy"], spec.dtype)
        for name, spec in ARRAYS.items()
        if not spec.segment
    }
    out = []
    for k, entry in enumerate(meta["segments"]):
        prefix = entry["prefix"]
        arrays = dict(common)
        for name, spec in ARRAYS.items():
            if spec.segment:
                file = f"{prefix}{name}.npy"
                arrays[name] = npy_array(shown / file, blobs[file], spec.dtype)
        check_shapes(shown, arrays, entry, v)
        sizes = {name: len(blobs[prefix + name]) for name in SEGMENT_TEXT_FILES}
        sizes.update({name: len(blobs[name]) for name in TEXT_FILES})
        check_structure(shown, arrays, sizes, v, prefix, first=k == 0)
        out.append(arrays)
    check_idf(shown, meta, out)
    return out


def _read_meta(shown: Path, where: Path) -> tuple[bytes, dict[str, Any]]:
    """meta.json's bytes and its checked fields (``verify.parse_meta``)."""
    path = shown / META
    if not where.is_dir():
        if where.exists():
            raise IndexFormatError(shown, "is a file, not an index folder")
        raise IndexFormatError(shown, "no such index folder")
    try:
        with (where / META).open("rb") as file:
            data = file.read(META_MAX_BYTES + 1)
    except FileNotFoundError:
        raise IndexFormatError(shown, "is not a matcher index (no meta.json)") from None
    except IsADirectoryError:
        raise IndexFormatError(path, "is a folder, not a file; the index is damaged") from None
    except OSError as exc:
        raise IndexFormatError(path, f"cannot be read ({exc.strerror})") from None
    return data, parse_meta(data, shown)


def _open(shown: Path, path: Path, meta: dict[str, Any]) -> bytes | mmap.mmap:
    """Map one file of the index, after checking it is listed and of the listed size."""
    entry = meta["files"].get(path.name)
    if entry is None:
        raise IndexFormatError(shown, "is not listed in meta.json; the index is damaged")
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        raise IndexFormatError(shown, "is missing; the index is incomplete") from None
    except OSError as exc:
        raise IndexFormatError(shown, f"cannot be read ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise IndexFormatError(shown, "is not a regular file; the index is damaged")
        if info.st_size != entry["bytes"]:
            raise IndexFormatError(shown, "has the wrong size; the index is truncated or damaged")
        if info.st_size == 0:
            return b""
        return mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
    finally:
        os.close(fd)  # the mapping keeps the file


def _vocabulary(
    shown: Path, blob: bytes | mmap.mmap, compiled: bytes | mmap.mmap | None, meta: dict[str, Any]
) -> Callable[[], SkillVocabulary]:
    import csv

    data = bytes(blob)  # read now: a rebuild may replace the file
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise IndexFormatError(shown / "skills.csv", "is not UTF-8; the index is damaged") from None
    source = meta["vocabulary"].get("source") or str(shown / "skills.csv")
    attributions = tuple(meta["vocabulary"].get("attributions") or ())
    ready = bytes(compiled) if compiled is not None else None

    def vocabulary() -> SkillVocabulary:  # parsed on first use: loading stays quick
        try:
            if ready is not None:
                return read_compiled(
                    ready, csv_sha256(data), lambda: csv.DictReader(io.StringIO(text)),
                    shown / "skills.npz", source, attributions=attributions,
                )  # fmt: skip
        except StaleCompiledVocabulary:
            pass  # compiled by another matcher: compile the CSV
        except CompiledVocabularyError as exc:
            raise IndexFormatError(exc.source, exc.problem) from None
        try:
            return SkillVocabulary(
                csv.DictReader(io.StringIO(text)), source=source, attributions=attributions
            )
        except (MatcherError, csv.Error) as exc:
            problem = exc.problem if isinstance(exc, MatcherError) else str(exc)
            raise IndexFormatError(shown / "skills.csv", problem) from None

    return vocabulary
