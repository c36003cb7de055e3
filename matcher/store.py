"""Stage 3b, index: write an index to a folder and map it back, without pickle.

A saved index is a folder of plain files that numpy and json read without running any code
from them:

- ``meta.json``: format name and version, settings, counts, the vocabulary's source and
  attributions, and each file's size and SHA-256;
- ``*.npy`` arrays (loaded with ``allow_pickle=False``, memory-mapped): the postings
  (``indptr``, ``rows``, ``weights``), ``idf``, each term's ``parts``, the skills each
  listing asks for (and whether it requires each), a sorted table of 64-bit term hashes for
  lookup, and offsets into the two text files;
- ``terms.txt``: every term's UTF-8 bytes, back to back (``term_offsets.npy`` cuts them);
- ``listings.jsonl``: one listing per line (``listing_offsets.npy`` finds line ``i``);
- ``skills.csv``: the skill vocabulary the index was built with, so queries analyse text the
  same way whatever vocabularies the user has imported since.

Writes go to a temporary folder beside the target, which is renamed into place at the end: a
crash leaves the previous index whole (at worst, renamed to ``NAME.previous``, which the next
save or load puts back).
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import mmap
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, overload

import numpy as np

from .errors import MatcherError
from .index import Index
from .models import Listing, Settings
from .skills import SkillVocabulary

FORMAT = "matcher-index"
VERSION = 2  # 2: vectors made of parts (skills, title, words), required skills
_ARRAYS = {
    "idf": np.float64,
    "indptr": np.int64,
    "rows": np.int32,
    "weights": np.float32,
    "parts": np.uint8,
    "asked_indptr": np.int64,
    "asked_columns": np.int32,
    "asked_required": np.bool_,
    "query_floors": np.float64,
    "term_hashes": np.uint64,
    "term_order": np.int32,
    "term_offsets": np.int64,
    "listing_offsets": np.int64,
}
_TEXTS = ("terms.txt", "listings.jsonl", "skills.csv")


class IndexFormatError(MatcherError):
    """A saved index is missing, damaged, tampered with, or from a newer matcher."""


def term_hash(term: str) -> int:
    """Return a term's stable 64-bit hash (the same in every process and on every machine)."""
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest(), "little")


# ------------------------------------------------------------------------------------ saving


def save_index(
    index: Index, settings: Settings, vocabulary: SkillVocabulary | None, folder: str | Path
) -> Path:
    """Write ``index`` to ``folder`` atomically; return the folder."""
    target = Path(folder)
    _recover(target)
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    if target.exists() and not (target / "meta.json").is_file():
        raise IndexFormatError(target, "exists and is not a matcher index; not overwriting it")
    work = Path(tempfile.mkdtemp(dir=parent, prefix=f".{target.name}.", suffix=".tmp"))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(work, 0o777 & ~umask)  # mkdtemp makes it private; an index is ordinary data
    try:
        _write(index, settings, vocabulary, work)
        backup = _backup(target)
        if target.exists():
            os.replace(target, backup)
        os.replace(work, target)
        shutil.rmtree(backup, ignore_errors=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return target


def _backup(target: Path) -> Path:
    return target.with_name(target.name + ".previous")


def _recover(target: Path) -> None:
    """Put back an index a crash left renamed to ``NAME.previous``."""
    backup = _backup(target)
    if backup.is_dir() and not target.exists():
        os.replace(backup, target)


def _write(
    index: Index, settings: Settings, vocabulary: SkillVocabulary | None, work: Path
) -> None:
    terms = [index.terms[c] for c in range(len(index.terms))]
    encoded = [t.encode("utf-8") for t in terms]
    term_offsets = np.zeros(len(terms) + 1, dtype=np.int64)
    term_offsets[1:] = np.cumsum([len(b) for b in encoded])
    (work / "terms.txt").write_bytes(b"".join(encoded))
    hashes = np.array([term_hash(t) for t in terms], dtype=np.uint64)
    order = np.argsort(hashes, kind="stable").astype(np.int32)
    if len(np.unique(hashes)) != len(hashes):  # 64-bit: practically never; refuse, not guess
        raise IndexFormatError(work, "two terms share a 64-bit hash; cannot save this index")
    lines = [
        json.dumps(dataclasses.asdict(listing), ensure_ascii=False).encode("utf-8") + b"\n"
        for listing in index.listings
    ]
    listing_offsets = np.zeros(len(lines) + 1, dtype=np.int64)
    listing_offsets[1:] = np.cumsum([len(line) for line in lines])
    (work / "listings.jsonl").write_bytes(b"".join(lines))
    (work / "skills.csv").write_text(vocabulary.to_csv() if vocabulary else "", encoding="utf-8")
    arrays = {
        "idf": index.idf,
        "indptr": index.indptr,
        "rows": index.rows,
        "weights": index.weights,
        "parts": index.parts,
        "asked_indptr": index.asked_indptr,
        "asked_columns": index.asked_columns,
        "asked_required": index.asked_required,
        "query_floors": index.query_floors,
        "term_hashes": hashes[order],
        "term_order": order,
        "term_offsets": term_offsets,
        "listing_offsets": listing_offsets,
    }
    for name, dtype in _ARRAYS.items():
        np.save(work / f"{name}.npy", np.ascontiguousarray(arrays[name], dtype=dtype))
    files = {}
    for path in sorted(work.iterdir()):
        files[path.name] = {"bytes": path.stat().st_size, "sha256": _sha256(path)}
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "listings": len(index.listings),
        "terms": len(terms),
        "nnz": int(index.nnz),
        "settings": dataclasses.asdict(settings),
        "vocabulary": {
            "source": vocabulary.source if vocabulary else None,
            "attributions": list(vocabulary.attributions) if vocabulary else [],
        },
        "files": files,
    }
    (work / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ----------------------------------------------------------------------------------- loading


class MappedTerms:
    """The saved terms: hash lookup for term -> column, byte offsets for column -> term."""

    def __init__(self, blob: bytes | mmap.mmap, offsets: np.ndarray, hashes: np.ndarray,
                 order: np.ndarray) -> None:  # fmt: skip
        self._blob = blob
        self._offsets = offsets
        self._hashes = hashes
        self._order = order

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, column: int) -> str:
        start, end = int(self._offsets[column]), int(self._offsets[column + 1])
        return bytes(self._blob[start:end]).decode("utf-8")

    def column(self, term: str) -> int | None:
        wanted = np.uint64(term_hash(term))
        at = int(np.searchsorted(self._hashes, wanted))
        if at >= len(self._hashes) or self._hashes[at] != wanted:
            return None
        column = int(self._order[at])
        return column if self[column] == term else None


