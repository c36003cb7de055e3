"""Write a rendered report to a file: atomically, and never over a file that is not ours.

A file already at the target is replaced only when it is provably matcher's own output:
its resolved path and SHA-256 are those of a report this user's matcher wrote there, as
recorded in ``written.json`` in the data folder (``matcher.places``). A report edited since,
or a file that only looks like one (matcher's CSV header, JSON keys or HTML generator tag),
is not ours, and neither is a report written by another user or machine: replacing those
needs ``force``. The text goes to a temporary file beside the target, flushed to disk, then
renamed over it: a crash leaves the old file or the new one, whole.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from .errors import OutputError
from .places import data_dir

# Past this size a file is not one of our reports (it is not hashed to find out).
_MAX_OWN_BYTES = 256 * 1024 * 1024
# The record of reports written keeps the newest this many, and is not read past this size.
_KEEP_WRITTEN = 1000
_MAX_RECORD_BYTES = 1024 * 1024
_RECORD = "written.json"


def is_own_output(path: str | Path) -> bool:
    """Return True when ``path`` is a regular file matcher wrote there, unchanged since (see
    the module docstring)."""
    path = Path(path)
    try:
        if not path.is_file() or path.stat().st_size > _MAX_OWN_BYTES:
            return False
    except OSError:
        return False
    return _was_written_here(path)


def write_output(path: str | Path, text: str, *, force: bool = False) -> Path:
    """Write ``text`` to ``path`` atomically (UTF-8) and return the path.

    Raises ``OutputError`` when ``path`` is a folder, when a file is there that matcher did
    not write (unless ``force``), or when the folder cannot be written.
    """
    target = Path(path)
    if target.is_dir():
        raise OutputError(target, "is a folder; give a file name, e.g. report.html")
    if target.exists() and not force and not is_own_output(target):
        raise OutputError(
            target, "exists and is not a report matcher wrote; use --force to replace it"
        )
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(target, f"folder {parent} does not exist")
    try:
        import tempfile  # only when writing a file: a query to stdout need not import it

        handle, temporary = tempfile.mkstemp(dir=parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(target, f"cannot write in {parent}: {exc.strerror}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644 & ~_umask())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _remember(target, text.encode("utf-8"))
    return target


def _key(path: Path) -> str:
    return str(path.resolve())


def _read_record() -> dict[str, str]:
    """Return the record of reports written (resolved path -> SHA-256); empty if unreadable."""
    where = data_dir() / _RECORD
    try:
        if where.stat().st_size > _MAX_RECORD_BYTES:
            return {}
        data = json.loads(where.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # no record, or a damaged one: nothing is provably ours by it
    written = data.get("written") if isinstance(data, dict) else None
    if not isinstance(written, dict):
        return {}
    return {k: v for k, v in written.items() if isinstance(k, str) and isinstance(v, str)}


def _was_written_here(path: Path) -> bool:
    recorded = _read_record().get(_key(path))
    if recorded is None:
        return False
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return False
    return digest == recorded


def _remember(target: Path, content: bytes) -> None:
    """Add ``target``'s path and SHA-256 to the record, atomically; a record that cannot be
    written only means the next write there needs ``force``."""
    written = _read_record()
    key = _key(target)
    written.pop(key, None)
    written[key] = hashlib.sha256(content).hexdigest()
    kept = dict(list(written.items())[-_KEEP_WRITTEN:])
    folder = data_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / _RECORD, json.dumps({"written": kept}, indent=0).encode("utf-8"))
    except OSError:
        pass


def write_atomic(target: Path, data: bytes) -> None:
    """Write ``data`` to a private temporary file beside ``target`` and rename it over
    ``target``: a crash leaves the old file or the new one, whole. Raises ``OSError``."""
    import tempfile  # only when writing a file: a query to stdout need not import it

    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
