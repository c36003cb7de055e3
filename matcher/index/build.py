"""Stage 3a, index: the build, as steps that are pure functions of one partition of listings.

Every build runs these steps, whoever runs them: a whole build in one process or on forked
workers, a sharded build, a build on a Dask cluster (``matcher/engines``), and a segment
weighed with an index's statistics. Engines choose where each step runs, never what it does:

1. ``count_triples`` per partition: its listings' distinct word triples with how many listings
   hold each, and where their sentences stand; ``TripleCounter`` merges them into the triples
   repeated across ``boilerplate_min_listings`` listings (boilerplate);
2. ``weigh`` per partition: each listing's terms with summed weights and its asked skills,
   numbered in the partition (``join_weighed`` joins partitions into one);
3. ``statistics`` merges every partition's ``vocabulary``: sorted terms, idf (a segment takes
   its index's instead: ``statistics_of``);
4. ``place`` per partition: TF-IDF in the merged columns and each listing's part norms;
   ``with_floors`` merges the norms into the pivot floors;
5. ``shard`` per partition: its postings, asked skills and filter facts; ``shard_index`` makes
   it an ``Index`` (a segment of one index, with the others).

Each step's floats are the same whatever the partitions: per-listing sums are made in one
listing's order, the statistics are merged exactly, so a sharded build's rows are the whole
build's rows bit for bit (``tests/test_shards.py``).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

import numpy as np

from ..analyse import (
    KINDS,
    SKILL_PREFIX,
    Analyzer,
    Span,
    sentence_shingles,
    sentence_spans,
    sentences,
    term_part,
)
from ..filters import listing_facts
from ..models import PART_NUMBER, PARTS, UNTITLED, Listing
from ..settings import Settings
from ..weigh import part_norms, part_scale, pivot_floors, smoothed_idf, tf
from .model import AnyIndex, Index, Segments, Terms, TermTable

__all__ = [
    "Collected",
    "Counted",
    "Placed",
    "Shard",
    "SpanTable",
    "Statistics",
    "TripleCounter",
    "Weighed",
    "WeighedJoin",
    "assemble",
    "count_triples",
    "join_weighed",
    "norms_of",
    "partition_bounds",
    "place",
    "shard",
    "shard_index",
    "statistics",
    "statistics_of",
    "vocabulary",
    "weigh",
    "with_floors",
]


def partition_bounds(n: int, partitions: int) -> list[tuple[int, int]]:
    """Return ``(start, end)`` of each partition of ``n`` rows: contiguous, in order, sizes
    differing by one at most, none empty (fewer than ``partitions`` when ``n`` is smaller).

    Raises ``ValueError`` for fewer than one partition or no rows.
    """
    if partitions < 1:
        raise ValueError(f"partitions must be at least 1, got {partitions}")
    if n < 1:
        raise ValueError("a sharded build needs at least one listing")
    count = min(partitions, n)
    cuts = [n * k // count for k in range(count + 1)]
    return list(zip(cuts[:-1], cuts[1:], strict=True))


# ---------------------------------------------------------------- 1. boilerplate word triples


class SpanTable(NamedTuple):
    """Where the sentences of a run of listings stand: 12 bytes a sentence, so the second
    step need not cut the listings again. ``rows`` (int32, sentences x 3) holds each
    sentence's start, end and code (kind * 4 + 2 * legal + preferred), listing after listing;
    ``counts`` (int32, one per listing) how many rows each listing has."""

    rows: np.ndarray
    counts: np.ndarray

    def spans(self) -> Iterator[list[Span]]:
        """Yield each listing's sentence spans, as ``analyse.sentence_spans`` gave them."""
        rows = self.rows.tolist()
        at = 0
        for count in self.counts.tolist():
            yield [
                (a, b, KINDS[code >> 2], bool(code & 2), bool(code & 1))
                for a, b, code in rows[at : at + count]
            ]
            at += count


class Counted(NamedTuple):
    """A partition's word triples: distinct keys (int64, sorted), how many of its listings
    hold each (int64), and where its sentences stand (None with sections off)."""

    keys: np.ndarray
    counts: np.ndarray
    spans: SpanTable | None


