"""Write a saved index (``save_index``) or add a segment to one (``append_segment``), safely.

Writing never destroys what is not matcher's. A write goes to a temporary folder beside the
target (``.NAME.XXXXXXXX.tmp``) that is renamed into place at the end; the folder it replaces
must be provably a matcher index (a ``meta.json`` with the format marker and a file list, and
nothing else in the folder: ``check_replaceable``), and one of a newer format is replaced only
when asked. Adding a segment writes only its files, then replaces ``meta.json``; ``matcher
index optimize`` merges the segments into one by saving the index whole again.

Debris of crashed writes is swept by the next writer, under the lock (``locks``): temporary
folders whose writer has died (each writer holds an flock on its own folder until it is done),
folders being deleted (``.NAME.XXXXXXXX.old``), a ``NAME.previous`` left by a crash (put back
when the index itself is missing), and segment files a crashed add left in the index that its
meta.json does not list. Only folders with those names holding nothing but index files are
removed, and only files with the names of segment files.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import IndexFormatError
from ...settings import Settings
from ...skills import SkillVocabulary
from ...skills.compiled import compiled_bytes
from ..model import AnyIndex, Index, Segments
from .layout import (
    ARRAYS,
    FORMAT,
    LATER_SEGMENT,
    META,
    META_MAX_BYTES,
    SEGMENT_TEXT_FILES,
    VERSION,
    absolute,
    backup_path,
    is_index_file,
    meta_checksum,
    segment_prefix,
    term_hash,
)
from .locks import hold, in_use, index_lock

__all__ = ["append_segment", "check_replaceable", "save_index"]

# ------------------------------------------------------------------------------------ debris


def _only_index_files(folder: Path) -> bool:
    """Whether ``folder`` holds nothing but regular files with the names of index files."""
    try:
        with os.scandir(folder) as entries:
            return all(is_index_file(e.name) and e.is_file(follow_symlinks=False) for e in entries)
    except OSError:
        return False


def _sweep(where: Path) -> None:
    """Remove the debris of crashed writes to ``where``; hold the exclusive lock to call it."""
    debris = re.compile(rf"\.{re.escape(where.name)}\.[A-Za-z0-9_]+\.(?:tmp|old)")
    with os.scandir(where.parent) as entries:
        found = [Path(e.path) for e in entries if debris.fullmatch(e.name) and e.is_dir()]
    for folder in found:
        if _only_index_files(folder) and not in_use(folder):
            shutil.rmtree(folder, ignore_errors=True)
    if where.is_dir() and not where.is_symlink():
        _sweep_segments(where)
    backup = backup_path(where)
    if backup.is_dir() and not backup.is_symlink():
        if not where.exists() and not where.is_symlink():
            os.replace(backup, where)  # a crash between the two renames of a swap
        elif _only_index_files(backup):
            _discard(backup)  # a crash while the replaced index was being deleted


def _is_debris(entry: os.DirEntry[str]) -> bool:
    """Whether an unlisted entry of an index folder is a segment file a crashed add left."""
    return LATER_SEGMENT.fullmatch(entry.name) is not None and is_index_file(entry.name) \
        and entry.is_file(follow_symlinks=False)  # fmt: skip


def _sweep_segments(where: Path) -> None:
    """Remove segment files that ``where``'s meta.json does not list (a crashed add's)."""
    try:
        meta = json.loads((where / META).read_bytes())
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
    nothing but the files listed there (and segment files a crashed add left); one of a newer
    format than ``VERSION`` is refused unless ``replace_newer``.
    """
    path = Path(folder)
    if not path.exists() and not path.is_symlink():
        return
    if path.is_symlink() or not path.is_dir():
        raise IndexFormatError(path, "exists and is not a folder; not overwriting it")
    meta_path = path / META
    try:
        if meta_path.is_symlink() or not meta_path.is_file():
            raise FileNotFoundError
        if meta_path.stat().st_size > META_MAX_BYTES:
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
            if e.name != META
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
    Raises ``IndexFormatError`` when the folder may not be replaced, was replaced meanwhile,
    has a ``NAME.previous`` beside it that is not matcher's, or when two terms share a hash.
    """
    target = Path(folder)
    where = absolute(target)
    where.parent.mkdir(parents=True, exist_ok=True)
    check_replaceable(target, replace_newer=replace_newer)
    with index_lock(where, exclusive=True):
        _sweep(where)
        work = Path(_mkdtemp(dir=where.parent, prefix=f".{where.name}.", suffix=".tmp"))
        held = hold(work)  # ours until we are done
    trash = None
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(work, 0o777 & ~umask)  # mkdtemp makes it private; an index is ordinary data
        _write(index, settings, vocabulary, work)
        with index_lock(where, exclusive=True):
            _sweep(where)
            check_replaceable(target, replace_newer=replace_newer)
            if expected is not None and _checksum_of(where) != expected:
                raise IndexFormatError(
                    target, "was replaced by another write while this one ran; run it again"
                )
            backup = backup_path(where)
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
        os.close(held)
    if trash is not None:
        shutil.rmtree(trash, ignore_errors=True)
    return target


def append_segment(folder: str | Path, segment: Index, *, expected: str) -> Path:
    """Add ``segment`` (see ``index.model.build_segment``) to the saved index in ``folder``;
    return the folder.

    Only the segment's files are written, then meta.json is replaced: the index's other files
    are not rewritten, so the cost is the segment's. ``expected`` is the checksum of the index
    the segment was weighed against (``SavedIndex.checksum``): the add is refused when the
    folder holds another by then. A crash leaves the index as it was (the new files are not
    listed in its meta.json, and the next writer removes them). Raises ``IndexFormatError``.
    """
    target = Path(folder)
    where = absolute(target)
    check_replaceable(target)
    with index_lock(where, exclusive=True):
        _sweep(where)
        work = Path(_mkdtemp(dir=where.parent, prefix=f".{where.name}.", suffix=".tmp"))
        held = hold(work)
    try:
        meta = json.loads((where / META).read_bytes())
        k = len(meta["segments"])
        files = _write_segment(segment, segment_prefix(k), work)
        with index_lock(where, exclusive=True):
            _sweep(where)
            check_replaceable(target)
            if _checksum_of(where) != expected:
                raise IndexFormatError(
                    target, "was replaced by another write while this one ran; run it again"
                )
            meta = json.loads((where / META).read_bytes())
            if len(meta["segments"]) != k:  # the checksum matched: cannot be, but never guess
                raise IndexFormatError(target, "changed while this add ran; run it again")
            if len(meta["segments"]) >= 999:
                raise IndexFormatError(
                    target, "has 999 segments; merge them first with matcher index optimize"
                )
            meta["segments"].append(_segment_entry(segment, segment_prefix(k)))
            meta["listings"] += len(segment.listings)
            meta["nnz"] += int(segment.nnz)
            meta["files"].update(files)
            meta["created"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
            meta.pop("checksum", None)
            meta["checksum"] = meta_checksum(meta)
            for name in files:
                os.replace(work / name, where / name)
            (work / META).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
            os.replace(work / META, where / META)  # the moment the segment joins
    finally:
        os.close(held)
        shutil.rmtree(work, ignore_errors=True)
    return target


def _checksum_of(where: Path) -> str | None:
    """The SHA-256 of the index's meta.json as it is now (``SavedIndex.checksum``), if any."""
    try:
        return hashlib.sha256((where / META).read_bytes()).hexdigest()
    except OSError:
        return None


