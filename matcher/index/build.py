"""Stage 3c, index: a build cut into partitions of listings, one step at a time, no engine.

A sharded index is one saved index whose segments are shards: contiguous runs of listings
whose statistics (terms, idf, boilerplate word triples, pivot floors) are fitted on all of them.
Each step below is a pure function of one partition and what the steps before merged, so that
an engine (``matcher.engines.dask``: Dask) can run the partitions on other machines:

1. ``shingle_counts`` per partition, ``repeated_keys`` merges them: boilerplate word triples;
2. ``weigh`` per partition (each listing's terms and summed weights), ``statistics`` merges
   their ``vocabulary``: sorted terms, document frequencies, idf;
3. ``place`` per partition (global columns, TF-IDF, each listing's part norms), ``with_floors``
   merges the norms into the pivot floors;
4. ``shard`` per partition: its postings, asked skills and filter facts.

The float operations are ``index._assemble``'s, in its order, on the same values, so shard
``k`` holds exactly the rows build_index gives the same listings: arrays equal bit for bit
(``tests/test_distributed.py``). ``build_shards`` runs the steps one after another.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import numpy as np

from ..analyse import SKILL_PREFIX, Analyzer, sentences, term_part
from ..filters import listing_facts
from ..models import UNTITLED, Listing, Settings
from .model import (
    Index,
    Segments,
    TermTable,
    _Collected,
    _part_scale,
    _postings,
    _sorted_asked,
    _tf,
    part_norms,
    pivot_floors,
    smoothed_idf,
)

__all__ = [
    "Placed",
    "Shard",
    "Statistics",
    "Weighed",
    "build_shards",
    "partition_bounds",
    "place",
    "repeated_keys",
    "shard",
    "shard_index",
    "shingle_counts",
    "statistics",
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


def shingle_counts(
    listings: Sequence[Listing], settings: Settings
) -> tuple[np.ndarray, np.ndarray]:
    """Return the distinct word-triple keys of the partition's listings and, for each, how many
    of its listings hold it: (keys int64 sorted, counts int64). Empty with sections off."""
    found = []
    if settings.sections:
        for listing in listings:
            document = sentences(listing.description, settings)
            triples = frozenset().union(*(s.shingles for s in document))
            found.append(np.fromiter(triples, dtype=np.int64, count=len(triples)))
    keys, counts = np.unique(np.concatenate([np.zeros(0, np.int64), *found]), return_counts=True)
    return keys, counts.astype(np.int64)


def repeated_keys(
    counted: Iterable[tuple[np.ndarray, np.ndarray]], min_listings: int
) -> np.ndarray:
    """Return the keys held by at least ``min_listings`` listings over every partition's
    ``shingle_counts``: int64, sorted (``Index.repeated``)."""
    pairs = list(counted)
    keys = np.concatenate([np.zeros(0, np.int64), *(k for k, _ in pairs)])
    counts = np.concatenate([np.zeros(0, np.int64), *(c for _, c in pairs)])
    merged, inverse = np.unique(keys, return_inverse=True)
    totals = np.zeros(len(merged), dtype=np.int64)
    np.add.at(totals, inverse, counts)
    return merged[totals >= min_listings].astype(np.int64)


# ------------------------------------------------------------------------------- 2. terms


class Weighed(NamedTuple):
    """A partition's listings weighed: ``collected``'s columns number ``terms`` (first seen
    first), as ``index._collect`` numbers a whole build's."""

    terms: tuple[str, ...]
    collected: _Collected


