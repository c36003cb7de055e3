"""Stage 3, index: the listings' L2-normalised TF-IDF vectors, stored term by term.

The vectors are kept as postings: for each term, the listings that have it (in row order) and
their weights (float32). Scoring a resume then reads only the postings of the resume's terms
(``matcher/search``), and the same arrays can be written to disk and memory-mapped back
(``matcher/index/store``). How an index is made: ``matcher/index/build.py``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ..filters import FACTS
from ..models import PART_NUMBER, LazyListings, Listing

_SKILLS = PART_NUMBER["skills"]


class Terms(Protocol):
    """The index's terms: column number to term, and term to column number."""

    def __len__(self) -> int: ...
    def __getitem__(self, column: int) -> str: ...
    def column(self, term: str) -> int | None: ...
    def columns(self, terms: Sequence[str]) -> np.ndarray: ...


class TermTable:
    """Terms held in memory: a tuple and a dict."""

    def __init__(self, terms: Sequence[str]) -> None:
        self.terms = tuple(terms)
        self._columns = {term: column for column, term in enumerate(self.terms)}

    def __len__(self) -> int:
        return len(self.terms)

    def __getitem__(self, column: int) -> str:
        return self.terms[column]

    def column(self, term: str) -> int | None:
        return self._columns.get(term)

    def columns(self, terms: Sequence[str]) -> np.ndarray:
        """Return each term's column (int64), -1 for a term not in the table."""
        get = self._columns.get
        return np.fromiter((get(t, -1) for t in terms), dtype=np.int64, count=len(terms))


