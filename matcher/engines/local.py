"""The local engine: the build's steps (``matcher/index/build.py``) run in this process, or on
forked worker processes for many listings, and resumes analysed the same way.

The work is cut into chunks of ``CHUNK`` listings; the analysis steps (1 and 2) of each chunk
run on a worker, the merges and the numpy steps (3 to 5) here. A worker is forked with the job
it serves (the listings, the analyzer, what the steps before found), so nothing is pickled to
reach it but a chunk's bounds and nothing is kept in this module between builds.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from ..analyse import Analyzer
from ..index.build import (
    Counted,
    SpanTable,
    TripleCounter,
    Weighed,
    WeighedJoin,
    assemble,
    count_triples,
    partition_bounds,
    place,
    shard,
    shard_index,
    statistics,
    statistics_of,
    vocabulary,
    weigh,
    with_floors,
)
from ..index.model import AnyIndex, Index, Segments
from ..models import Listing
from ..settings import Settings

if TYPE_CHECKING:
    import multiprocessing.pool

_T = TypeVar("_T")

# Below this many listings one process beats starting workers.
PARALLEL_MIN = 4000
# Listings a task analyses: small enough for a steady progress bar, large enough that the
# per-task cost (a pickled result) stays small.
CHUNK = 500

Progress = Callable[[int], None]


def build_index(
    listings: Sequence[Listing],
    analyzer: Analyzer,
    progress: Progress | None = None,
    workers: int | None = None,
) -> Index:
    """Return the TF-IDF index of ``listings`` under the analyzer's settings.

    Two passes over the listings (steps 1 and 2 of ``matcher/index/build.py``): one cuts them
    into sentences and counts the word triples repeated across them (boilerplate), keeping
    where each sentence stands (12 bytes a sentence), one weighs every listing's terms. Each
    runs on ``workers`` processes (default: every core, from ``PARALLEL_MIN`` listings up,
    where the platform can fork). ``progress(n)`` reports n more steps done, of
    ``2 * len(listings)``; a ``progress`` with an ``expect`` method is first told that total.
    Raises ``ValueError`` for no listings.
    """
    return _build(listings, analyzer, 1, progress, workers).segments[0]


def build_shards(
    listings: Sequence[Listing],
    analyzer: Analyzer,
    partitions: int,
    progress: Progress | None = None,
    workers: int | None = None,
) -> Segments:
    """Return the listings' index as ``partitions`` shards (``Segments`` fitted on all of
    them): the same steps as ``build_index``, each shard holding exactly the rows the whole
    build gives its listings.

    Raises ``ValueError`` for no listings or fewer than one partition.
    """
    return _build(listings, analyzer, partitions, progress, workers)


def _build(
    listings: Sequence[Listing],
    analyzer: Analyzer,
    partitions: int,
    progress: Progress | None,
    workers: int | None,
) -> Segments:
    settings = analyzer.settings
    n = len(listings)
    bounds = partition_bounds(n, partitions)
    _expect(progress, 2 * n)
    procs = _processes(workers, n)
    chunks = [chunk for start, end in bounds for chunk in _chunks(start, end)]
    counter = TripleCounter()
    spans: list[SpanTable | None] = []
    counting = procs if settings.sections else 1  # with sections off there is nothing to count
    for counted in forked_map(_Counting(listings, settings), _count, chunks, counting):
        counter.add(counted.keys, counted.counts)
        spans.append(counted.spans)
        if progress:
            progress(_size(chunks[len(spans) - 1]))
    repeated = counter.repeated(settings.boilerplate_min_listings)
    job = _Weighing(listings, analyzer, set(repeated.tolist()), spans, chunks)
    weighed = _weighed(job, procs, bounds, progress, steps=1)
    stats = statistics((vocabulary(w) for w in weighed), n, settings, repeated)
    placed = [place(w, stats) for w in weighed]
    stats = with_floors(stats, (p.norms for p in placed), settings)
    pieces = [shard(listings[a:b], p, stats) for (a, b), p in zip(bounds, placed, strict=True)]
    return assemble(listings, bounds, pieces, stats)


def build_segment(
    index: AnyIndex,
    listings: Sequence[Listing],
    analyzer: Analyzer,
    progress: Progress | None = None,
    workers: int | None = None,
) -> Index:
    """Return a segment of ``listings`` weighed with ``index``'s statistics, to add to it.

    As a fitted vectorizer transforms new documents: the index's terms, idf, repeated word
    triples (boilerplate) and pivot floors are kept, and terms the index lacks are left out
    (the segment's rows count from 0). The segment shares the index's term arrays, so its
    scores are comparable with the index's, listing for listing. ``matcher index optimize``
    rebuilds with fresh statistics. ``progress`` is told steps as ``build_index`` tells them,
    two per listing (``expect(2 * len(listings))`` first), though a segment takes one pass.
    Raises ``ValueError`` when ``analyzer``'s settings are not those the index was built with.
    """
    if tuple(analyzer.settings.part_weights()) != tuple(index.part_weights.tolist()):
        raise ValueError("a segment must be analysed with its index's settings")
    n = len(listings)
    _expect(progress, 2 * n)
    stats = statistics_of(index)
    chunks = list(_chunks(0, n)) or [(0, 0)]
    job = _Weighing(listings, analyzer, set(stats.repeated.tolist()), [None] * len(chunks), chunks)
    [weighed] = _weighed(job, _processes(workers, n), [(0, n)], progress, steps=2)
    piece = shard(listings, place(weighed, stats), stats)
    return shard_index(listings, piece, stats)


def _weighed(job: _Weighing, procs: int, bounds: list[tuple[int, int]], progress: Progress | None,
             steps: int) -> list[Weighed]:  # fmt: skip
    """Return step 2 for each partition in ``bounds``, its chunks joined as they arrive."""
    chunks = job.chunks
    ends = iter(end for _, end in bounds)
    end = next(ends)
    joined = WeighedJoin()
    out = []
    for k, piece in enumerate(forked_map(job, _weigh, list(range(len(chunks))), procs)):
        joined.add(piece)
        start, stop = chunks[k]
        if progress:
            progress(steps * (stop - start))
        if stop == end:
            out.append(joined.result())
            joined = WeighedJoin()
            end = next(ends, -1)
    return out


class _Counting(NamedTuple):
    """What step 1's workers read: forked with it, never pickled."""

    listings: Sequence[Listing]
    settings: Settings


class _Weighing(NamedTuple):
    """What step 2's workers read: forked with it, never pickled."""

    listings: Sequence[Listing]
    analyzer: Analyzer
    repeated: set[int]
    spans: list[SpanTable | None]  # one per chunk: step 1's, or None to cut sentences again
    chunks: list[tuple[int, int]]


def _count(job: _Counting, chunk: tuple[int, int]) -> Counted:
    return count_triples(job.listings[chunk[0] : chunk[1]], job.settings)


def _weigh(job: _Weighing, k: int) -> Weighed:
    start, end = job.chunks[k]
    return weigh(job.listings[start:end], job.analyzer, job.repeated, job.spans[k])


def _chunks(start: int, end: int) -> Iterator[tuple[int, int]]:
    for at in range(start, end, CHUNK):
        yield at, min(end, at + CHUNK)


def _size(chunk: tuple[int, int]) -> int:
    return chunk[1] - chunk[0]


def _expect(progress: Progress | None, total: int) -> None:
    expect = getattr(progress, "expect", None)
    if callable(expect):
        expect(total)


# ----------------------------------------------------------------------- resumes, many at once


def query_terms_many(analyzer: Analyzer, texts: Sequence[str]) -> list[list[str]]:
    """Return each resume's query terms (``Analyzer.query_terms``), on every core when there
    are many resumes (from 64, where the platform can fork), in input order."""
    import multiprocessing as mp  # here: one resume has no use for it

    processes = os.cpu_count() or 1
    if len(texts) < 64 or processes < 2 or "fork" not in mp.get_all_start_methods():
        return [analyzer.query_terms(text) for text in texts]
    analyzer.vocabulary  # noqa: B018 - made once here, shared with the workers
    spans = [(i, min(len(texts), i + 32)) for i in range(0, len(texts), 32)]
    job = (analyzer, texts)
    return [terms for chunk in forked_map(job, _query_terms, spans, processes) for terms in chunk]


def _query_terms(job: tuple[Analyzer, Sequence[str]], span: tuple[int, int]) -> list[list[str]]:
    analyzer, texts = job
    return [analyzer.query_terms(text) for text in texts[span[0] : span[1]]]


# ------------------------------------------------------------------------------ the workers


def _processes(workers: int | None, n: int) -> int:
    if workers is None:
        workers = (os.cpu_count() or 1) if n >= PARALLEL_MIN else 1
    import multiprocessing  # here: a query, which never forks, need not import it

    if workers > 1 and "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, workers)


def forked_map(job: Any, function: Callable[[Any, Any], _T], tasks: Sequence[Any],
               processes: int) -> Iterator[_T]:  # fmt: skip
    """Yield ``function(job, task)`` for each task, in order: here for one process or one
    task, else on ``processes`` forked workers, each forked holding ``job``.

    ``function`` must be a module-level function (it is pickled by name); ``job`` reaches the
    workers in the memory fork copies, so it may be large and need not pickle.
    """
    if processes == 1 or len(tasks) < 2:
        for task in tasks:
            yield function(job, task)
        return
    with forked_pool(processes, job) as pool:
        yield from pool.imap(_Task(function), tasks)


class _Task:
    def __init__(self, function: Callable[[Any, Any], Any]) -> None:
        self.function = function

    def __call__(self, task: Any) -> Any:
        return self.function(_Forked.job, task)


class _Forked:
    """The job a worker process was forked with (set once in the worker, by ``_start``)."""

    job: Any = None


def forked_pool(processes: int, job: Any = None) -> multiprocessing.pool.Pool:
    """Return a pool of forked workers holding ``job``, that die with this process and print
    nothing.

    Killed (even by ``kill -9``), a parent would otherwise leave its workers running, each
    holding its share of memory, then printing ``BrokenPipeError`` tracebacks into the user's
    terminal when they try to hand back their results. An error in a task still reaches the
    parent, which raises it. Under fork the pool's ``initargs`` are inherited, not pickled.
    """
    import multiprocessing

    context = multiprocessing.get_context("fork")
    return context.Pool(processes, initializer=_start, initargs=(os.getpid(), job))


def _start(parent: int, job: Any) -> None:
    _Forked.job = job
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


__all__ = ["CHUNK", "PARALLEL_MIN", "build_index", "build_segment", "build_shards",
           "forked_map", "forked_pool", "query_terms_many"]  # fmt: skip