def weigh(listings: Sequence[Listing], analyzer: Analyzer, repeated: np.ndarray) -> Weighed:
    """Return every listing's terms with summed weights and its asked skills, judged against
    the merged boilerplate ``repeated`` (``repeated_keys``), as ``build_index`` weighs them."""
    settings = analyzer.settings
    boilerplate = set(repeated.tolist())
    columns: dict[str, int] = {}
    out = _Collected(array("q", [0]), array("i"), array("d"), array("q", [0]), array("i"),
                     array("b"))  # fmt: skip
    for listing in listings:
        # The title, given or guessed from the text, is the listing's most telling line.
        title = listing.title if listing.title and listing.title != UNTITLED else None
        document = sentences(listing.description, settings)
        weights, skills = analyzer.listing_terms(document, title, boilerplate)
        out.indices.extend([columns.setdefault(term, len(columns)) for term in weights])
        out.data.frombytes(np.fromiter(weights.values(), np.float64, len(weights)).tobytes())
        out.indptr.append(len(out.indices))
        for skill, is_required in sorted(skills.items()):
            out.asked.append(columns[SKILL_PREFIX + skill])
            out.required.append(is_required)
        out.asked_indptr.append(len(out.asked))
    return Weighed(tuple(columns), out)


def vocabulary(weighed: Weighed) -> tuple[list[str], np.ndarray]:
    """Return the partition's terms, sorted, and how many of its listings hold each (int64)."""
    df = np.bincount(np.frombuffer(weighed.collected.indices, np.int32),
                     minlength=len(weighed.terms))  # fmt: skip
    order = sorted(range(len(weighed.terms)), key=weighed.terms.__getitem__)
    return [weighed.terms[i] for i in order], df[order].astype(np.int64)


