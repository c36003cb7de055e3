"""Stage 3b, index: write an index to a folder and map it back, without pickle.

A saved index is a folder of plain files that numpy and json read without running any code
from them:

- ``meta.json``: format name and version, settings, counts, the vocabulary's source and
  attributions, each file's size and SHA-256, and its own checksum (``checksum``: the SHA-256
  of the rest of it as canonical JSON);
- ``*.npy`` arrays (read with our own header check, never pickle, memory-mapped): the postings
  (``indptr``, ``rows``, ``weights``), ``idf``, each term's ``parts``, the skills each
  listing asks for (and whether it requires each), the query floors, a sorted table of
  64-bit term hashes for lookup, and offsets into the two text files;
- ``terms.txt``: every term's UTF-8 bytes, back to back (``term_offsets.npy`` cuts them);
- ``listings.jsonl``: one listing per line (``listing_offsets.npy`` finds line ``i``);
- ``skills.csv``: the skill vocabulary the index was built with, so queries analyse text the
  same way whatever vocabularies the user has imported since;
- ``skills.npz``: that vocabulary compiled (``matcher/skills_file.py``), so that a query need
  not compile the CSV again; optional (indexes saved before it compile the CSV).

An index is made of segments (``meta.json``'s ``segments``). The first ``fitted`` (one, unless
the index was built sharded: ``matcher/shards.py``) hold the listings the statistics (idf,
repeated word triples, pivot floors) were fitted on; each ``index add`` writes
one more, weighed with those statistics, whose files carry its prefix (``s1.rows.npy``,
``s1.listings.jsonl``, ...): its postings, listings, asked skills, filter facts, and keys of its
listings' texts and ids (for finding duplicates without parsing). Adding a segment writes only
its files, then replaces ``meta.json``; ``matcher index optimize`` rebuilds one segment.

Writing never destroys what is not matcher's. A write goes to a temporary folder beside the
target (``.NAME.XXXXXXXX.tmp``) that is renamed into place at the end; the folder it replaces
must be provably a matcher index (a ``meta.json`` with the format marker and a file list, and
nothing else in the folder), and one of a newer format is replaced only when asked.

Concurrent readers and writers share a lock file beside the index (``.NAME.lock``,
``fcntl.flock``). A writer holds it exclusively only for moments: to make its temporary folder,
and to swap folders; a reader holds it shared while it opens and maps every file it will use
(the vocabulary's text included), after which a swap cannot change what it reads: a renamed or
deleted file stays readable through its mapping. A lock was chosen over versioned sub-folders
behind an atomic pointer because the folder stays a plain folder of files (format 1 indexes
load as they are, ``cp -r`` copies one), and because ``index add`` needs to know that nobody
replaced the index while it rebuilt it, which the lock's swap step checks and a pointer alone
would not.

Debris of crashed writes is swept by the next writer, under the lock: temporary folders whose
writer has died (each writer holds an flock on its own folder until it is done), folders being
deleted (``.NAME.XXXXXXXX.old``), and a ``NAME.previous`` left by a crash (put back when the
index itself is missing). Only folders with those names holding nothing but index files are
removed.

Loading checks the structure always (cheap: sizes, types, offsets in order, idf), and by
default every file's SHA-256 and every posting (rows inside the listings and in order, weights
in [0, 1]); ``verify=False`` skips the second part for a trusted
index. Figures: ``benchmarks/integrity.py``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import mmap
import os
import re
import shutil
import stat
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from tokenize import TokenError
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

if TYPE_CHECKING:  # imported where used: a query neither writes nor hashes when trusted
    from concurrent.futures import Future, ThreadPoolExecutor

from ...errors import IndexFormatError, MatcherError
from ...models import PARTS, LazyListings, Listing
from ...settings import Settings
from ...skills import SkillVocabulary
from ...skills.compiled import (
    CompiledVocabularyError,
    StaleCompiledVocabulary,
    compiled_bytes,
    csv_sha256,
    read_compiled,
)
from ...weigh import smoothed_idf
from ..model import AnyIndex, Index, Segments

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no locking, writes stay atomic
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "FORMAT",
    "VERSION",
    "IndexFormatError",
    "append_segment",
    "IndexInfo",
    "SavedIndex",
    "check_replaceable",
    "fitted_segments",
    "index_info",
    "load_index",
    "save_index",
    "term_hash",
    "verify_index",
]

FORMAT = "matcher-index"
# 6: statistics fitted on several segments (``fitted``: a sharded build); 5: segments,
# statistics for adds; 4: listing facts for filters; 3: parts. A format 5 index reads as one
# of format 6 fitted on its first segment; a 5-reader meeting a sharded index must refuse it
# as newer, not call its idf damaged, hence the new number.
VERSION = 6
# Older formats lack the statistics adds need (4), the filters' arrays (3), or hold one vector
# per listing (2): rebuild them.
OLDEST = 5


class _Array(NamedTuple):
    dtype: type
    length: Callable[[int, int, int], int | None]  # from (listings, terms, nnz); None: free
    derived: bool = False  # made at save time for lookups, not an ``Index`` field
    segment: bool = False  # one per segment (its listings and postings), else one per index


# Every saved array, one line each: adding an ``Index`` array is adding a line here. A
# segment's arrays are named with its prefix ("s1.rows.npy"); the first segment's have none.
_ARRAYS: dict[str, _Array] = {
    "idf": _Array(np.float64, lambda n, v, nnz: v),
    "parts": _Array(np.uint8, lambda n, v, nnz: v),
    "query_floors": _Array(np.float64, lambda n, v, nnz: 3),
    "listing_floors": _Array(np.float64, lambda n, v, nnz: 3),
    "repeated": _Array(np.int64, lambda n, v, nnz: None),
    "term_hashes": _Array(np.uint64, lambda n, v, nnz: v, derived=True),
    "term_order": _Array(np.int32, lambda n, v, nnz: v, derived=True),
    "term_offsets": _Array(np.int64, lambda n, v, nnz: v + 1, derived=True),
    "indptr": _Array(np.int64, lambda n, v, nnz: v + 1, segment=True),
    "rows": _Array(np.int32, lambda n, v, nnz: nnz, segment=True),
    "weights": _Array(np.float32, lambda n, v, nnz: nnz, segment=True),
    "asked_indptr": _Array(np.int64, lambda n, v, nnz: n + 1, segment=True),
    "asked_columns": _Array(np.int32, lambda n, v, nnz: None, segment=True),
    "asked_required": _Array(np.bool_, lambda n, v, nnz: None, segment=True),
    "remote": _Array(np.int8, lambda n, v, nnz: n, segment=True),
    "job_types": _Array(np.uint16, lambda n, v, nnz: n, segment=True),
    "posted": _Array(np.int32, lambda n, v, nnz: n, segment=True),
    "salary_yearly": _Array(np.float64, lambda n, v, nnz: n, segment=True),
    "salary_currency": _Array(np.uint32, lambda n, v, nnz: n, segment=True),
    "listing_offsets": _Array(np.int64, lambda n, v, nnz: n + 1, derived=True, segment=True),
    # Keys of each listing's text and id, so that ``index add`` finds duplicates unparsed.
    "content_keys": _Array(np.uint64, lambda n, v, nnz: n, derived=True, segment=True),
    "id_keys": _Array(np.uint64, lambda n, v, nnz: n, derived=True, segment=True),
}
# Offset tables: each cuts the array or text file named here, from 0 to its end, in order.
_OFFSETS = {
    "indptr": "rows",
    "asked_indptr": "asked_columns",
    "term_offsets": "terms.txt",
    "listing_offsets": "listings.jsonl",
}
_COLUMNS = ("asked_columns", "term_order")  # arrays of term columns
_TEXTS = ("terms.txt", "skills.csv")
_OPTIONAL = ("skills.npz",)  # read when meta.json lists it
_SEGMENT_TEXTS = ("listings.jsonl",)
_META = "meta.json"
_SEGMENT_FILES = frozenset(
    {*_SEGMENT_TEXTS, *(f"{name}.npy" for name, spec in _ARRAYS.items() if spec.segment)}
)
_FILES = frozenset(
    {_META, *_TEXTS, *_OPTIONAL, *_SEGMENT_FILES,
     *(f"{name}.npy" for name, spec in _ARRAYS.items() if not spec.segment)}
)  # fmt: skip
# A later segment's file: its prefix, then the name of a segment file.
_LATER_SEGMENT = re.compile(r"s([1-9][0-9]{0,5})\.(.+)")
_META_MAX_BYTES = 16 << 20  # far above any index's; a bigger meta.json is not ours


def _is_index_file(name: str) -> bool:
    """Whether ``name`` is the name of a file a matcher index may hold."""
    later = _LATER_SEGMENT.fullmatch(name)
    return name in _FILES or (later is not None and later.group(2) in _SEGMENT_FILES)


def term_hash(term: str) -> int:
    """Return a term's stable 64-bit hash (the same in every process and on every machine)."""
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest(), "little")


