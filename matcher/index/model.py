"""Stage 3, index: listings in, L2-normalised TF-IDF vectors stored term by term out.

The vectors are kept as postings: for each term, the listings that have it (in row order) and
their weights (float32). Scoring a resume then reads only the postings of the resume's terms,
and the same arrays can be written to disk and memory-mapped back (``matcher/store.py``).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TypeVar

import numpy as np

if TYPE_CHECKING:
    import multiprocessing.pool

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
from ..filters import FACTS, listing_facts
from ..models import UNTITLED, LazyListings, Listing, Settings

_T = TypeVar("_T")


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
        return self.parts == 0

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
    shards of a sharded build: ``matcher/shards.py``), each later one added and weighed with
    them (``build_segment``). It answers what an ``Index`` does, over all rows: row ``r`` of
    the whole is row ``r - starts[k]`` of segment ``k``.
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
        return self.parts == 0

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


# Below this many listings one process beats starting workers.
PARALLEL_MIN = 4000
_CHUNK = 500
# Work the worker processes read from their parent's memory (they are forked).
_SHARED: dict[str, Any] = {}


def build_index(
    listings: Sequence[Listing],
    analyzer: Analyzer,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> Index:
    """Return the TF-IDF index of ``listings`` under the analyzer's settings.

    Two passes over the listings: one cuts them into sentences and finds text repeated across
    them (boilerplate), one weighs every listing's terms. The first keeps where each sentence
    stands (12 bytes a sentence), so that the second need not cut the listings again. Each
    runs on ``workers`` processes (default: every core, from ``PARALLEL_MIN`` listings up,
    where the platform can fork). Terms are numbered as they come, so memory grows with the
    index, not with Python objects per listing.
    ``progress(n)`` reports n more steps done, of ``2 * len(listings)``; a ``progress`` with
    an ``expect`` method is first told that total (``progress.expect(2 * len(listings))``).
    """
    settings = analyzer.settings
    n = len(listings)
    expect = getattr(progress, "expect", None)
    if callable(expect):
        expect(2 * n)
    procs = _processes(workers, n)
    repeated: set[int] = set()
    _SHARED.update(listings=listings, analyzer=analyzer, repeated=repeated, spans=[])
    try:
        if settings.sections:
            repeated = _repeated(
                n, settings.boilerplate_min_listings, procs, progress, _SHARED["spans"]
            )
            _SHARED["repeated"] = repeated
        elif progress:
            progress(n)
        columns: dict[str, int] = {}
        collected = _collect(n, procs, progress, columns)
    finally:
        _SHARED.clear()
    keys = np.array(sorted(repeated), dtype=np.int64)
    return _assemble(listings, analyzer, columns, keys, collected)


def build_segment(
    index: AnyIndex,
    listings: Sequence[Listing],
    analyzer: Analyzer,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> Index:
    """Return a segment of ``listings`` weighed with ``index``'s statistics, to add to it.

    As a fitted vectorizer transforms new documents: the index's terms, idf, repeated word
    triples (boilerplate) and pivot floors are kept, and terms the index lacks are left out
    (``Segment`` rows count from 0). The segment shares the index's term arrays, so its scores
    are comparable with the index's, listing for listing. ``matcher index optimize`` rebuilds
    with fresh statistics. ``progress`` is told steps as ``build_index`` tells them, two per
    listing (``expect(2 * len(listings))`` first), though a segment takes one pass.
    Raises ``ValueError`` when ``analyzer``'s settings are not those the index was built with.
    """
    if tuple(analyzer.settings.part_weights()) != tuple(index.part_weights.tolist()):
        raise ValueError("a segment must be analysed with its index's settings")
    n = len(listings)
    expect = getattr(progress, "expect", None)
    if callable(expect):
        expect(2 * n)
    procs = _processes(workers, n)
    repeated = set(index.repeated.tolist())
    steps = None if progress is None else (lambda done: progress(2 * done))
    _SHARED.update(listings=listings, analyzer=analyzer, repeated=repeated, spans=[])
    found: dict[str, int | None] = {}

    def column(term: str) -> int | None:
        if term not in found:
            found[term] = index.terms.column(term)
        return found[term]

    try:
        collected = _collect(n, procs, steps, column)
    finally:
        _SHARED.clear()
    v = len(index.terms)
    cols = np.frombuffer(collected.indices, dtype=np.int32)
    row_ptr = np.frombuffer(collected.indptr, dtype=np.int64)
    weights = _tf(np.frombuffer(collected.data, dtype=np.float64), index.sublinear_tf)
    weights = weights * index.idf[cols]
    row_of = np.repeat(np.arange(n, dtype=np.int32), np.diff(row_ptr))
    parts = index.parts[cols]
    weights *= _part_scale(row_of, parts, weights, index.part_weights, n, index.listing_floors)
    postings_ptr, rows, ordered = _postings(v, cols, row_of, weights)
    asked = np.frombuffer(collected.asked, dtype=np.int32)
    asked_columns, asked_required = _sorted_asked(asked, collected)
    return Index(
        listings=tuple(listings),
        terms=index.terms,
        idf=index.idf,
        indptr=postings_ptr,
        rows=rows,
        weights=ordered,
        parts=index.parts,
        asked_indptr=np.frombuffer(collected.asked_indptr, dtype=np.int64).copy(),
        asked_columns=asked_columns,
        asked_required=asked_required,
        sublinear_tf=index.sublinear_tf,
        part_weights=index.part_weights,
        query_floors=index.query_floors,
        listing_floors=index.listing_floors,
        repeated=index.repeated,
        **listing_facts(listings),
    )


class _Collected(NamedTuple):
    """Every listing's terms as columns with summed weights (CSR), and its asked skills."""

    indptr: array[int]  # q: listings + 1
    indices: array[int]  # i: term columns
    data: array[float]  # d: summed occurrence weights
    asked_indptr: array[int]  # q: listings + 1
    asked: array[int]  # i: columns of asked skills
    required: array[int]  # b: whether each is required