class MappedListings(Sequence[Listing]):
    """The saved listings, each parsed from ``listings.jsonl`` only when asked for."""

    def __init__(self, blob: bytes | mmap.mmap, offsets: np.ndarray, source: Path) -> None:
        self._blob = blob
        self._offsets = offsets
        self._source = source

    def __len__(self) -> int:
        return len(self._offsets) - 1

    @overload
    def __getitem__(self, index: int) -> Listing: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Listing]: ...
    def __getitem__(self, index: int | slice) -> Listing | Sequence[Listing]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        start, end = int(self._offsets[index]), int(self._offsets[index + 1])
        try:
            return Listing(**json.loads(bytes(self._blob[start:end])))
        except (ValueError, TypeError) as exc:
            raise IndexFormatError(self._source, f"listing {index} is damaged ({exc})") from None

    def __iter__(self) -> Iterator[Listing]:
        for i in range(len(self)):
            yield self[i]


def load_index(
    folder: str | Path, *, verify: bool = False
) -> tuple[Index, Settings, Callable[[], SkillVocabulary] | None]:
    """Map a saved index back: its index, its settings, and a function that makes its vocabulary.

    Sizes, array shapes and types, and the postings' bounds are always checked; ``verify``
    also checks every file's SHA-256 (which reads every byte).
    """
    folder = Path(folder)
    _recover(folder)
    meta = _meta(folder)
    files = meta["files"]
    for name in (*(f"{a}.npy" for a in _ARRAYS), *_TEXTS):
        path = folder / name
        if name not in files:
            raise IndexFormatError(path, "is not listed in meta.json; the index is damaged")
        if not path.is_file():
            raise IndexFormatError(path, "is missing; the index is incomplete")
        if path.stat().st_size != files[name]["bytes"]:
            raise IndexFormatError(path, "has the wrong size; the index is truncated or damaged")
        if verify and _sha256(path) != files[name]["sha256"]:
            raise IndexFormatError(path, "does not match its checksum; the index was changed")
    arrays = {name: _array(folder / f"{name}.npy", dtype) for name, dtype in _ARRAYS.items()}
    n, v, nnz = int(meta["listings"]), int(meta["terms"]), int(meta["nnz"])
    expected = {
        "idf": v, "indptr": v + 1, "rows": nnz, "weights": nnz, "parts": v,
        "asked_indptr": n + 1, "asked_required": arrays["asked_columns"].shape[0],
        "term_hashes": v, "term_order": v, "term_offsets": v + 1, "listing_offsets": n + 1,
        "query_floors": 3,
    }  # fmt: skip
    for name, length in expected.items():
        if arrays[name].shape != (length,):
            raise IndexFormatError(folder / f"{name}.npy", "has the wrong shape for meta.json")
    _check_bounds(folder, arrays, n, v, nnz)
    try:
        settings = Settings(**meta["settings"])
    except TypeError as exc:
        raise IndexFormatError(folder / "meta.json", f"has unknown settings ({exc})") from None
    vocabulary: Callable[[], SkillVocabulary] | None = None
    if settings.skills:
        source = str(meta["vocabulary"].get("source") or folder / "skills.csv")
        attributions = tuple(meta["vocabulary"].get("attributions") or ())

        def vocabulary() -> SkillVocabulary:  # made on first use: loading stays a mapping
            text = (folder / "skills.csv").read_text(encoding="utf-8")
            try:
                return SkillVocabulary(
                    csv.DictReader(io.StringIO(text)), source=source, attributions=attributions
                )
            except MatcherError as exc:
                raise IndexFormatError(folder / "skills.csv", exc.problem) from None

    terms = MappedTerms(
        _map(folder / "terms.txt"),
        arrays["term_offsets"],
        arrays["term_hashes"],
        arrays["term_order"],
    )
    listings = MappedListings(
        _map(folder / "listings.jsonl"), arrays["listing_offsets"], folder / "listings.jsonl"
    )
    index = Index(
        listings=listings,
        terms=terms,
        idf=arrays["idf"],
        indptr=arrays["indptr"],
        rows=arrays["rows"],
        weights=arrays["weights"],
        parts=arrays["parts"],
        asked_indptr=arrays["asked_indptr"],
        asked_columns=arrays["asked_columns"],
        asked_required=arrays["asked_required"],
        sublinear_tf=settings.sublinear_tf,
        part_weights=np.array(settings.part_weights(), dtype=np.float64),
        query_floors=arrays["query_floors"],
    )
    return index, settings, vocabulary


