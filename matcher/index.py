"""Stage 3, index: listings in, L2-normalised TF-IDF vectors stored term by term out.

The vectors are kept as postings: for each term, the listings that have it (in row order) and
their weights (float32). Scoring a resume then reads only the postings of the resume's terms,
and the same arrays can be written to disk and memory-mapped back (``matcher/store.py``).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import multiprocessing.pool
import os
import signal
import sys
import threading
import time
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import numpy as np

from .analyse import (
    KINDS,
    SKILL_PREFIX,
    Analyzer,
    Span,
    sentence_shingles,
    sentence_spans,
    sentences,
    term_part,
)
from .filters import FACTS, listing_facts
from .models import UNTITLED, Listing

_T = TypeVar("_T")


class Terms(Protocol):
    """The index's terms: column number to term, and term to column number."""

    def __len__(self) -> int: ...
    def __getitem__(self, column: int) -> str: ...
    def column(self, term: str) -> int | None: ...


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
        """Return the weights of ``rows`` in ``columns`` (columns x rows), 0 where absent."""
        out = np.zeros((len(columns), len(rows)), dtype=np.float64)
        rows = np.asarray(rows)
        kind = np.iinfo(self.rows.dtype)
        if len(rows) and kind.min <= rows.min() and rows.max() <= kind.max:
            # Searched in the postings' own type: other keys would have numpy copy each list.
            rows = rows.astype(self.rows.dtype)
        for i, column in enumerate(columns.tolist()):
            start, end = int(self.indptr[column]), int(self.indptr[column + 1])
            postings = self.rows[start:end]
            at = np.searchsorted(postings, rows)
            inside = at < len(postings)
            hit = np.zeros(len(rows), dtype=bool)
            hit[inside] = postings[at[inside]] == rows[inside]
            out[i, hit] = self.weights[start + at[hit]]
        return out


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
    _SHARED.update(listings=listings, analyzer=analyzer, repeated=set(), spans=[])
    try:
        if settings.sections:
            _SHARED["repeated"] = _repeated(
                n, settings.boilerplate_min_listings, procs, progress, _SHARED["spans"]
            )
        elif progress:
            progress(n)
        columns: dict[str, int] = {}
        indptr = array("q", [0])
        indices = array("i")
        data = array("d")
        asked_indptr = array("q", [0])
        asked = array("i")
        required = array("b")
        for chunk in _map(_weigh_chunk, n, procs):
            for joined, weights, skills in chunk:
                terms = joined.split("\x00") if joined else []
                indices.extend([columns.setdefault(t, len(columns)) for t in terms])
                data.frombytes(weights.tobytes())
                indptr.append(len(indices))
                for skill, is_required in skills:
                    asked.append(columns[SKILL_PREFIX + skill])
                    required.append(is_required)
                asked_indptr.append(len(asked))
            if progress:
                progress(len(chunk))
    finally:
        _SHARED.clear()
    return _assemble(
        listings, analyzer, columns, indptr, indices, data, asked_indptr, asked, required
    )


def _processes(workers: int | None, n: int) -> int:
    if workers is None:
        workers = (os.cpu_count() or 1) if n >= PARALLEL_MIN else 1
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
    indptr: array[int],
    indices: array[int],
    data: array[float],
    asked_indptr: array[int],
    asked: array[int],
    required: array[int],
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
    cols = renumber[np.frombuffer(indices, dtype=np.int32)] if v else np.zeros(0, np.int32)
    tf = _tf(np.frombuffer(data, dtype=np.float64), settings.sublinear_tf)
    row_ptr = np.frombuffer(indptr, dtype=np.int64)
    df = np.bincount(cols, minlength=v)
    idf = smoothed_idf(n, df)
    weights = tf * idf[cols]
    row_of = np.repeat(np.arange(n, dtype=np.int32), np.diff(row_ptr))
    pivots = np.array([settings.skill_pivot, 0.0, 0.0])
    medians = _median_norms(row_of, parts[cols], weights, n)
    # The resume's words make both its title and words parts: both are floored at a typical
    # listing's word mass, so that a resume of a few words cannot reach a full cosine.
    query_floors = settings.query_pivot * medians[[0, 2, 2]]
    weights *= _part_scale(row_of, parts[cols], weights, part_weights, n, pivots * medians)
    order = np.lexsort((row_of, cols))  # term-major, listings in order within a term
    postings_ptr = np.zeros(v + 1, dtype=np.int64)
    postings_ptr[1:] = np.cumsum(df)
    asked_columns = renumber[np.frombuffer(asked, dtype=np.int32)] if v else np.zeros(0, np.int32)
    asked_ptr = np.frombuffer(asked_indptr, dtype=np.int64)
    asked_required = np.frombuffer(required, dtype=np.int8).astype(bool)
    for row in range(n):  # keep each listing's asked skills sorted by column
        start, end = asked_ptr[row], asked_ptr[row + 1]
        if end - start > 1:
            by_column = np.argsort(asked_columns[start:end], kind="stable")
            asked_columns[start:end] = asked_columns[start:end][by_column]
            asked_required[start:end] = asked_required[start:end][by_column]
    return Index(
        listings=tuple(listings),
        terms=TermTable(terms),
        idf=idf,
        indptr=postings_ptr,
        rows=row_of[order],
        weights=weights[order].astype(np.float32),
        parts=parts,
        asked_indptr=asked_ptr.copy(),
        asked_columns=asked_columns.astype(np.int32),
        asked_required=asked_required,
        sublinear_tf=settings.sublinear_tf,
        part_weights=part_weights,
        query_floors=query_floors,
        **listing_facts(listings),
    )


def smoothed_idf(n: int, df: np.ndarray) -> np.ndarray:
    """Return each term's idf from its document frequency ``df`` among ``n`` listings.

    Smoothed, as scikit-learn's ``TfidfTransformer(smooth_idf=True)``: ln((1 + n) / (1 + df)) + 1.
    A saved index's idf is checked against it (``matcher/store.py``).
    """
    return np.log((1.0 + n) / (1.0 + df)) + 1.0


def _median_norms(groups: np.ndarray, parts: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Return, per part, the median L2 norm of the listings' non-empty blocks of that part."""
    block = groups.astype(np.int64) * 3 + parts
    norms = np.sqrt(np.bincount(block, weights=values * values, minlength=n * 3)).reshape(n, 3)
    return np.array(
        [float(np.median(c[c > 0])) if (c > 0).any() else 0.0 for c in norms.T], dtype=np.float64
    )


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


def query_vector(index: Index, terms: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Return a text's TF-IDF vector in the index's terms: (columns, values).

    Each part is L2-normalised and scaled by the square root of its weight, as the listings'
    are. Columns are sorted; terms the index does not have are left out.
    """
    counts: dict[int, float] = {}
    for term, n in Counter(terms).items():  # each distinct term looked up once
        column = index.terms.column(term)
        if column is not None:
            counts[column] = counts.get(column, 0.0) + n
    columns = np.fromiter(sorted(counts), dtype=np.int64, count=len(counts))
    values = _tf(
        np.array([counts[c] for c in columns.tolist()], dtype=np.float64), index.sublinear_tf
    )
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
