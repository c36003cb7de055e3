"""What a saved index's folder holds: file names, the format's version, meta.json's checksum,
and the term hash that writer and reader share.

A saved index is a folder of plain files that numpy and json read without running any code
from them:

- ``meta.json``: format name and version, settings, counts, the vocabulary's source and
  attributions, each file's size and SHA-256, and its own checksum (``checksum``: the SHA-256
  of the rest of it as canonical JSON, ``meta_checksum``);
- ``*.npy`` arrays (read with our own header check, never pickle, memory-mapped): the postings
  (``indptr``, ``rows``, ``weights``), ``idf``, each term's ``parts``, the skills each
  listing asks for (and whether it requires each), the query floors, a sorted table of
  64-bit term hashes for lookup, and offsets into the two text files (``ARRAYS``);
- ``terms.txt``: every term's UTF-8 bytes, back to back (``term_offsets.npy`` cuts them);
- ``listings.jsonl``: one listing per line (``listing_offsets.npy`` finds line ``i``);
- ``skills.csv``: the skill vocabulary the index was built with, so queries analyse text the
  same way whatever vocabularies the user has imported since;
- ``skills.npz``: that vocabulary compiled (``matcher/skills/compiled.py``), so that a query
  need not compile the CSV again; optional (indexes saved before it compile the CSV).

An index is made of segments (``meta.json``'s ``segments``). The first ``fitted`` (one, unless
the index was built sharded: ``matcher/engines/dask.py``) hold the listings the statistics
(idf, repeated word triples, pivot floors) were fitted on; each ``index add`` writes one more,
weighed with those statistics, whose files carry its prefix (``s1.rows.npy``,
``s1.listings.jsonl``, ...): its postings, listings, asked skills, filter facts, and keys of its
listings' texts and ids (for finding duplicates without parsing).

Beside the folder ``NAME`` live only matcher's own: its lock file ``.NAME.lock``, a writer's
temporary folder ``.NAME.XXXXXXXX.tmp``, a folder being deleted ``.NAME.XXXXXXXX.old``, and
``NAME.previous`` for the moment of a swap (``write``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

FORMAT = "matcher-index"
# 6: statistics fitted on several segments (``fitted``: a sharded build); 5: segments,
# statistics for adds; 4: listing facts for filters; 3: parts. A format 5 index reads as one
# of format 6 fitted on its first segment; a 5-reader meeting a sharded index must refuse it
# as newer, not call its idf damaged, hence the new number.
VERSION = 6
# Older formats lack the statistics adds need (4), the filters' arrays (3), or hold one vector
# per listing (2): rebuild them.
OLDEST = 5


class ArraySpec(NamedTuple):
    """How one saved array is typed, how long it must be, and where it comes from."""

    dtype: type
    length: Callable[[int, int, int], int | None]  # from (listings, terms, nnz); None: free
    derived: bool = False  # made at save time for lookups, not an ``Index`` field
    segment: bool = False  # one per segment (its listings and postings), else one per index


# Every saved array, one line each: adding an ``Index`` array is adding a line here. A
# segment's arrays are named with its prefix ("s1.rows.npy"); the first segment's have none.
ARRAYS: dict[str, ArraySpec] = {
    "idf": ArraySpec(np.float64, lambda n, v, nnz: v),
    "parts": ArraySpec(np.uint8, lambda n, v, nnz: v),
    "query_floors": ArraySpec(np.float64, lambda n, v, nnz: 3),
    "listing_floors": ArraySpec(np.float64, lambda n, v, nnz: 3),
    "repeated": ArraySpec(np.int64, lambda n, v, nnz: None),
    "term_hashes": ArraySpec(np.uint64, lambda n, v, nnz: v, derived=True),
    "term_order": ArraySpec(np.int32, lambda n, v, nnz: v, derived=True),
    "term_offsets": ArraySpec(np.int64, lambda n, v, nnz: v + 1, derived=True),
    "indptr": ArraySpec(np.int64, lambda n, v, nnz: v + 1, segment=True),
    "rows": ArraySpec(np.int32, lambda n, v, nnz: nnz, segment=True),
    "weights": ArraySpec(np.float32, lambda n, v, nnz: nnz, segment=True),
    "asked_indptr": ArraySpec(np.int64, lambda n, v, nnz: n + 1, segment=True),
    "asked_columns": ArraySpec(np.int32, lambda n, v, nnz: None, segment=True),
    "asked_required": ArraySpec(np.bool_, lambda n, v, nnz: None, segment=True),
    "remote": ArraySpec(np.int8, lambda n, v, nnz: n, segment=True),
    "job_types": ArraySpec(np.uint16, lambda n, v, nnz: n, segment=True),
    "posted": ArraySpec(np.int32, lambda n, v, nnz: n, segment=True),
    "salary_yearly": ArraySpec(np.float64, lambda n, v, nnz: n, segment=True),
    "salary_currency": ArraySpec(np.uint32, lambda n, v, nnz: n, segment=True),
    "listing_offsets": ArraySpec(np.int64, lambda n, v, nnz: n + 1, derived=True, segment=True),
    # Keys of each listing's text and id, so that ``index add`` finds duplicates unparsed.
    "content_keys": ArraySpec(np.uint64, lambda n, v, nnz: n, derived=True, segment=True),
    "id_keys": ArraySpec(np.uint64, lambda n, v, nnz: n, derived=True, segment=True),
}
# Offset tables: each cuts the array or text file named here, from 0 to its end, in order.
OFFSET_TABLES = {
    "indptr": "rows",
    "asked_indptr": "asked_columns",
    "term_offsets": "terms.txt",
    "listing_offsets": "listings.jsonl",
}
COLUMN_ARRAYS = ("asked_columns", "term_order")  # arrays of term columns
TEXT_FILES = ("terms.txt", "skills.csv")  # one per index
OPTIONAL_FILES = ("skills.npz",)  # read when meta.json lists it
SEGMENT_TEXT_FILES = ("listings.jsonl",)
META = "meta.json"
SEGMENT_FILES = frozenset(
    {*SEGMENT_TEXT_FILES, *(f"{name}.npy" for name, spec in ARRAYS.items() if spec.segment)}
)
INDEX_FILES = frozenset(
    {META, *TEXT_FILES, *OPTIONAL_FILES, *SEGMENT_FILES,
     *(f"{name}.npy" for name, spec in ARRAYS.items() if not spec.segment)}
)  # fmt: skip
# A later segment's file: its prefix, then the name of a segment file.
LATER_SEGMENT = re.compile(r"s([1-9][0-9]{0,5})\.(.+)")
META_MAX_BYTES = 16 << 20  # far above any index's; a bigger meta.json is not ours


def is_index_file(name: str) -> bool:
    """Return whether ``name`` is the name of a file a matcher index may hold."""
    later = LATER_SEGMENT.fullmatch(name)
    return name in INDEX_FILES or (later is not None and later.group(2) in SEGMENT_FILES)


def segment_prefix(k: int) -> str:
    """Return the prefix of segment ``k``'s file names: ``""`` for the first, ``"s{k}."`` after."""
    return f"s{k}." if k else ""