def _collect(
    n: int,
    procs: int,
    progress: Callable[[int], None] | None,
    column: dict[str, int] | Callable[[str], int | None],
) -> _Collected:
    """Weigh every listing's terms on ``procs`` processes. ``column`` numbers a term: a dict
    gives each new term the next column; a function returns None to leave a term out (one
    a fitted index lacks)."""
    out = _Collected(array("q", [0]), array("i"), array("d"), array("q", [0]), array("i"),
                     array("b"))  # fmt: skip
    grow, lookup = (column, None) if isinstance(column, dict) else (None, column)
    for chunk in _map(_weigh_chunk, n, procs):
        for joined, weights, skills in chunk:
            terms = joined.split("\x00") if joined else []
            if grow is not None:  # building: every term gets a column as it comes
                out.indices.extend([grow.setdefault(t, len(grow)) for t in terms])
                out.data.frombytes(weights.tobytes())
            else:  # a segment: terms the index lacks are left out
                assert lookup is not None
                numbered = [lookup(t) for t in terms]
                keep = np.array([c is not None for c in numbered], dtype=bool)
                out.indices.extend([c for c in numbered if c is not None])
                out.data.frombytes(weights[keep].tobytes())
            out.indptr.append(len(out.indices))
            for skill, is_required in skills:
                key = SKILL_PREFIX + skill
                at = grow[key] if grow is not None else lookup(key)  # type: ignore[misc]
                if at is not None:
                    out.asked.append(at)
                    out.required.append(is_required)
            out.asked_indptr.append(len(out.asked))
        if progress:
            progress(len(chunk))
    return out


def _processes(workers: int | None, n: int) -> int:
    if workers is None:
        workers = (os.cpu_count() or 1) if n >= PARALLEL_MIN else 1
    import multiprocessing  # here: a query, which never forks, need not import it

    if workers > 1 and "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, workers)


def _map(function: Callable[[int, int], _T], n: int, procs: int) -> Iterator[_T]:
    """Yield ``function(start, end)`` over chunks of the listings, in order."""
    spans = [(start, min(n, start + _CHUNK)) for start in range(0, n, _CHUNK)]
    if procs == 1 or len(spans) < 2:
        for start, end in spans:
            yield function(start, end)
        return
    with forked_pool(procs) as pool:
        yield from pool.imap(_Call(function), spans)


def forked_pool(processes: int) -> multiprocessing.pool.Pool:
    """Return a pool of forked workers that die with this process and print nothing.

    Killed (even by ``kill -9``), a parent would otherwise leave its workers running, each
    holding its share of memory, then printing ``BrokenPipeError`` tracebacks into the user's
    terminal when they try to hand back their results. An error in a task still reaches the
    parent, which raises it.
    """
    import multiprocessing

    context = multiprocessing.get_context("fork")
    return context.Pool(processes, initializer=_worker_start, initargs=(os.getpid(),))