# ---------------------------------------------------------------------------- locks, debris


def _absolute(folder: str | Path) -> Path:
    """The folder as an absolute path without ``..``: its name and parent are what is locked."""
    return Path(os.path.abspath(folder))


def _backup(where: Path) -> Path:
    return where.with_name(where.name + ".previous")


@contextmanager
def _lock(where: Path, *, exclusive: bool) -> Iterator[None]:
    """Hold the index's lock file (``.NAME.lock`` beside it); shared for readers.

    A reader that may not create the lock file (a read-only folder) reads without it: nobody
    can be writing there either.
    """
    if fcntl is None:
        yield
        return
    if not exclusive and not where.is_dir() and not _backup(where).is_dir():
        yield  # nothing to read: a mistyped name leaves no lock file behind
        return
    path = where.with_name(f".{where.name}.lock")
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError:
        if exclusive:
            raise
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            yield
            return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)  # releases the lock


def _only_index_files(folder: Path) -> bool:
    """Whether ``folder`` holds nothing but regular files with the names of index files."""
    try:
        with os.scandir(folder) as entries:
            return all(_is_index_file(e.name) and e.is_file(follow_symlinks=False) for e in entries)
    except OSError:
        return False


def _in_use(folder: Path) -> bool:
    """Whether a live writer holds ``folder`` (its flock; a dead process holds none)."""
    if fcntl is None:
        return True  # cannot tell: never sweep
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def _sweep(where: Path) -> None:
    """Remove the debris of crashed writes to ``where``; hold the exclusive lock to call it."""
    debris = re.compile(rf"\.{re.escape(where.name)}\.[A-Za-z0-9_]+\.(?:tmp|old)")
    with os.scandir(where.parent) as entries:
        found = [Path(e.path) for e in entries if debris.fullmatch(e.name) and e.is_dir()]
    for folder in found:
        if _only_index_files(folder) and not _in_use(folder):
            shutil.rmtree(folder, ignore_errors=True)
    if where.is_dir() and not where.is_symlink():
        _sweep_segments(where)
    backup = _backup(where)
    if backup.is_dir() and not backup.is_symlink():
        if not where.exists() and not where.is_symlink():
            os.replace(backup, where)  # a crash between the two renames of a swap
        elif _only_index_files(backup):
            _discard(backup)  # a crash while the replaced index was being deleted


