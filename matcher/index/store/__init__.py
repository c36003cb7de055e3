"""Stage 3b, store: a saved index's folder: writing it safely, reading it back memory-mapped,
verifying it, and describing it.

- ``layout``: what the folder holds (file names, the format's version, meta.json's own
  checksum) and the term hash writer and reader share;
- ``locks``: the lock file readers and writers of one index share;
- ``write``: ``save_index``, ``append_segment``, ``check_replaceable``, and sweeping the debris
  of crashed writes;
- ``read``: ``load_index``: the arrays memory-mapped, terms and listings read on demand;
- ``verify``: the checks a folder passes as it loads (structure, postings, checksums);
- ``info``: ``index_info`` and ``verify_index``, which describe a folder as ``IndexInfo``.

Callers import from here (``from matcher.index.store import load_index``).
"""

from ...errors import IndexFormatError
from ...models import IndexInfo
from .info import index_info, verify_index
from .layout import FORMAT, OLDEST, VERSION, fitted_segments, meta_checksum, term_hash
from .read import MappedListings, MappedTerms, SavedIndex, load_index
from .write import append_segment, check_replaceable, save_index

__all__ = [
    "FORMAT",
    "OLDEST",
    "VERSION",
    "IndexFormatError",
    "IndexInfo",
    "MappedListings",
    "MappedTerms",
    "SavedIndex",
    "append_segment",
    "check_replaceable",
    "fitted_segments",
    "index_info",
    "load_index",
    "meta_checksum",
    "save_index",
    "term_hash",
    "verify_index",
]