def _worker_start(parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - for the worker's whole life
    if sys.platform.startswith("linux"):
        try:  # PR_SET_PDEATHSIG: the kernel kills us the moment the parent dies
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # it died before we asked
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    """Where the kernel cannot be asked (not Linux): look twice a second."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


class _Call:
    def __init__(self, function: Callable[[int, int], Any]) -> None:
        self.function = function

    def __call__(self, span: tuple[int, int]) -> Any:
        return self.function(*span)


def _spans(start: int, end: int) -> Iterator[tuple[Listing, list[Span]]]:
    """Yield the listings from ``start`` to ``end`` with where their sentences stand, from the
    table the first pass kept (see ``_code``)."""
    listings = _SHARED["listings"][start:end]
    table, counts = _SHARED["spans"][start // _CHUNK]
    rows = table.tolist()
    at = 0
    for listing, count in zip(listings, counts.tolist(), strict=True):
        yield listing, [
            (a, b, KINDS[code >> 2], bool(code & 2), bool(code & 1))
            for a, b, code in rows[at : at + count]
        ]
        at += count


def _shingle_chunk(start: int, end: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return each listing's distinct word triples (hashed), one listing after another, and
    where its sentences stand: a table of (start, end, code) and a count of rows per listing
    (see ``_code``)."""
    parts = []
    table: list[tuple[int, int, int]] = []
    counts = []
    for listing in _SHARED["listings"][start:end]:
        text = listing.description
        spans = sentence_spans(text)
        shingles = frozenset().union(*(sentence_shingles(text, span) for span in spans))
        parts.append(np.fromiter(shingles, dtype=np.int64, count=len(shingles)))
        table += [(span[0], span[1], _code(span)) for span in spans]
        counts.append(len(spans))
    return (
        np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64),
        np.array(table, dtype=np.int32).reshape(-1, 3),
        np.array(counts, dtype=np.int32),
    )


def _code(span: Span) -> int:
    """Return a span's kind, legal and preferred flags as one number: kind * 4 + 2l + p."""
    _, _, kind, legal, preferred = span
    return KINDS.index(kind) * 4 + 2 * legal + preferred


def _repeated(
    n: int,
    min_listings: int,
    procs: int,
    progress: Callable[[int], None] | None,
    spans: list[tuple[np.ndarray, np.ndarray]],
) -> set[int]:
    """Return the word triples found in at least ``min_listings`` listings.

    Counted with sorted arrays, merged every so often, not a dict of every triple. Where the
    sentences of each chunk of listings stand is appended to ``spans``, chunk by chunk.
    """
    keys = np.zeros(0, dtype=np.int64)
    counts = np.zeros(0, dtype=np.int64)
    pending: list[np.ndarray] = []
    size = 0
    for done, (chunk, table, per_listing) in enumerate(_map(_shingle_chunk, n, procs)):
        spans.append((table, per_listing))
        pending.append(chunk)
        size += len(chunk)
        if progress:
            progress(min(_CHUNK, n - done * _CHUNK))
        if size > 20_000_000:
            keys, counts = _merge(keys, counts, pending)
            pending, size = [], 0
    keys, counts = _merge(keys, counts, pending)
    return set(keys[counts >= min_listings].tolist())


