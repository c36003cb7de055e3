"""Batch matching and sharded index builds on a Dask cluster (the ``dask`` extra).

Imported only when asked for (``--dask``, or ``import matcher.engines.dask``): the plain install
never imports Dask. The build runs the steps of ``matcher/index/build.py`` on the workers, and
``Matcher.match_many``'s answers are kept exactly:

- ``build_sharded``: the listings are cut into partitions, each analysed on a worker; the
  merged statistics (boilerplate, terms and idf, pivot floors) go back to the workers, which
  make one shard each; the shards are saved as one index folder (``fitted`` = shards).
- ``match_many``: tasks are (block of resumes) x (shard). A block's resumes are analysed once
  into query vectors, which each shard's task scores against its listings, keeping its own
  top k with explanations; the blocks' lists are merged exactly (score, then row: ties as
  ``search.topk.top_k`` breaks them) and yielded in input order as blocks finish. A shard's matches
  travel without their listing's text (most lose the merge); the merge task attaches it.

Workers open the saved index by its path (memory-mapped, so the folder must be on a file
system every worker sees) and keep it open per process, checked against the checksum the
client read: an index replaced while the job runs fails the job instead of mixing two.
Every task is pure, so a task lost with its worker is run again elsewhere (Dask's scheduler
does, up to its ``distributed.scheduler.allowed-failures``, 3 by default); a job whose workers
keep dying fails with ``ClusterError``, never with missing rows. Errors raised by a task (a
damaged index) are not retried: they would only fail again.
Resume texts travel to the workers inside tasks: task keys are random, never derived from them.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import signal
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from distributed import Client, Future, LocalCluster, as_completed
from distributed.scheduler import KilledWorker

from ..analyse import Analyzer
from ..errors import ClusterError, ListingFormatError
from ..filters import Filters
from ..index.build import (
    Counted,
    Statistics,
    TripleCounter,
    assemble,
    count_triples,
    norms_of,
    partition_bounds,
    place,
    shard,
    statistics,
    vocabulary,
    weigh,
    with_floors,
)
from ..index.model import Segments
from ..index.store import SavedIndex, load_index, save_index, term_hash
from ..matcher import Matcher
from ..models import Candidate, Listing, Match
from ..search.explain import explain
from ..search.kernels import batch_scores, scores_at
from ..search.query import query_vector
from ..search.topk import top_k as best_rows
from ..settings import Settings
from ..skills import SkillVocabulary, builtin_vocabulary

__all__ = [
    "BLOCK",
    "build_sharded",
    "candidates_many",
    "cluster",
    "connect",
    "match_many",
    "row_of_id",
]

# Resumes analysed and scored together per task: large enough that a task's overhead (a few
# ms) is small beside its work, small enough that results stream.
BLOCK = 64


def connect(address: str | None = None, *, processes: bool = True) -> Client:
    """Return a Dask client: of the scheduler at ``address``, or of a new local cluster on this
    machine's cores (one single-threaded worker process per core; ``processes=False``: threads
    in this process). Raises ``ClusterError`` when the scheduler cannot be reached."""
    if address is None:
        return Client(_local_cluster(processes))
    try:
        return Client(address, timeout="5s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(address, f"cannot reach the Dask scheduler ({exc})") from None


def _local_cluster(processes: bool) -> LocalCluster:
    """Start a cluster of one single-threaded worker per core, its processes deaf to Ctrl-C.

    A Ctrl-C at a terminal signals the whole process group: each worker process would print
    its own KeyboardInterrupt traceback (30-70 lines on 2 cores) while this process closes
    the cluster anyway. So SIGINT is ignored while the workers are started (an ignored signal
    stays ignored in a started program, and Python and asyncio then leave it so), and heeded
    again after: a Ctrl-C in that second or two of start-up is not heard.
    """
    main = threading.current_thread() is threading.main_thread()
    before = signal.signal(signal.SIGINT, signal.SIG_IGN) if processes and main else None
    try:
        local = LocalCluster(
            n_workers=os.cpu_count() or 1, threads_per_worker=1, processes=processes,
            dashboard_address=":0",  # any free port: never a clash with a dashboard running
        )  # fmt: skip
    finally:
        if before is not None:
            signal.signal(signal.SIGINT, before)
    return local


@contextmanager
def cluster(address: str | None = None, *, processes: bool = True) -> Iterator[Client]:
    """Yield ``connect(address, processes=processes)``'s client; close it (and the local
    cluster it started, if any) after."""
    client = connect(address, processes=processes)
    try:
        yield client
    except KeyboardInterrupt:
        # Stopped by the user: the tasks Dask then cancels are not worth a warning each, here
        # or in the workers of a cluster of our own (another's workers are not ours to quiet).
        _quiet_logs()
        if address is None and processes:
            client.run(_quiet_logs, on_error="ignore")
        raise
    finally:
        local = client.cluster if address is None else None
        client.close()
        if local is not None:
            local.close()


def _quiet_logs() -> None:
    logging.getLogger("distributed").setLevel(logging.ERROR)


# ---------------------------------------------------------------------------------- build


def build_sharded(
    listings: Sequence[Listing],
    folder: str | Path,
    client: Client,
    *,
    partitions: int | None = None,
    settings: Settings | None = None,
    vocabulary: SkillVocabulary | None = None,
    progress: Callable[[int], None] | None = None,
    replace_newer: bool = False,
) -> Path:
    """Index ``listings`` on the cluster as ``partitions`` shards (default: one per worker
    thread) and save them to ``folder`` as one index; return the folder.

    Each shard holds exactly the rows ``build_index`` gives the same listings in the same
    order (``matcher/index/build.py``). ``vocabulary`` defaults to the built-in one, as for
    ``Matcher``.
    ``progress(n)``: n more steps done, of ``4 * partitions`` (told first through
    ``progress.expect`` when it has one). Raises ``ClusterError`` when workers keep dying,
    ``IndexFormatError`` when ``folder`` may not be replaced.
    """
    settings = settings or Settings()
    if settings.skills and vocabulary is None:
        vocabulary = builtin_vocabulary()  # as Matcher(listings) defaults
    count = partitions or max(1, sum(client.nthreads().values()))
    bounds = partition_bounds(len(listings), count)
    expect = getattr(progress, "expect", None)
    if callable(expect):
        expect(4 * len(bounds))
    pieces = client.scatter([list(listings[start:end]) for start, end in bounds])
    [shared] = client.scatter([vocabulary], broadcast=True)
    token = os.urandom(8).hex()  # names this build's analyzer in the workers' caches

    def submit(function: Callable[..., Any], *args: Any) -> Future:
        return client.submit(function, *args, pure=False)

    counted = [submit(count_triples, piece, settings) for piece in pieces]
    repeated = submit(repeated_of, [submit(triples_of, c) for c in counted],
                      settings.boilerplate_min_listings)  # fmt: skip
    weighed = [submit(_weigh, piece, settings, shared, token, repeated, c)
               for piece, c in zip(pieces, counted, strict=True)]  # fmt: skip
    stats = submit(statistics, [submit(vocabulary_of, w) for w in weighed], len(listings),
                   settings, repeated)  # fmt: skip
    placed = [submit(place, w, stats) for w in weighed]
    stats = submit(with_floors, stats, [submit(norms_of, p) for p in placed], settings)
    shards = [submit(shard, piece, p, stats) for piece, p in zip(pieces, placed, strict=True)]
    steps = [*counted, *weighed, *placed, *shards]
    try:
        for _ in as_completed(steps):
            if progress:
                progress(1)
        merged: Statistics = stats.result()
        made = client.gather(shards)
    except KilledWorker as exc:
        raise _killed(client, exc) from None
    # Futures dropped here are released: the cluster forgets their results.
    index = assemble(listings, bounds, made, merged)
    return save_index(index, settings, vocabulary, folder, replace_newer=replace_newer)


def triples_of(counted: Counted) -> tuple[np.ndarray, np.ndarray]:
    """Return a partition's word-triple keys and counts (a task: its spans stay where they are)."""
    return counted.keys, counted.counts