def _is_debris(entry: os.DirEntry[str]) -> bool:
    """Whether an unlisted entry of an index folder is a segment file a crashed add left."""
    return _LATER_SEGMENT.fullmatch(entry.name) is not None and _is_index_file(entry.name) \
        and entry.is_file(follow_symlinks=False)  # fmt: skip


def _sweep_segments(where: Path) -> None:
    """Remove segment files that ``where``'s meta.json does not list (a crashed add's)."""
    try:
        meta = json.loads((where / _META).read_bytes())
        listed = set(meta["files"])
    except (OSError, ValueError, RecursionError, KeyError, TypeError):
        return  # not readable as ours: touch nothing
    with os.scandir(where) as entries:
        debris = [e.path for e in entries if e.name not in listed and _is_debris(e)]
    for path in debris:
        os.unlink(path)


def _token() -> str:
    import secrets  # writers only: a query's start-up need not pay for it

    return secrets.token_hex(4)


def _mkdtemp(**where: Any) -> str:
    import tempfile  # writers only

    return tempfile.mkdtemp(**where)


def _discard(folder: Path) -> None:
    trash = folder.with_name(f".{folder.name.removesuffix('.previous')}.{_token()}.old")
    os.replace(folder, trash)
    shutil.rmtree(trash, ignore_errors=True)