def _merge(
    keys: np.ndarray, counts: np.ndarray, pending: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    new, new_counts = np.unique(
        np.concatenate([np.zeros(0, np.int64), *pending]), return_counts=True
    )
    both = np.concatenate([keys, new])
    merged, inverse = np.unique(both, return_inverse=True)
    totals = np.zeros(len(merged), dtype=np.int64)
    np.add.at(totals, inverse, np.concatenate([counts, new_counts]))
    return merged, totals


def _weigh_chunk(start: int, end: int) -> list[tuple[str, np.ndarray, list[tuple[str, bool]]]]:
    """Return each listing's terms (joined by NUL, quick to pass between processes), their
    summed weights, and the skills it asks for with whether it requires each."""
    analyzer: Analyzer = _SHARED["analyzer"]
    repeated = _SHARED["repeated"]
    out = []
    if _SHARED["spans"]:
        found = (
            analyzer.listing_terms_at(listing.description, spans, _title(listing), repeated)
            for listing, spans in _spans(start, end)
        )
    elif analyzer.settings.sections:  # a segment: no first pass kept where sentences stand
        found = (
            analyzer.listing_terms_at(
                listing.description, sentence_spans(listing.description), _title(listing),
                repeated,
            )  # fmt: skip
            for listing in _SHARED["listings"][start:end]
        )
    else:  # sections off: each listing is one sentence
        settings = analyzer.settings
        found = (
            analyzer.listing_terms(sentences(listing.description, settings), _title(listing))
            for listing in _SHARED["listings"][start:end]
        )
    for weights, skills in found:
        out.append(
            (
                "\x00".join(weights),
                np.fromiter(weights.values(), dtype=np.float64, count=len(weights)),
                sorted(skills.items()),
            )
        )
    return out


def _title(listing: Listing) -> str | None:
    """Return a listing's title, given or guessed from the text: its most telling line."""
    return listing.title if listing.title and listing.title != UNTITLED else None


def _assemble(
    listings: Sequence[Listing],
    analyzer: Analyzer,
    columns: dict[str, int],
    repeated: np.ndarray,
    collected: _Collected,
) -> Index:
    """Turn per-listing term weights into TF-IDF postings, each part of a listing L2-normalised
    and scaled by the square root of its weight; terms sorted."""
    settings = analyzer.settings
    n, v = len(listings), len(columns)
    terms = sorted(columns)
    parts = np.fromiter((term_part(t) for t in terms), dtype=np.uint8, count=v)
    part_weights = np.array(settings.part_weights(), dtype=np.float64)
    renumber = np.zeros(v, dtype=np.int32)
    renumber[[columns[t] for t in terms]] = np.arange(v, dtype=np.int32)
    indices = np.frombuffer(collected.indices, dtype=np.int32)
    cols = renumber[indices] if v else np.zeros(0, np.int32)
    tf = _tf(np.frombuffer(collected.data, dtype=np.float64), settings.sublinear_tf)
    row_ptr = np.frombuffer(collected.indptr, dtype=np.int64)
    df = np.bincount(cols, minlength=v)
    idf = smoothed_idf(n, df)
    weights = tf * idf[cols]
    row_of = np.repeat(np.arange(n, dtype=np.int32), np.diff(row_ptr))
    norms = part_norms(row_of, parts[cols], weights, n)
    query_floors, listing_floors = pivot_floors(settings, norms)
    weights *= _part_scale(row_of, parts[cols], weights, part_weights, n, listing_floors)
    postings_ptr, rows, ordered = _postings(v, cols, row_of, weights)
    asked = np.frombuffer(collected.asked, dtype=np.int32)
    asked_columns, asked_required = _sorted_asked(renumber[asked] if v else asked, collected)
    return Index(
        listings=tuple(listings),
        terms=TermTable(terms),
        idf=idf,
        indptr=postings_ptr,
        rows=rows,
        weights=ordered,
        parts=parts,
        asked_indptr=np.frombuffer(collected.asked_indptr, dtype=np.int64).copy(),
        asked_columns=asked_columns,
        asked_required=asked_required,
        sublinear_tf=settings.sublinear_tf,
        part_weights=part_weights,
        query_floors=query_floors,
        listing_floors=listing_floors,
        repeated=repeated,
        **listing_facts(listings),
    )


def _postings(
    v: int, cols: np.ndarray, row_of: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (indptr, rows, weights as float32) of the postings: term-major, rows rising."""
    order = np.lexsort((row_of, cols))
    indptr = np.zeros(v + 1, dtype=np.int64)
    indptr[1:] = np.cumsum(np.bincount(cols, minlength=v))
    return indptr, row_of[order], weights[order].astype(np.float32)


def _sorted_asked(columns: np.ndarray, collected: _Collected) -> tuple[np.ndarray, np.ndarray]:
    """Return each listing's asked skills (``columns``, listing after listing, as collected)
    sorted by column within a listing, and whether each is required."""
    columns = columns.astype(np.int32)  # a copy, sorted in place below
    required = np.frombuffer(collected.required, dtype=np.int8).astype(bool)
    ptr = np.frombuffer(collected.asked_indptr, dtype=np.int64)
    for row in np.flatnonzero(np.diff(ptr) > 1).tolist():
        start, end = ptr[row], ptr[row + 1]
        by_column = np.argsort(columns[start:end], kind="stable")
        columns[start:end] = columns[start:end][by_column]
        required[start:end] = required[start:end][by_column]
    return columns, required


def smoothed_idf(n: int, df: np.ndarray) -> np.ndarray:
    """Return each term's idf from its document frequency ``df`` among ``n`` listings.

    Smoothed, as scikit-learn's ``TfidfTransformer(smooth_idf=True)``: ln((1 + n) / (1 + df)) + 1.
    A saved index's idf is checked against it (``matcher/store.py``).
    """
    return np.log((1.0 + n) / (1.0 + df)) + 1.0


def part_norms(groups: np.ndarray, parts: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Return each listing's L2 norm per part, shape (n, 3): ``groups`` (< ``n``) and ``parts``
    say where each of ``values`` belongs (summed in their order)."""
    block = groups.astype(np.int64) * 3 + parts
    return np.sqrt(np.bincount(block, weights=values * values, minlength=n * 3)).reshape(n, 3)


def pivot_floors(settings: Settings, norms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the (query, listing) floors of the parts from every listing's ``part_norms``.

    A floor is a pivot times the median norm of the listings' non-empty blocks of that part
    (see ``_part_scale``). The resume's words make both its title and words parts: both are
    floored at a typical listing's word mass, so that a resume of a few words cannot reach a
    full cosine.
    """
    medians = np.array(
        [float(np.median(c[c > 0])) if (c > 0).any() else 0.0 for c in norms.T], dtype=np.float64
    )
    pivots = np.array([settings.skill_pivot, 0.0, 0.0])
    return settings.query_pivot * medians[[0, 2, 2]], pivots * medians


def _part_scale(
    groups: np.ndarray,
    parts: np.ndarray,
    values: np.ndarray,
    part_weights: np.ndarray,
    n: int,
    floors: np.ndarray | None = None,
) -> np.ndarray:
    """Return the factor that makes each (group, part) block of ``values`` have L2 norm
    ``sqrt(part_weights[part])``: a block of zeros stays zero.

    ``groups`` (int, < ``n``) and ``parts`` (int, < 3) say where each value belongs. With
    ``floors`` (one per part), a block whose norm is below ``floors[part]`` is divided by
    that floor instead, so its norm stays
    below ``sqrt(part_weights[part])``: a listing that names one skill is weak evidence, and
    must not reach a full cosine by sharing it (pivoted normalisation, after Singhal, Buckley
    and Mitra, "Pivoted document length normalization", SIGIR 1996).
    """
    p = len(part_weights)
    block = groups.astype(np.int64) * p + parts
    norms = np.sqrt(np.bincount(block, weights=values * values, minlength=n * p))
    if floors is not None:
        norms = np.where(norms > 0, np.maximum(norms, np.tile(floors, n)), 0.0)
    scale = np.sqrt(part_weights)[parts] / np.where(norms > 0, norms, 1.0)[block]
    return scale


def query_vector(index: AnyIndex, terms: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Return a text's TF-IDF vector in the index's terms: (columns, values).

    Each part is L2-normalised and scaled by the square root of its weight, as the listings'
    are. Columns are sorted; terms the index does not have are left out.
    """
    counted = Counter(terms)  # each distinct term looked up once, all in one call
    found = index.terms.columns(list(counted))
    n = np.fromiter(counted.values(), dtype=np.float64, count=len(counted))
    known = found >= 0
    order = np.argsort(found[known], kind="stable")
    columns = found[known][order]
    values = _tf(n[known][order], index.sublinear_tf)
    values *= index.idf[columns]
    if len(columns):
        values *= _part_scale(
            np.zeros(len(columns), np.int64),
            index.parts[columns],
            values,
            index.part_weights,
            1,
            index.query_floors,
        )
    return columns, values


def _tf(weights: np.ndarray, sublinear: bool) -> np.ndarray:
    """Term frequency from summed occurrence weights: 1 + ln(w) from w = 1 up, w below it.

    Section weights make a weight below 1 possible, where 1 + ln(w) would turn negative; the
    two pieces meet at w = 1 with the same slope, so the curve stays smooth and positive.
    """
    if not sublinear:
        return weights
    return np.where(weights >= 1.0, 1.0 + np.log(np.maximum(weights, 1.0)), weights)