def repeated_of(counts: Sequence[tuple[np.ndarray, np.ndarray]], min_listings: int) -> np.ndarray:
    """Return the triples repeated across ``min_listings`` listings over every partition."""
    counter = TripleCounter()
    for keys, held in counts:
        counter.add(keys, held)
    return counter.repeated(min_listings)


def vocabulary_of(weighed: Any) -> tuple[list[str], np.ndarray]:
    """Return ``shards.vocabulary(weighed)`` (a task of its own: only it travels)."""
    return vocabulary(weighed)


_ANALYZERS: dict[str, Analyzer] = {}
_LOCK = threading.Lock()


def _weigh(listings: Sequence[Listing], settings: Settings, words: SkillVocabulary | None,
           token: str, repeated: np.ndarray, counted: Counted) -> Any:  # fmt: skip
    """Step 2 with one analyzer per build and worker process (its caches kept)."""
    with _LOCK:
        analyzer = _ANALYZERS.get(token)
        if analyzer is None:
            _ANALYZERS.clear()  # one build at a time is kept
            analyzer = _ANALYZERS[token] = Analyzer(settings, words)
    return weigh(listings, analyzer, set(repeated.tolist()), counted.spans)


# ------------------------------------------------------------------------------- matching


def match_many(
    index: str | Path,
    resume_texts: Sequence[str],
    client: Client,
    top_k: int = 10,
    *,
    filters: Filters | None = None,
    block: int = BLOCK,
    trust: bool = False,
) -> Generator[list[Match], None, None]:
    """Yield each resume's matches against the saved index in ``index``, in input order.

    The same ``Match`` lists as ``Matcher.load(index).match_many(resume_texts, top_k,
    filters=filters)``, computed on the cluster: blocks of ``block`` resumes times the index's
    shards (segments). ``index`` must be a path every worker can open. The client checks the
    index first (all of it; ``trust``: its structure only). Raises ``ClusterError`` when
    workers keep dying or the index changes during the job, ``IndexFormatError`` for a
    damaged index, ``ValueError`` for ``top_k`` or ``block`` below 1.
    """
    if top_k < 1:
        raise ValueError(f"top_k must be at least 1, got {top_k}")
    if block < 1:
        raise ValueError(f"block must be at least 1, got {block}")
    where = str(Path(index).resolve())
    saved = load_index(where, verify=not trust)
    shards = len(saved.meta["segments"])
    checksum = saved.checksum
    blocks: list[Future] = []

    def submit(function: Callable[..., Any], *args: Any) -> Future:
        return client.submit(function, *args, pure=False)

    for start in range(0, len(resume_texts), block):
        texts = list(resume_texts[start : start + block])
        queries = submit(query_vectors, where, checksum, Resumes(tuple(texts)))
        tops = [submit(_shard_top, where, checksum, k, queries, top_k, filters)
                for k in range(shards)]  # fmt: skip
        blocks.append(submit(_merge, where, checksum, tops, top_k))
    order = {future.key: i for i, future in enumerate(blocks)}
    done: dict[int, list[list[Match]]] = {}
    following = arrived = 0
    try:
        for future, result in as_completed(blocks, with_results=True):
            arrived += 1
            done[order[future.key]] = result
            while following in done:
                yield from done.pop(following)
                following += 1
    except KilledWorker as exc:
        raise _killed(client, exc) from None
    finally:  # a job stopped early: what is still queued is dropped, not run
        if arrived < len(blocks):
            client.cancel(blocks)