def _meta(folder: Path) -> dict[str, Any]:
    path = folder / "meta.json"
    if not folder.is_dir():
        raise IndexFormatError(folder, "no such index folder")
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexFormatError(folder, "is not a matcher index (no meta.json)") from None
    except (ValueError, UnicodeDecodeError):
        raise IndexFormatError(path, "is not valid JSON; the index is damaged") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise IndexFormatError(path, "is not a matcher index description")
    version = meta.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise IndexFormatError(
            folder, f"was written by a newer matcher (format {version}); this one reads {VERSION}"
        )
    needed = ("listings", "terms", "nnz", "settings", "vocabulary", "files")
    if any(key not in meta for key in needed):
        raise IndexFormatError(path, "lacks fields this matcher needs; the index is damaged")
    return meta


def _array(path: Path, dtype: type) -> np.ndarray:
    try:
        array = np.load(path, mmap_mode="r", allow_pickle=False)
    except ValueError as exc:
        raise IndexFormatError(path, f"is not a plain numpy array ({exc})") from None
    if array.dtype != np.dtype(dtype) or array.ndim != 1:
        raise IndexFormatError(path, f"holds {array.dtype}, not {np.dtype(dtype)}")
    # A plain ndarray over the same mapped memory: slicing a np.memmap costs ~10x more.
    return array.view(np.ndarray)


def _check_bounds(folder: Path, arrays: dict[str, np.ndarray], n: int, v: int, nnz: int) -> None:
    """Check what would otherwise fail later or silently: the ends of every offset table."""
    for name, end in (
        ("indptr", nnz),
        ("asked_indptr", len(arrays["asked_columns"])),
        ("term_offsets", (folder / "terms.txt").stat().st_size),
        ("listing_offsets", (folder / "listings.jsonl").stat().st_size),
    ):
        table = arrays[name]
        if table[0] != 0 or table[-1] != end:
            raise IndexFormatError(folder / f"{name}.npy", "does not match the data it indexes")
    small = {"asked_columns": v, "term_order": v, "parts": 3}
    for name, limit in small.items():
        values = arrays[name]
        if len(values) and (values.min() < 0 or values.max() >= limit):
            raise IndexFormatError(folder / f"{name}.npy", "points outside the index")


def _map(path: Path) -> bytes | mmap.mmap:
    if path.stat().st_size == 0:
        return b""
    with path.open("rb") as file:
        return mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