def count_triples(listings: Sequence[Listing], settings: Settings) -> Counted:
    """Return the partition's word triples and sentence spans (step 1); empty with sections off."""
    if not settings.sections:
        return Counted(np.zeros(0, np.int64), np.zeros(0, np.int64), None)
    found = []
    table: list[tuple[int, int, int]] = []
    counts = []
    for listing in listings:
        text = listing.description
        spans = sentence_spans(text)
        triples = frozenset().union(*(sentence_shingles(text, span) for span in spans))
        found.append(np.fromiter(triples, dtype=np.int64, count=len(triples)))
        table += [(a, b, KINDS.index(kind) * 4 + 2 * legal + preferred)
                  for a, b, kind, legal, preferred in spans]  # fmt: skip
        counts.append(len(spans))
    keys, held = np.unique(np.concatenate([np.zeros(0, np.int64), *found]), return_counts=True)
    spans_table = SpanTable(np.array(table, dtype=np.int32).reshape(-1, 3),
                            np.array(counts, dtype=np.int32))  # fmt: skip
    return Counted(keys, held.astype(np.int64), spans_table)


class TripleCounter:
    """The one counter of word triples across partitions: sorted arrays, merged every
    ``merge_at`` pending keys rather than a dict of every triple (step 1's merge). A pending
    key holds 16 bytes (key and count): 10M of them cost what 20M raw keys did before."""

    def __init__(self, merge_at: int = 10_000_000) -> None:
        self._keys = np.zeros(0, dtype=np.int64)
        self._counts = np.zeros(0, dtype=np.int64)
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []
        self._size = 0
        self._merge_at = merge_at

    def add(self, keys: np.ndarray, counts: np.ndarray) -> None:
        """Count a partition's distinct ``keys`` as held by ``counts`` more listings each."""
        self._pending.append((keys, counts))
        self._size += len(keys)
        if self._size > self._merge_at:
            self._merge()

    def _merge(self) -> None:
        keys = np.concatenate([self._keys, *(k for k, _ in self._pending)])
        counts = np.concatenate([self._counts, *(c for _, c in self._pending)])
        self._keys, inverse = np.unique(keys, return_inverse=True)
        self._counts = np.zeros(len(self._keys), dtype=np.int64)
        np.add.at(self._counts, inverse, counts)
        self._pending, self._size = [], 0

    def repeated(self, min_listings: int) -> np.ndarray:
        """Return the keys held by at least ``min_listings`` listings: int64, sorted."""
        self._merge()
        return self._keys[self._counts >= min_listings].astype(np.int64)


# ------------------------------------------------------------------------------- 2. terms


class Collected(NamedTuple):
    """Every listing's terms as term numbers with summed weights (CSR), and its asked skills."""

    indptr: np.ndarray  # int64, listings + 1
    indices: np.ndarray  # int32: term numbers
    data: np.ndarray  # float64: summed occurrence weights
    asked_indptr: np.ndarray  # int64, listings + 1
    asked: np.ndarray  # int32: term numbers of asked skills, sorted by name within a listing
    required: np.ndarray  # bool: whether each is required


class Weighed(NamedTuple):
    """A partition's listings weighed: ``collected``'s term numbers index ``terms`` (first
    seen first)."""

    terms: tuple[str, ...]
    collected: Collected


def _title(listing: Listing) -> str | None:
    """Return a listing's title, given or found in its text by the reader; None for none."""
    return listing.title if listing.title and listing.title != UNTITLED else None


