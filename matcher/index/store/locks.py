"""The lock readers and writers of one saved index share (``.NAME.lock`` beside it), and the
flock a writer holds on its temporary folder while it lives.

A writer holds it exclusively only for moments: to make its temporary folder, and to swap
folders; a reader holds it shared while it opens and maps every file it will use (the
vocabulary's text included), after which a swap cannot change what it reads: a renamed or
deleted file stays readable through its mapping. A lock was chosen over versioned sub-folders
behind an atomic pointer because the folder stays a plain folder of files (``cp -r`` copies
one), and because ``index add`` needs to know that nobody replaced the index while it rebuilt
it, which the lock's swap step checks and a pointer alone would not.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .layout import META, backup_path

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no locking, writes stay atomic
    fcntl = None  # type: ignore[assignment]

__all__ = ["hold", "in_use", "index_lock"]


@contextmanager
def index_lock(where: Path, *, exclusive: bool) -> Iterator[None]:
    """Hold the lock of the index ``where`` (an absolute path) for the ``with`` block;
    shared for readers.

    A reader does not create a lock file for a folder that holds no index, nor has one beside it
    mid-swap (a mistyped name, or a folder of photos, leaves none behind); one that may not
    create it (a read-only folder) opens it read-only, and reads without a lock when it cannot
    even do that: nobody can be writing there either.
    Raises ``OSError`` when a writer cannot open the lock file.
    """
    if fcntl is None:
        yield
        return
    if not exclusive and not (where / META).is_file() and not (backup_path(where) / META).is_file():
        yield
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


def hold(folder: Path) -> int:
    """Open ``folder`` and hold an exclusive flock on it: a writer marks its temporary folder
    as alive (``in_use``) until it closes the descriptor returned. Raises ``OSError``."""
    fd = os.open(folder, os.O_RDONLY)
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd


def in_use(folder: Path) -> bool:
    """Return whether a live writer holds ``folder`` (``hold``: a dead process holds none);
    True when it cannot tell."""
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