# ------------------------------------------------------------------------------------ saving


def check_replaceable(folder: str | Path, *, replace_newer: bool = False) -> None:
    """Raise ``IndexFormatError`` unless ``folder`` is absent or a matcher index to replace.

    An index is recognised by its ``meta.json`` (format marker and file list) and by holding
    nothing but the files listed there; one of a newer format than ``VERSION`` is refused
    unless ``replace_newer``.
    """
    path = Path(folder)
    if not path.exists() and not path.is_symlink():
        return
    if path.is_symlink() or not path.is_dir():
        raise IndexFormatError(path, "exists and is not a folder; not overwriting it")
    meta_path = path / _META
    try:
        if meta_path.is_symlink() or not meta_path.is_file():
            raise FileNotFoundError
        if meta_path.stat().st_size > _META_MAX_BYTES:
            raise ValueError
        meta = json.loads(meta_path.read_bytes())
    except FileNotFoundError:
        raise IndexFormatError(
            path, "exists and is not a matcher index; not overwriting it"
        ) from None
    except (OSError, ValueError, RecursionError):
        meta = None
    files = meta.get("files") if isinstance(meta, dict) else None
    version = meta.get("version") if isinstance(meta, dict) else None
    if (
        not isinstance(meta, dict)
        or meta.get("format") != FORMAT
        or not isinstance(files, dict)
        or not isinstance(version, int)
    ):
        raise IndexFormatError(
            path, "has a meta.json that is not a matcher index's; not overwriting it"
        )
    with os.scandir(path) as entries:
        foreign = sorted(
            e.name
            for e in entries
            if e.name != _META
            and not (e.name in files and e.is_file(follow_symlinks=False))
            and not _is_debris(e)
        )
    if foreign:
        shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
        raise IndexFormatError(
            path, f"holds files that are not part of a matcher index ({shown}); not overwriting it"
        )
    if version > VERSION and not replace_newer:
        raise IndexFormatError(
            path,
            f"holds an index of a newer format ({version}; this matcher writes {VERSION}); "
            "not replacing it unless asked (--replace-newer)",
        )


def save_index(
    index: AnyIndex,
    settings: Settings,
    vocabulary: SkillVocabulary | None,
    folder: str | Path,
    *,
    replace_newer: bool = False,
    expected: str | None = None,
) -> Path:
    """Write ``index`` to ``folder`` atomically; return the folder.

    ``folder`` may be new, or a matcher index (see ``check_replaceable``), which is replaced
    whole or not at all. ``expected``: the checksum of the index this one was made from
    (``SavedIndex.checksum``); the write is refused when ``folder`` holds another by then.
    Raises ``IndexFormatError`` when the folder may not be replaced.
    """
    target = Path(folder)
    where = _absolute(target)
    where.parent.mkdir(parents=True, exist_ok=True)
    check_replaceable(target, replace_newer=replace_newer)
    with _lock(where, exclusive=True):
        _sweep(where)
        work = Path(_mkdtemp(dir=where.parent, prefix=f".{where.name}.", suffix=".tmp"))
        hold = os.open(work, os.O_RDONLY)
        if fcntl is not None:
            fcntl.flock(hold, fcntl.LOCK_EX | fcntl.LOCK_NB)  # ours until we are done
    trash = None
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(work, 0o777 & ~umask)  # mkdtemp makes it private; an index is ordinary data
        _write(index, settings, vocabulary, work)
        with _lock(where, exclusive=True):
            _sweep(where)
            check_replaceable(target, replace_newer=replace_newer)
            if expected is not None and _checksum_of(where) != expected:
                raise IndexFormatError(
                    target, "was replaced by another write while this one ran; run it again"
                )
            backup = _backup(where)
            if backup.exists() or backup.is_symlink():
                raise IndexFormatError(backup, "is in the way and is not matcher's; move it")
            if where.exists():
                os.replace(where, backup)
            os.replace(work, where)
            if backup.exists():
                trash = backup.with_name(f".{where.name}.{_token()}.old")
                os.replace(backup, trash)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        os.close(hold)
    if trash is not None:
        shutil.rmtree(trash, ignore_errors=True)
    return target