@dataclass(frozen=True)
class Index:
    """The listings' TF-IDF vectors (each L2-normalised), stored as postings per term.

    ``rows[indptr[c]:indptr[c + 1]]`` are the listings that have term ``c``, in order, and
    ``weights`` (same slice) their weights. ``asked_columns[asked_indptr[r]:asked_indptr[r+1]]``
    are the skills listing ``r`` asks for (sorted by column), ``asked_required`` (same slice)
    whether it requires each. Each listing's vector is made of parts (``parts`` gives each
    term's): each part L2-normalised, then scaled by the square root of its weight, so the
    dot product with a query made the same way is ``sum(part_weights[p] * cosine_p)``.
    """

    listings: Sequence[Listing]
    terms: Terms
    idf: np.ndarray  # float64, one per term
    indptr: np.ndarray  # int64, terms + 1
    rows: np.ndarray  # int32, one per non-zero
    weights: np.ndarray  # float32, one per non-zero
    parts: np.ndarray  # uint8, one per term: its part, an index into models.PARTS
    asked_indptr: np.ndarray  # int64, listings + 1
    asked_columns: np.ndarray  # int32
    asked_required: np.ndarray  # bool, one per asked skill: required (else preferred)
    sublinear_tf: bool
    part_weights: np.ndarray  # float64, one per part, summing to 1 (Settings.part_weights)
    query_floors: np.ndarray  # float64, one per part: the least norm a query part is divided by
    # The statistics listings added later are weighed with (as a fitted vectorizer's):
    listing_floors: np.ndarray  # float64, one per part: the least norm a listing part is divided by
    repeated: np.ndarray  # int64, sorted: keys of word triples repeated across listings
    # What filters read, one per listing (see filters.listing_facts).
    remote: np.ndarray  # int8: filters.REMOTE, HYBRID, ON_SITE or UNKNOWN
    job_types: np.ndarray  # uint16: bit set of filters.JOB_TYPES, 0 when not given
    posted: np.ndarray  # int32: day number since 1970-01-01, filters.NO_DATE when not given
    salary_yearly: np.ndarray  # float64: top of the pay range per year, NaN when not given
    salary_currency: np.ndarray  # uint32: ISO 4217 code packed (filters.currency_code), or 0

    def facts(self) -> dict[str, np.ndarray]:
        """Return the arrays filters read, by name (as ``filters.listing_facts`` makes them)."""
        return {name: getattr(self, name) for name in FACTS}

    @property
    def nnz(self) -> int:
        return len(self.rows)

    @property
    def is_skill(self) -> np.ndarray:
        """Whether each term is a skill (bool, one per term)."""
        return self.parts == _SKILLS

    def required(self, row: int) -> np.ndarray:
        """Return, for each of ``asked(row)``, whether the listing requires it (bool)."""
        return self.asked_required[self.asked_indptr[row] : self.asked_indptr[row + 1]]

    def asked(self, row: int) -> np.ndarray:
        """Return the columns of the skills listing ``row`` asks for."""
        return self.asked_columns[self.asked_indptr[row] : self.asked_indptr[row + 1]]

    def weights_at(self, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
        """Return the weights of ``rows`` in ``columns`` (columns x rows), 0 where absent.

        Shape (len(columns), len(rows)), float64. One binary search for every (column, row)
        pair at once, in step: as many numpy passes as the longest posting list has bits,
        rather than a search per column (at 1M listings a resume has ~460 columns).
        """
        rows = np.asarray(rows)
        columns = np.asarray(columns)
        out = np.zeros((len(columns), len(rows)), dtype=np.float64)
        if not (len(rows) and len(columns) and self.nnz):
            return out
        # Pair i * len(rows) + j is (columns[i], rows[j]): out's own order.
        ends = np.repeat(self.indptr[columns + 1], len(rows))
        low = np.repeat(self.indptr[columns], len(rows))
        high = ends.copy()
        wanted = np.tile(rows, len(columns))
        last = self.nnz - 1
        for _ in range(int((high - low).max()).bit_length()):
            middle = (low + high) >> 1
            open_ = low < high
            below = open_ & (self.rows[np.minimum(middle, last)] < wanted)
            low = np.where(below, middle + 1, low)
            high = np.where(open_ & ~below, middle, high)
        # low is now where each row is, or would be, in its column's postings.
        hit = low < ends
        hit[hit] = self.rows[low[hit]] == wanted[hit]
        out.reshape(-1)[hit] = self.weights[low[hit]]
        return out


class Segments:
    """An index made of segments: the first ``fitted`` built with statistics (one, or the
    shards of a sharded build: ``index/build.py``), each later one added and weighed with
    them (``engines.local.build_segment``). It answers what an ``Index`` does, over all rows:
    row ``r`` of the whole is row ``r - starts[k]`` of segment ``k``.
    """

    def __init__(self, segments: Sequence[Index], fitted: int = 1) -> None:
        if not segments:
            raise ValueError("an index has at least one segment")
        if not 1 <= fitted <= len(segments):
            raise ValueError(f"fitted must be from 1 to {len(segments)}, got {fitted}")
        self.segments = tuple(segments)
        self.fitted = fitted
        first = self.segments[0]
        self.terms = first.terms
        self.idf = first.idf
        self.parts = first.parts
        self.sublinear_tf = first.sublinear_tf
        self.part_weights = first.part_weights
        self.query_floors = first.query_floors
        self.listing_floors = first.listing_floors
        self.repeated = first.repeated
        sizes = [len(segment.listings) for segment in self.segments]
        self.starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.listings: Sequence[Listing] = _Chained([s.listings for s in self.segments])

    @property
    def nnz(self) -> int:
        return sum(segment.nnz for segment in self.segments)

    @property
    def is_skill(self) -> np.ndarray:
        return self.parts == _SKILLS

    def facts(self) -> dict[str, np.ndarray]:
        """Return the filters' arrays over all rows (see ``Index.facts``)."""
        every = [segment.facts() for segment in self.segments]
        return {name: np.concatenate([f[name] for f in every]) for name in FACTS}

    def _at(self, row: int) -> tuple[Index, int]:
        k = int(np.searchsorted(self.starts, row, side="right")) - 1
        if not 0 <= row < self.starts[-1]:
            raise IndexError(row)
        return self.segments[k], row - int(self.starts[k])

    def asked(self, row: int) -> np.ndarray:
        segment, local = self._at(row)
        return segment.asked(local)

    def required(self, row: int) -> np.ndarray:
        segment, local = self._at(row)
        return segment.required(local)

    def weights_at(self, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
        """As ``Index.weights_at``, over all rows."""
        rows = np.asarray(rows, dtype=np.int64)
        out = np.zeros((len(columns), len(rows)), dtype=np.float64)
        which = np.searchsorted(self.starts, rows, side="right") - 1
        for k in np.unique(which).tolist():
            here = which == k
            out[:, here] = self.segments[k].weights_at(rows[here] - self.starts[k], columns)
        return out


class _Chained(LazyListings):
    """Sequences of listings read as one, without copying them."""

    def __init__(self, parts: Sequence[Sequence[Listing]]) -> None:
        self._parts = parts
        self._starts = np.concatenate([[0], np.cumsum([len(p) for p in parts])]).astype(np.int64)

    def __len__(self) -> int:
        return int(self._starts[-1])

    def _listing(self, index: int) -> Listing:
        k = int(np.searchsorted(self._starts, index, side="right")) - 1
        return self._parts[k][index - int(self._starts[k])]

    def __iter__(self) -> Iterator[Listing]:
        for part in self._parts:
            yield from part


# An index of one segment, or of several.
AnyIndex = Index | Segments