def weigh(
    listings: Sequence[Listing],
    analyzer: Analyzer,
    repeated: set[int],
    spans: SpanTable | None = None,
) -> Weighed:
    """Return every listing's terms with summed weights and its asked skills (step 2), judged
    against the boilerplate word triples ``repeated``; ``spans`` are where the listings'
    sentences stand (``count_triples``), found again when not given."""
    settings = analyzer.settings
    if not settings.sections:  # each listing is one sentence
        found: Iterable[tuple[dict[str, float], dict[str, bool]]] = (
            analyzer.listing_terms(sentences(listing.description, settings), _title(listing))
            for listing in listings
        )
    else:
        cut = spans.spans() if spans is not None else (
            sentence_spans(listing.description) for listing in listings
        )  # fmt: skip
        found = (
            analyzer.listing_terms_at(listing.description, at, _title(listing), repeated)
            for listing, at in zip(listings, cut, strict=True)
        )
    columns: dict[str, int] = {}
    indptr, indices, data = array("q", [0]), array("i"), array("d")
    asked_indptr, asked, required = array("q", [0]), array("i"), array("b")
    for weights, skills in found:
        indices.extend([columns.setdefault(term, len(columns)) for term in weights])
        data.frombytes(np.fromiter(weights.values(), np.float64, len(weights)).tobytes())
        indptr.append(len(indices))
        for skill, is_required in sorted(skills.items()):
            asked.append(columns[SKILL_PREFIX + skill])
            required.append(is_required)
        asked_indptr.append(len(asked))
    collected = Collected(
        np.frombuffer(indptr, dtype=np.int64), np.frombuffer(indices, dtype=np.int32),
        np.frombuffer(data, dtype=np.float64), np.frombuffer(asked_indptr, dtype=np.int64),
        np.frombuffer(asked, dtype=np.int32), np.frombuffer(required, dtype=np.int8).astype(bool),
    )  # fmt: skip
    return Weighed(tuple(columns), collected)


class WeighedJoin:
    """Consecutive partitions' ``weigh`` results joined into one partition's as they arrive,
    terms numbered first seen first: a whole build's step 2 from its chunks, growing by the
    chunk (no copy of every chunk held at once)."""

    def __init__(self) -> None:
        self._columns: dict[str, int] = {}
        self._indptr, self._indices, self._data = array("q", [0]), array("i"), array("d")
        self._asked_indptr, self._asked, self._required = array("q", [0]), array("i"), array("b")

    def add(self, piece: Weighed) -> None:
        """Append the next partition's listings."""
        columns = self._columns
        renumber = np.fromiter((columns.setdefault(t, len(columns)) for t in piece.terms),
                               dtype=np.int32, count=len(piece.terms))  # fmt: skip
        c = piece.collected
        pairs = ((c.indptr, self._indptr, self._indices),
                 (c.asked_indptr, self._asked_indptr, self._asked))  # fmt: skip
        for pointers, out, values in pairs:  # pointers first: they count what is there
            out.frombytes((pointers[1:] + len(values)).astype(np.int64).tobytes())
        self._indices.frombytes(renumber[c.indices].astype(np.int32).tobytes())
        self._data.frombytes(c.data.astype(np.float64).tobytes())
        self._asked.frombytes(renumber[c.asked].astype(np.int32).tobytes())
        self._required.frombytes(c.required.astype(np.int8).tobytes())

    def result(self) -> Weighed:
        """Return the partitions added so far as one ``Weighed``."""
        collected = Collected(
            np.frombuffer(self._indptr, dtype=np.int64),
            np.frombuffer(self._indices, dtype=np.int32),
            np.frombuffer(self._data, dtype=np.float64),
            np.frombuffer(self._asked_indptr, dtype=np.int64),
            np.frombuffer(self._asked, dtype=np.int32),
            np.frombuffer(self._required, dtype=np.int8).astype(bool),
        )
        return Weighed(tuple(self._columns), collected)


def join_weighed(pieces: Iterable[Weighed]) -> Weighed:
    """Return consecutive partitions' ``weigh`` results as one partition's (``WeighedJoin``)."""
    joined = WeighedJoin()
    for piece in pieces:
        joined.add(piece)
    return joined.result()


def vocabulary(weighed: Weighed) -> tuple[list[str], np.ndarray]:
    """Return the partition's terms, sorted, and how many of its listings hold each (int64)."""
    df = np.bincount(weighed.collected.indices, minlength=len(weighed.terms))
    order = sorted(range(len(weighed.terms)), key=weighed.terms.__getitem__)
    return [weighed.terms[i] for i in order], df[order].astype(np.int64)


# ----------------------------------------------------------------------------- 3. statistics


class Statistics(NamedTuple):
    """What every partition is weighed with: ``Index``'s fields of the same names."""

    terms: Terms
    idf: np.ndarray
    parts: np.ndarray
    part_weights: np.ndarray
    repeated: np.ndarray
    sublinear_tf: bool
    query_floors: np.ndarray
    listing_floors: np.ndarray