def file_names(meta: dict[str, Any]) -> list[str]:
    """Return the names of every file the index ``meta`` describes may hold, optional ones too
    (which it holds: ``meta["files"]``)."""
    names = [f"{name}.npy" for name, spec in ARRAYS.items() if not spec.segment]
    names += [*TEXT_FILES, *OPTIONAL_FILES]
    for entry in meta["segments"]:
        names += [f"{entry['prefix']}{name}" for name in sorted(SEGMENT_FILES)]
    return names


def fitted_segments(meta: dict[str, Any]) -> int:
    """Return how many leading segments of a saved index its statistics were fitted on."""
    return int(meta.get("fitted", 1))  # format 5 has no field: its first segment


def term_hash(term: str) -> int:
    """Return a term's stable 64-bit hash (the same in every process and on every machine)."""
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest(), "little")


def meta_checksum(meta: dict[str, Any]) -> str:
    """Return the checksum meta.json carries of itself: the SHA-256 (64 hex digits) of the
    canonical JSON of every field but ``checksum``.

    Whoever edits a meta.json (a test, a repair) seals it again with this.
    """
    rest = {key: value for key, value in meta.items() if key != "checksum"}
    canonical = json.dumps(rest, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def absolute(folder: str | Path) -> Path:
    """Return the folder as an absolute path without ``..``: its name and parent are what is
    locked and swapped."""
    return Path(os.path.abspath(folder))


def backup_path(where: Path) -> Path:
    """Return ``NAME.previous`` beside the index ``where``: the replaced index during a swap."""
    return where.with_name(where.name + ".previous")