def candidates_many(
    index: str | Path,
    listing_ids: Sequence[str],
    resumes: Sequence[tuple[str, str]],
    client: Client,
    top_k: int = 10,
    *,
    block: int = BLOCK,
    trust: bool = False,
) -> dict[str, list[Candidate]]:
    """Return, for each listing id, ``resumes`` (name, text) ranked for it, best first.

    The same lists as ``Matcher.load(index).candidates(listing_id, resumes, top_k)`` for each
    id (ties in the order given), computed as (block of resumes) x (shard) tasks: a block is
    analysed once, each shard scores and explains it for its own listings among the asked.
    Raises ``ListingFormatError`` for an id the index lacks; otherwise as ``match_many``.
    """
    if top_k < 1 or block < 1:
        raise ValueError(f"top_k and block must be at least 1, got {top_k} and {block}")
    where = str(Path(index).resolve())
    saved = load_index(where, verify=not trust)
    whole = saved.index
    starts = whole.starts if isinstance(whole, Segments) else np.array([0, len(whole.listings)])
    wanted: dict[int, list[int]] = {}  # shard -> local rows, in the order asked
    for listing_id in dict.fromkeys(listing_ids):
        row = row_of_id(saved, listing_id)
        k = int(np.searchsorted(starts, row, side="right")) - 1
        wanted.setdefault(k, []).append(row - int(starts[k]))
    checksum = saved.checksum
    tasks = []
    for start in range(0, len(resumes), block):
        names = [name for name, _ in resumes[start : start + block]]
        texts = [text for _, text in resumes[start : start + block]]
        queries = client.submit(query_vectors, where, checksum, Resumes(tuple(texts)), pure=False)
        for k, rows in wanted.items():
            tasks.append(client.submit(_shard_candidates, where, checksum, k, rows, queries,
                                       start, names, top_k, pure=False))  # fmt: skip
    found: dict[str, list[tuple[float, int, Candidate]]] = {}
    try:
        for result in client.gather(tasks):
            for listing_id, ranked in result:
                found.setdefault(listing_id, []).extend(ranked)
    except KilledWorker as exc:
        raise _killed(client, exc) from None
    out = {}
    for listing_id in dict.fromkeys(listing_ids):
        ranked = sorted(found.get(listing_id, []), key=lambda item: (-item[0], item[1]))
        out[listing_id] = [dataclasses.replace(c, rank=rank)
                           for rank, (_, _, c) in enumerate(ranked[:top_k], 1)]  # fmt: skip
    return out