def statistics(
    vocabularies: Iterable[tuple[list[str], np.ndarray]],
    n: int,
    settings: Settings,
    repeated: np.ndarray,
) -> Statistics:
    """Merge every partition's ``vocabulary`` into sorted terms, their parts and idf over the
    ``n`` listings (``smoothed_idf``); the floors are left empty for ``with_floors``.

    Terms of a ``Part.drop_common`` part held by more than ``settings.generic_share`` of the
    listings are left out (see ``Settings``), so they weigh nothing in any listing or query."""
    pairs = list(vocabularies)
    if len(pairs) == 1:
        terms, df = pairs[0]
    else:
        terms = sorted(set().union(*(t for t, _ in pairs)))
        column = {term: c for c, term in enumerate(terms)}
        df = np.zeros(len(terms), dtype=np.int64)
        for part_terms, part_df in pairs:
            df[np.array([column[t] for t in part_terms], dtype=np.int64)] += part_df
    parts = np.fromiter((term_part(t) for t in terms), dtype=np.uint8, count=len(terms))
    if settings.generic_share < 1.0 and n >= settings.generic_min_listings:
        # Words most listings hold are this pile's advert language: no term at all.
        words = np.array([part.drop_common for part in PARTS], dtype=bool)[parts]
        keep = ~(words & (df > settings.generic_share * n))
        if not keep.all():
            terms = [term for term, kept in zip(terms, keep, strict=True) if kept]
            df, parts = df[keep], parts[keep]
    empty = np.zeros(0, dtype=np.float64)
    return Statistics(
        terms=TermTable(terms),
        idf=smoothed_idf(n, df),
        parts=parts,
        part_weights=np.array(settings.part_weights(), dtype=np.float64),
        repeated=repeated,
        sublinear_tf=settings.sublinear_tf,
        query_floors=empty,
        listing_floors=empty,
    )


def statistics_of(index: AnyIndex) -> Statistics:
    """Return the statistics ``index`` was fitted with, to weigh a segment added to it as a
    fitted vectorizer transforms new documents."""
    return Statistics(
        terms=index.terms,
        idf=index.idf,
        parts=index.parts,
        part_weights=index.part_weights,
        repeated=index.repeated,
        sublinear_tf=index.sublinear_tf,
        query_floors=index.query_floors,
        listing_floors=index.listing_floors,
    )


# ------------------------------------------------------------------------- 4. pivot floors


class Placed(NamedTuple):
    """A partition's TF-IDF in the statistics' columns, before part scaling, and what is
    asked; ``norms`` (listings x parts): each listing's L2 norm per part, what the pivot
    floors' medians are taken over."""

    columns: np.ndarray  # int32, one per non-zero, listing after listing
    weights: np.ndarray  # float64
    row_of: np.ndarray  # int32: the partition's row of each non-zero
    asked_indptr: np.ndarray  # int64, listings + 1
    asked: np.ndarray  # int32: asked skills' columns, as weighed
    required: np.ndarray  # bool, one per asked skill
    norms: np.ndarray  # float64, (listings, parts)


def place(weighed: Weighed, stats: Statistics) -> Placed:
    """Return the partition's TF-IDF weights in ``stats``' columns, and its norms (step 4).

    Terms ``stats`` lacks (a segment's new words) are left out, as a fitted vectorizer leaves
    out words it has not seen.
    """
    c = weighed.collected
    n = len(c.indptr) - 1
    renumber = stats.terms.columns(weighed.terms).astype(np.int32)
    cols = renumber[c.indices] if len(renumber) else np.zeros(0, np.int32)
    row_of = np.repeat(np.arange(n, dtype=np.int32), np.diff(c.indptr))
    asked = renumber[c.asked] if len(renumber) else np.zeros(0, np.int32)
    required, asked_indptr, data = c.required, c.asked_indptr, c.data
    if (renumber < 0).any():
        keep = cols >= 0
        cols, row_of, data = cols[keep], row_of[keep], data[keep]
        kept = asked >= 0
        asked, required = asked[kept], required[kept]
        asked_indptr = np.concatenate([[0], np.cumsum(kept)])[c.asked_indptr].astype(np.int64)
    weights = tf(data, stats.sublinear_tf) * stats.idf[cols]
    norms = part_norms(row_of, stats.parts[cols], weights, n)
    return Placed(cols, weights, row_of, asked_indptr, asked, required, norms)


