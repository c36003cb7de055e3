"""Describe a saved index (``index_info``), or verify every byte of it first (``verify_index``)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ...errors import IndexFormatError
from ...models import IndexInfo
from .layout import FORMAT, META, fitted_segments
from .read import SavedIndex, load_index

__all__ = ["describe", "index_info", "verify_index"]


def index_info(folder: str | Path, *, verify: bool = False) -> IndexInfo:
    """Return what the index in ``folder`` holds; ``verify`` as for ``load_index`` (here off
    by default: the structure is checked, not every byte). Raises ``IndexFormatError``."""
    return describe(folder, load_index(folder, verify=verify))


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
    return describe(folder, saved)


def describe(folder: str | Path, saved: SavedIndex) -> IndexInfo:
    """Return the ``IndexInfo`` of ``saved``, loaded from ``folder``; parses its vocabulary
    (raising ``IndexFormatError`` if it is damaged) to count its skills."""
    meta = saved.meta
    files = {name: int(entry["bytes"]) for name, entry in sorted(meta["files"].items())}
    try:
        files[META] = (Path(folder) / META).stat().st_size
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