class Statistics(NamedTuple):
    """What every shard is weighed with: ``Index``'s fields of the same names."""

    terms: tuple[str, ...]
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
    ``n`` listings (``smoothed_idf``); the floors are left empty for ``with_floors``."""
    pairs = list(vocabularies)
    terms = sorted(set().union(*(t for t, _ in pairs)))
    column = {term: c for c, term in enumerate(terms)}
    df = np.zeros(len(terms), dtype=np.int64)
    for part_terms, part_df in pairs:
        df[np.array([column[t] for t in part_terms], dtype=np.int64)] += part_df
    parts = np.fromiter((term_part(t) for t in terms), dtype=np.uint8, count=len(terms))
    empty = np.zeros(0, dtype=np.float64)
    return Statistics(
        terms=tuple(terms),
        idf=smoothed_idf(n, df),
        parts=parts,
        part_weights=np.array(settings.part_weights(), dtype=np.float64),
        repeated=repeated,
        sublinear_tf=settings.sublinear_tf,
        query_floors=empty,
        listing_floors=empty,
    )


# ------------------------------------------------------------------------- 3. pivot floors


class Placed(NamedTuple):
    """A partition's TF-IDF in global columns, before part scaling; ``norms`` (listings x 3):
    each listing's L2 norm per part, what the pivot floors' medians are taken over."""

    columns: np.ndarray  # int32, one per non-zero, listing after listing
    weights: np.ndarray  # float64
    row_of: np.ndarray  # int32: the partition's row of each non-zero
    asked: np.ndarray  # int32: asked skills' global columns, as collected
    norms: np.ndarray  # float64, (listings, 3)


def place(weighed: Weighed, stats: Statistics) -> Placed:
    """Return the partition's TF-IDF weights in the merged ``stats``' columns, and its norms."""
    column = {term: c for c, term in enumerate(stats.terms)}
    renumber = np.array([column[t] for t in weighed.terms], dtype=np.int32)
    collected = weighed.collected
    indices = np.frombuffer(collected.indices, dtype=np.int32)
    cols = renumber[indices] if len(renumber) else np.zeros(0, np.int32)
    tf = _tf(np.frombuffer(collected.data, dtype=np.float64), stats.sublinear_tf)
    weights = tf * stats.idf[cols]
    row_ptr = np.frombuffer(collected.indptr, dtype=np.int64)
    n = len(row_ptr) - 1
    row_of = np.repeat(np.arange(n, dtype=np.int32), np.diff(row_ptr))
    norms = part_norms(row_of, stats.parts[cols], weights, n)
    asked = np.frombuffer(collected.asked, dtype=np.int32)
    return Placed(cols, weights, row_of, renumber[asked] if len(renumber) else asked, norms)


def norms_of(placed: Placed) -> np.ndarray:
    """Return ``placed.norms`` (for an engine to fetch them alone)."""
    return placed.norms


def with_floors(stats: Statistics, norms: Iterable[np.ndarray], settings: Settings) -> Statistics:
    """Return ``stats`` with the pivot floors: ``settings``' pivots times the median of the
    listings' non-zero part norms over every partition's ``norms``, as ``build_index`` sets them."""
    every = np.concatenate([np.zeros((0, 3)), *norms])
    query_floors, listing_floors = pivot_floors(settings, every)
    return stats._replace(query_floors=query_floors, listing_floors=listing_floors)


# ------------------------------------------------------------------------------- 4. shards


class Shard(NamedTuple):
    """One shard's own arrays: ``Index``'s fields of the same names, rows counted from 0."""

    indptr: np.ndarray
    rows: np.ndarray
    weights: np.ndarray
    asked_indptr: np.ndarray
    asked_columns: np.ndarray
    asked_required: np.ndarray
    facts: dict[str, np.ndarray]


def shard(
    listings: Sequence[Listing], weighed: Weighed, placed: Placed, stats: Statistics
) -> Shard:
    """Return the partition's postings (each listing's parts scaled with the merged floors),
    its asked skills sorted by column, and its filter facts."""
    n = len(weighed.collected.indptr) - 1
    parts = stats.parts[placed.columns]
    weights = placed.weights * _part_scale(
        placed.row_of, parts, placed.weights, stats.part_weights, n, stats.listing_floors
    )
    indptr, rows, ordered = _postings(len(stats.terms), placed.columns, placed.row_of, weights)
    asked_columns, asked_required = _sorted_asked(placed.asked, weighed.collected)
    return Shard(
        indptr=indptr,
        rows=rows,
        weights=ordered,
        asked_indptr=np.frombuffer(weighed.collected.asked_indptr, dtype=np.int64).copy(),
        asked_columns=asked_columns,
        asked_required=asked_required,
        facts=listing_facts(listings),
    )


def shard_index(listings: Sequence[Listing], piece: Shard, stats: Statistics,
                terms: TermTable | None = None) -> Index:  # fmt: skip
    """Return the shard as an ``Index`` segment (``terms``: a table of ``stats.terms`` to
    share between shards; made when not given)."""
    own: dict[str, Any] = {name: getattr(piece, name) for name in _SHARD_ARRAYS}
    own.update(piece.facts)
    shared: dict[str, Any] = {name: getattr(stats, name) for name in _SHARED_STATISTICS}
    table = terms if terms is not None else TermTable(stats.terms)
    return Index(listings=tuple(listings), terms=table, **own, **shared)


_SHARD_ARRAYS = ("indptr", "rows", "weights", "asked_indptr", "asked_columns", "asked_required")
_SHARED_STATISTICS = ("idf", "parts", "part_weights", "repeated", "sublinear_tf",
                      "query_floors", "listing_floors")  # fmt: skip


def build_shards(listings: Sequence[Listing], analyzer: Analyzer, partitions: int) -> Segments:
    """Return the listings' index as ``partitions`` shards, building one partition at a time
    in this process: what ``matcher.engines.dask.build_sharded`` computes on a cluster.

    Raises ``ValueError`` for no listings or fewer than one partition.
    """
    settings = analyzer.settings
    bounds = partition_bounds(len(listings), partitions)
    pieces = [listings[start:end] for start, end in bounds]
    repeated = repeated_keys(
        (shingle_counts(piece, settings) for piece in pieces), settings.boilerplate_min_listings
    )
    weighed = [weigh(piece, analyzer, repeated) for piece in pieces]
    stats = statistics((vocabulary(w) for w in weighed), len(listings), settings, repeated)
    placed = [place(w, stats) for w in weighed]
    stats = with_floors(stats, (p.norms for p in placed), settings)
    terms = TermTable(stats.terms)
    shards = [
        shard_index(piece, shard(piece, w, p, stats), stats, terms)
        for piece, w, p in zip(pieces, weighed, placed, strict=True)
    ]
    return Segments(shards, fitted=len(shards))