def norms_of(placed: Placed) -> np.ndarray:
    """Return ``placed.norms`` (for an engine to fetch them alone)."""
    return placed.norms


def with_floors(stats: Statistics, norms: Iterable[np.ndarray], settings: Settings) -> Statistics:
    """Return ``stats`` with the pivot floors from every partition's ``norms``
    (``weigh.pivot_floors``)."""
    every = np.concatenate([np.zeros((0, len(PART_NUMBER))), *norms])
    query_floors, listing_floors = pivot_floors(settings, every)
    return stats._replace(query_floors=query_floors, listing_floors=listing_floors)


# ------------------------------------------------------------------------------- 5. shards


class Shard(NamedTuple):
    """One partition's own arrays: ``Index``'s fields of the same names, rows counted from 0."""

    indptr: np.ndarray
    rows: np.ndarray
    weights: np.ndarray
    asked_indptr: np.ndarray
    asked_columns: np.ndarray
    asked_required: np.ndarray
    facts: dict[str, np.ndarray]


def shard(listings: Sequence[Listing], placed: Placed, stats: Statistics) -> Shard:
    """Return the partition's postings (each listing's parts scaled with the floors), its
    asked skills sorted by column, and its filter facts (step 5)."""
    n = len(placed.asked_indptr) - 1
    parts = stats.parts[placed.columns]
    scale = part_scale(
        placed.row_of, parts, placed.weights, stats.part_weights, n, stats.listing_floors
    )
    scale *= placed.weights  # in place: one array of the non-zeros' size fewer at the peak
    v = len(stats.terms)
    order = np.lexsort((placed.row_of, placed.columns))  # term-major, rows rising
    indptr = np.zeros(v + 1, dtype=np.int64)
    indptr[1:] = np.cumsum(np.bincount(placed.columns, minlength=v))
    asked_columns, asked_required = _sorted_asked(placed)
    return Shard(
        indptr=indptr,
        rows=placed.row_of[order],
        weights=scale[order].astype(np.float32),
        asked_indptr=placed.asked_indptr.copy(),
        asked_columns=asked_columns,
        asked_required=asked_required,
        facts=listing_facts(listings),
    )


def _sorted_asked(placed: Placed) -> tuple[np.ndarray, np.ndarray]:
    """Return each listing's asked skills sorted by column within the listing, and whether
    each is required."""
    columns = placed.asked.astype(np.int32)  # a copy, sorted in place below
    required = placed.required.astype(bool)
    ptr = placed.asked_indptr
    for row in np.flatnonzero(np.diff(ptr) > 1).tolist():
        start, end = ptr[row], ptr[row + 1]
        by_column = np.argsort(columns[start:end], kind="stable")
        columns[start:end] = columns[start:end][by_column]
        required[start:end] = required[start:end][by_column]
    return columns, required


def shard_index(listings: Sequence[Listing], piece: Shard, stats: Statistics) -> Index:
    """Return the partition as an ``Index`` (a segment of one index with the others)."""
    return Index(
        listings=tuple(listings),
        terms=stats.terms,
        idf=stats.idf,
        indptr=piece.indptr,
        rows=piece.rows,
        weights=piece.weights,
        parts=stats.parts,
        asked_indptr=piece.asked_indptr,
        asked_columns=piece.asked_columns,
        asked_required=piece.asked_required,
        sublinear_tf=stats.sublinear_tf,
        part_weights=stats.part_weights,
        query_floors=stats.query_floors,
        listing_floors=stats.listing_floors,
        repeated=stats.repeated,
        **piece.facts,
    )


def assemble(listings: Sequence[Listing], bounds: Sequence[tuple[int, int]],
             pieces: Sequence[Shard], stats: Statistics) -> Segments:  # fmt: skip
    """Return the shards of a build as its index: ``Segments`` fitted on them all."""
    made = [shard_index(listings[a:b], piece, stats)
            for (a, b), piece in zip(bounds, pieces, strict=True)]  # fmt: skip
    return Segments(made, fitted=len(made))