def row_of_id(saved: SavedIndex, listing_id: str) -> int:
    """Return the first row of the listing ``listing_id`` in a saved index, found by its id's
    key (no listing is parsed but those sharing it). Raises ``ListingFormatError``."""
    for row in np.flatnonzero(saved.id_keys == np.uint64(term_hash(listing_id))).tolist():
        if saved.index.listings[row].id == listing_id:
            return int(row)
    raise ListingFormatError(listing_id, "no listing with this id")


def _shard_candidates(
    where: str,
    checksum: str,
    k: int,
    rows: list[int],
    queries: list[tuple[np.ndarray, np.ndarray]],
    start: int,
    names: list[str],
    top_k: int,
) -> list[tuple[str, list[tuple[float, int, Candidate]]]]:
    """Return, for each of shard ``k``'s ``rows``, the block's best ``top_k`` resumes as
    (score, position among all resumes, candidate), as ``Matcher.candidates`` scores them."""
    matcher = _shard_matcher(where, checksum, k)
    index = matcher.index_
    out = []
    for row in rows:
        here = np.array([row])
        ranked = [(float(scores_at(index, here, columns, values)[0]), i)
                  for i, (columns, values) in enumerate(queries)]  # fmt: skip
        ranked.sort(key=lambda item: -item[0])  # stable: ties keep the order given
        best = []
        for score, i in ranked[:top_k]:
            why = explain(index, row, *queries[i], kind_of=matcher.kind_of)
            candidate = Candidate(0, score, names[i], why.matched, why.missing, why.terms,
                                  why.parts, why.coverage)  # fmt: skip
            best.append((score, start + i, candidate))
        out.append((matcher.listings[row].id, best))
    return out


def _killed(client: Client, exc: KilledWorker) -> ClusterError:
    return ClusterError(
        client.scheduler.address if client.scheduler else "cluster",
        f"workers kept dying while they ran the job ({exc}); nothing was written or left out: "
        "run it again on a cluster with more memory per worker",
    )