def _segments(index: AnyIndex) -> tuple[Index, ...]:
    return index.segments if isinstance(index, Segments) else (index,)


def _write(
    index: AnyIndex, settings: Settings, vocabulary: SkillVocabulary | None, work: Path
) -> None:
    """Write every file of ``index`` into the empty folder ``work``, meta.json last."""
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
    for name, spec in ARRAYS.items():
        if not spec.segment:
            array = derived[name] if spec.derived else getattr(first, name)
            np.save(work / f"{name}.npy", np.ascontiguousarray(array, dtype=spec.dtype))
    files = {}
    for path in sorted(work.iterdir()):
        files[path.name] = {"bytes": path.stat().st_size, "sha256": _sha256_file(path)}
    segments = []
    for k, segment in enumerate(_segments(index)):
        files.update(_write_segment(segment, segment_prefix(k), work))
        segments.append(_segment_entry(segment, segment_prefix(k)))
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
    meta["checksum"] = meta_checksum(meta)
    (work / META).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


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
    names = [f"{prefix}{name}" for name in SEGMENT_TEXT_FILES]
    for name, spec in ARRAYS.items():
        if spec.segment:
            array = derived[name] if spec.derived else getattr(segment, name)
            np.save(work / f"{prefix}{name}.npy", np.ascontiguousarray(array, dtype=spec.dtype))
            names.append(f"{prefix}{name}.npy")
    return {
        name: {"bytes": (work / name).stat().st_size, "sha256": _sha256_file(work / name)}
        for name in sorted(names)
    }


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