def append_segment(folder: str | Path, segment: Index, *, expected: str) -> Path:
    """Add ``segment`` (see ``index.build_segment``) to the saved index in ``folder``.

    Only the segment's files are written, then meta.json is replaced: the index's other files
    are not rewritten, so the cost is the segment's. ``expected`` is the checksum of the index
    the segment was weighed against (``SavedIndex.checksum``): the add is refused when the
    folder holds another by then. A crash leaves the index as it was (the new files are not
    listed in its meta.json, and the next writer removes them). Raises ``IndexFormatError``.
    """
    target = Path(folder)
    where = _absolute(target)
    check_replaceable(target)
    with _lock(where, exclusive=True):
        _sweep(where)
        work = Path(_mkdtemp(dir=where.parent, prefix=f".{where.name}.", suffix=".tmp"))
        hold = os.open(work, os.O_RDONLY)
        if fcntl is not None:
            fcntl.flock(hold, fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        meta = json.loads((where / _META).read_bytes())
        k = len(meta["segments"])
        files = _write_segment(segment, _prefix(k), work)
        with _lock(where, exclusive=True):
            _sweep(where)
            check_replaceable(target)
            if _checksum_of(where) != expected:
                raise IndexFormatError(
                    target, "was replaced by another write while this one ran; run it again"
                )
            meta = json.loads((where / _META).read_bytes())
            if len(meta["segments"]) != k:  # the checksum matched: cannot be, but never guess
                raise IndexFormatError(target, "changed while this add ran; run it again")
            if len(meta["segments"]) >= 999:
                raise IndexFormatError(
                    target, "has 999 segments; merge them first with matcher index optimize"
                )
            meta["segments"].append(_segment_entry(segment, _prefix(k)))
            meta["listings"] += len(segment.listings)
            meta["nnz"] += int(segment.nnz)
            meta["files"].update(files)
            meta["created"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
            meta.pop("checksum", None)
            meta["checksum"] = _meta_checksum(meta)
            for name in files:
                os.replace(work / name, where / name)
            (work / _META).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
            os.replace(work / _META, where / _META)  # the moment the segment joins
    finally:
        os.close(hold)
        shutil.rmtree(work, ignore_errors=True)
    return target


def _checksum_of(where: Path) -> str | None:
    try:
        return hashlib.sha256((where / _META).read_bytes()).hexdigest()
    except OSError:
        return None


def _segments(index: AnyIndex) -> tuple[Index, ...]:
    return index.segments if isinstance(index, Segments) else (index,)


def _prefix(k: int) -> str:
    return f"s{k}." if k else ""


def _write(
    index: AnyIndex, settings: Settings, vocabulary: SkillVocabulary | None, work: Path
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
    (work / "skills.csv").write_text(vocabulary.to_csv() if vocabulary else "", encoding="utf-8")
    compiled = compiled_bytes(vocabulary, _sha256_file(work / "skills.csv")) if vocabulary else None
    if compiled is not None:
        (work / "skills.npz").write_bytes(compiled)
    derived = {"term_hashes": hashes[order], "term_order": order, "term_offsets": term_offsets}
    first = _segments(index)[0]
    for name, spec in _ARRAYS.items():
        if not spec.segment:
            array = derived[name] if spec.derived else getattr(first, name)
            np.save(work / f"{name}.npy", np.ascontiguousarray(array, dtype=spec.dtype))
    files = {}
    for path in sorted(work.iterdir()):
        files[path.name] = {"bytes": path.stat().st_size, "sha256": _sha256_file(path)}
    segments = []
    for k, segment in enumerate(_segments(index)):
        files.update(_write_segment(segment, _prefix(k), work))
        segments.append(_segment_entry(segment, _prefix(k)))
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "listings": len(index.listings),
        "terms": len(terms),
        "nnz": int(index.nnz),
        "segments": segments,
        "fitted": index.fitted if isinstance(index, Segments) else 1,
        "settings": dataclasses.asdict(settings),
        "vocabulary": {
            "source": vocabulary.source if vocabulary else None,
            "attributions": list(vocabulary.attributions) if vocabulary else [],
        },
        "files": files,
    }
    meta["checksum"] = _meta_checksum(meta)
    (work / _META).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def _segment_entry(segment: Index, prefix: str) -> dict[str, Any]:
    return {"prefix": prefix, "listings": len(segment.listings), "nnz": int(segment.nnz)}


def _write_segment(segment: Index, prefix: str, work: Path) -> dict[str, dict[str, Any]]:
    """Write one segment's files into ``work``, named with ``prefix``; return their entries."""
    from ...read.listings import content_key  # only writers need it: loading stays light

    lines = [
        json.dumps(dataclasses.asdict(listing), ensure_ascii=False).encode("utf-8") + b"\n"
        for listing in segment.listings
    ]
    listing_offsets = np.zeros(len(lines) + 1, dtype=np.int64)
    listing_offsets[1:] = np.cumsum([len(line) for line in lines])
    (work / f"{prefix}listings.jsonl").write_bytes(b"".join(lines))
    derived = {
        "listing_offsets": listing_offsets,
        "content_keys": np.array(
            [content_key(listing.description) for listing in segment.listings], dtype=np.uint64
        ),
        "id_keys": np.array([term_hash(listing.id) for listing in segment.listings], np.uint64),
    }
    names = [f"{prefix}{name}" for name in _SEGMENT_TEXTS]
    for name, spec in _ARRAYS.items():
        if spec.segment:
            array = derived[name] if spec.derived else getattr(segment, name)
            np.save(work / f"{prefix}{name}.npy", np.ascontiguousarray(array, dtype=spec.dtype))
            names.append(f"{prefix}{name}.npy")
    return {
        name: {"bytes": (work / name).stat().st_size, "sha256": _sha256_file(work / name)}
        for name in sorted(names)
    }


def _meta_checksum(meta: dict[str, Any]) -> str:
    rest = {key: value for key, value in meta.items() if key != "checksum"}
    canonical = json.dumps(rest, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ----------------------------------------------------------------------------------- loading


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
    content_keys: np.ndarray  # uint64, one per listing: ``read.content_key`` of its text
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
    where = _absolute(folder)
    with _lock(where, exclusive=False):
        shown = folder
        if not where.is_dir() and _backup(where).is_dir():
            where, shown = _backup(where), _backup(folder)  # a crash between two renames
        meta_bytes, meta = _read_meta(shown, where)
        blobs = {
            name: _open(shown / name, where / name, meta)
            for name in _file_names(meta)
            if name not in _OPTIONAL or name in meta["files"]
        }
    # Files hash on other threads (hashlib lets go of the GIL) while the arrays are checked.
    pool = None
    if verify:
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1)
    try:
        digests = _start_hashing(pool, blobs) if pool else {}
        try:
            arrays = _arrays(shown, blobs, meta)
            if verify:
                for entry, here in zip(meta["segments"], arrays, strict=True):
                    _check_postings(shown, here, entry["listings"], entry["prefix"])
        except IndexFormatError:
            _compare_checksums(shown, meta, digests)  # "was changed" says more, if it was
            raise
        _compare_checksums(shown, meta, digests)
    finally:
        if pool:
            pool.shutdown(wait=True, cancel_futures=True)
    settings = _settings(shown / _META, meta["settings"])
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
        fields = {name: here[name] for name, spec in _ARRAYS.items() if not spec.derived}
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
        name: _array(shown / f"{name}.npy", blobs[f"{name}.npy"], spec.dtype)
        for name, spec in _ARRAYS.items()
        if not spec.segment
    }
    out = []
    for k, entry in enumerate(meta["segments"]):
        prefix, n, nnz = entry["prefix"], entry["listings"], entry["nnz"]
        arrays = dict(common)
        for name, spec in _ARRAYS.items():
            if spec.segment:
                file = f"{prefix}{name}.npy"
                arrays[name] = _array(shown / file, blobs[file], spec.dtype)
        for name, spec in _ARRAYS.items():
            length = spec.length(n, v, nnz)
            if length is not None and arrays[name].shape != (length,):
                raise IndexFormatError(
                    shown / f"{prefix if spec.segment else ''}{name}.npy",
                    "has the wrong shape for meta.json",
                )
        sizes = {name: len(blobs[prefix + name]) for name in _SEGMENT_TEXTS}
        sizes.update({name: len(blobs[name]) for name in _TEXTS})
        _check_structure(shown, arrays, sizes, v, prefix, first=k == 0)
        out.append(arrays)
    # The idf was fitted on the first ``fitted`` segments: later ones are weighed with it.
    fitted = fitted_segments(meta)
    n = sum(entry["listings"] for entry in meta["segments"][:fitted])
    df = np.sum([np.diff(arrays["indptr"]) for arrays in out[:fitted]], axis=0)
    if not np.allclose(out[0]["idf"], smoothed_idf(n, df), rtol=1e-12, atol=0.0):
        raise IndexFormatError(shown / "idf.npy", "does not fit the postings; the index is damaged")
    return out


def fitted_segments(meta: dict[str, Any]) -> int:
    """Return how many leading segments of a saved index its statistics were fitted on."""
    return int(meta.get("fitted", 1))  # format 5 has no field: its first segment


def _file_names(meta: dict[str, Any]) -> list[str]:
    names = [f"{name}.npy" for name, spec in _ARRAYS.items() if not spec.segment]
    names += [*_TEXTS, *_OPTIONAL]
    for entry in meta["segments"]:
        names += [f"{entry['prefix']}{name}" for name in sorted(_SEGMENT_FILES)]
    return names


def _read_meta(shown: Path, where: Path) -> tuple[bytes, dict[str, Any]]:
    path = shown / _META
    if not where.is_dir():
        if where.exists():
            raise IndexFormatError(shown, "is a file, not an index folder")
        raise IndexFormatError(shown, "no such index folder")
    try:
        with (where / _META).open("rb") as file:
            data = file.read(_META_MAX_BYTES + 1)
    except FileNotFoundError:
        raise IndexFormatError(shown, "is not a matcher index (no meta.json)") from None
    except IsADirectoryError:
        raise IndexFormatError(path, "is a folder, not a file; the index is damaged") from None
    except OSError as exc:
        raise IndexFormatError(path, f"cannot be read ({exc.strerror})") from None
    if len(data) > _META_MAX_BYTES:
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
        if meta.get("checksum") != _meta_checksum(meta):
            raise IndexFormatError(path, "does not match its own checksum; the index was changed")
    return data, meta


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
            and entry.get("prefix") == _prefix(k)
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


def _start_hashing(pool: ThreadPoolExecutor, blobs: dict[str, Any]) -> dict[str, Future[str]]:
    biggest_first = sorted(blobs, key=lambda name: -len(blobs[name]))
    return {name: pool.submit(_sha256_of, blobs[name]) for name in biggest_first}


def _sha256_of(blob: bytes | mmap.mmap) -> str:
    return hashlib.sha256(blob).hexdigest()


def _compare_checksums(shown: Path, meta: dict[str, Any], digests: dict[str, Future[str]]) -> None:
    for name in _file_names(meta):
        if name in digests and digests[name].result() != meta["files"][name]["sha256"]:
            raise IndexFormatError(
                shown / name,
                "does not match its checksum; the index was changed (build it again: "
                "matcher index build LISTINGS... -o DIR)",
            )


def _array(path: Path, blob: bytes | mmap.mmap, dtype: type) -> np.ndarray:
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


def _check_structure(
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
        return shown / f"{prefix if _ARRAYS[name].segment else ''}{name}.npy"

    for name, cuts in _OFFSETS.items():
        table = arrays[name]
        end = len(arrays[cuts]) if cuts in arrays else sizes[cuts]
        if len(table) == 0 or table[0] != 0 or table[-1] != end:
            raise IndexFormatError(path(name), "does not match the data it indexes")
        if len(table) > 1 and bool((np.diff(table) < 0).any()):
            raise IndexFormatError(path(name), "has offsets out of order; damaged")
    for name in _COLUMNS:
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


def _check_postings(shown: Path, arrays: dict[str, np.ndarray], n: int, prefix: str = "") -> None:
    """Check every posting: a row inside the listings, rows rising within a term, a weight
    in [0, 1] (NaN and infinity fail). A block at a time, so memory stays flat.

    Listing vectors' lengths (at most 1) are not checked here (a pass of scattered adds, costing
    more than all the rest): ``score`` refuses any score outside [0, 1] instead.
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


def _settings(path: Path, values: dict[str, Any]) -> Settings:
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


# ------------------------------------------------------------------------- verify and info


@dataclasses.dataclass(frozen=True)
class IndexInfo:
    """What a saved index holds: counts, settings, vocabulary, format and size on disk."""

    folder: str
    format: str
    version: int
    created: str
    listings: int
    terms: int
    nnz: int
    settings: dict[str, Any]
    vocabulary_source: str | None
    attributions: tuple[str, ...]
    skills: int | None  # skills in its vocabulary (None with skills off)
    segments: tuple[int, ...]  # listings per segment
    fitted: int  # how many leading segments the statistics were fitted on: 1 unless sharded
    files: dict[str, int]  # name -> bytes
    bytes: int


def index_info(folder: str | Path, *, verify: bool = False) -> IndexInfo:
    """Return what the index in ``folder`` holds; ``verify`` as for ``load_index``."""
    return _info(folder, load_index(folder, verify=verify))


def _info(folder: str | Path, saved: SavedIndex) -> IndexInfo:
    meta = saved.meta
    files = {name: int(entry["bytes"]) for name, entry in sorted(meta["files"].items())}
    try:
        files[_META] = (Path(folder) / _META).stat().st_size
    except OSError:
        pass
    vocabulary = saved.vocabulary() if saved.vocabulary else None
    return IndexInfo(
        folder=str(folder),
        format=FORMAT,
        version=int(meta["version"]),
        created=str(meta.get("created", "")),
        listings=len(saved.index.listings),
        terms=len(saved.index.terms),
        nnz=saved.index.nnz,
        settings=dataclasses.asdict(saved.settings),
        vocabulary_source=meta["vocabulary"].get("source"),
        attributions=tuple(meta["vocabulary"].get("attributions") or ()),
        skills=len(vocabulary) if vocabulary else None,
        segments=tuple(int(entry["listings"]) for entry in meta["segments"]),
        fitted=fitted_segments(meta),
        files=files,
        bytes=sum(files.values()),
    )


def verify_index(folder: str | Path) -> IndexInfo:
    """Check every byte of the index in ``folder``; return its ``IndexInfo`` when whole.

    Beyond ``load_index(verify=True)``: every listing parses, every term is UTF-8 and found
    again by its hash, and the vocabulary loads. Raises ``IndexFormatError`` at the first fault.
    """
    saved = load_index(folder, verify=True)
    for _ in saved.index.listings:
        pass
    terms = saved.index.terms
    for column in range(len(terms)):
        if terms.column(terms[column]) != column:
            raise IndexFormatError(Path(folder) / "term_hashes.npy", "does not find every term")
    return _info(folder, saved)