# What each worker process keeps open: the saved index by (path, checksum).
_OPEN: dict[tuple[str, str], SavedIndex] = {}
_MATCHERS: dict[tuple[str, str, int], Matcher] = {}


def _saved(where: str, checksum: str) -> SavedIndex:
    with _LOCK:
        saved = _OPEN.get((where, checksum))
        if saved is None:
            saved = load_index(where, verify=False)  # the client checked it whole
            if saved.checksum != checksum:
                raise ClusterError(where, "was replaced while the job ran; run it again")
            _OPEN.clear()
            _MATCHERS.clear()
            _OPEN[(where, checksum)] = saved
        return saved


def _shard_matcher(where: str, checksum: str, k: int) -> Matcher:
    """Return a matcher of shard ``k`` alone (its rows counted from 0), kept per process."""
    saved = _saved(where, checksum)
    with _LOCK:
        matcher = _MATCHERS.get((where, checksum, k))
        if matcher is None:
            whole = saved.index
            part = whole.segments[k] if isinstance(whole, Segments) else whole
            matcher = Matcher.from_saved(dataclasses.replace(saved, index=part))
            _MATCHERS[(where, checksum, k)] = matcher
        return matcher


@dataclasses.dataclass(frozen=True, repr=False)
class Resumes:
    """Resume texts inside a task. Dask logs a failed task with its arguments' repr (a worker's
    "Compute Failed"); resumes are personal data, so theirs names only how many there are."""

    texts: tuple[str, ...]

    def __repr__(self) -> str:
        return f"<{len(self.texts)} resume texts>"


def query_vectors(
    where: str, checksum: str, resumes: Resumes
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Return each resume's query vector in the saved index's terms (a task: a block's
    resumes analysed once, for every shard; ``search.query.query_vector``)."""
    matcher = _shard_matcher(where, checksum, 0)
    analyzer = matcher.analyzer
    return [query_vector(matcher.index_, analyzer.query_terms(text)) for text in resumes.texts]


def _shard_top(
    where: str,
    checksum: str,
    k: int,
    queries: list[tuple[np.ndarray, np.ndarray]],
    top_k: int,
    filters: Filters | None,
) -> list[list[tuple[float, int, Match]]]:
    """Return, per query, shard ``k``'s best ``top_k`` as (score, row in the whole, match)."""
    matcher = _shard_matcher(where, checksum, k)
    saved = _saved(where, checksum)
    whole = saved.index
    start = int(whole.starts[k]) if isinstance(whole, Segments) else 0
    passed = matcher.filter(filters)
    allowed = None if passed is None else passed.keep
    out = []
    # As Matcher.match_many chunks: one sparse product per chunk of queries.
    chunk = max(1, min(64, 4_000_000 // max(1, len(matcher.listings))))
    for at in range(0, len(queries), chunk):
        part = queries[at : at + chunk]
        for (columns, values), scores in zip(part, batch_scores(matcher.index_, part),
                                             strict=True):  # fmt: skip
            rows = best_rows(scores, top_k, allowed)
            matches = matcher.explain_rows(rows, scores, columns, values)
            # Most of a match's bytes are its listing's text, and most matches lose the merge:
            # the listing travels on from the merge, which maps the index too.
            out.append([(m.score, start + row, dataclasses.replace(m, listing=_ELIDED))
                        for row, m in zip(rows, matches, strict=True)])  # fmt: skip
    return out


_ELIDED = Listing(id="", title="", description="")


def _merge(
    where: str, checksum: str, tops: list[list[list[tuple[float, int, Match]]]], top_k: int
) -> list[list[Match]]:
    """Return each query's best ``top_k`` over every shard's, best first, ties by row, each
    with its listing."""
    listings = _saved(where, checksum).index.listings
    out = []
    for found in zip(*tops, strict=True):
        every = sorted((item for shard_top in found for item in shard_top),
                       key=lambda item: (-item[0], item[1]))  # fmt: skip
        out.append([dataclasses.replace(m, rank=rank, listing=listings[row])
                    for rank, (_, row, m) in enumerate(every[:top_k], 1)])  # fmt: skip
    return out
