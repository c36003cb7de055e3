"""Files in, reports out: one function per ``matcher`` command that matches or indexes, the
CLI's only way in (``matcher skills``' functions are in ``matcher.skill_files``).

Each function reads what its command is given (a resume, listings files or a saved index),
runs the ``Matcher`` on it, and returns the report the command renders. ``engine="local"``
works in this process (and its forked workers); ``engine="dask"`` runs the same steps on a
Dask cluster: the scheduler at ``address``, a ``client`` already connected, or with neither a
local cluster on this machine's cores. ``matcher.engines.dask`` (and Dask) is imported only
when asked for.

Bad input raises ``MatcherError`` subclasses naming the file and the problem
(``ResumeReadError``, ``ListingFormatError``, ``VocabularyError``, ``IndexFormatError``,
``ClusterError``); arguments that cannot go together raise ``ValueError``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from . import read as _readers  # listing readers imported on first use: see read/__init__
from .engines.local import build_segment
from .errors import ListingFormatError, MatcherError, ResumeReadError
from .filters import Filters
from .index.store import (
    IndexInfo,
    append_segment,
    check_replaceable,
    fitted_segments,
    load_index,
    save_index,
    term_hash,
)
from .matcher import Matcher, merge_location
from .models import (
    AddResult,
    Candidate,
    GapReport,
    Listing,
    ListingSet,
    Match,
    MatchReport,
)
from .read.pages import may_be_page
from .read.resumes import ResumeText, read_resume_text
from .settings import Settings
from .skills import SkillVocabulary

if TYPE_CHECKING:
    from types import ModuleType

__all__ = [
    "LISTINGS_ONLY",
    "Engine",
    "VocabularyChoice",
    "add_files",
    "candidate_files",
    "check_resume_path",
    "choose_vocabulary",
    "default_listings_path",
    "gap_files",
    "index_files",
    "index_info",
    "match_files",
    "match_many_files",
    "optimize_index",
    "read_resumes",
    "verify_index",
]

# What a run may be given as its skill vocabulary: the object itself, or names for
# ``load_vocabulary`` ("builtin", an imported vocabulary, a CSV path); None means the default.
VocabularyChoice = SkillVocabulary | Sequence[str | Path] | None

# Where the work runs: this process (with forked workers), or a Dask cluster.
Engine = Literal["local", "dask"]

# ------------------------------------------------------------------------------ matching


def match_files(
    resume: str | Path,
    listings: Sequence[str | Path] = (),
    *,
    top_k: int = 10,
    location: str | None = None,
    settings: Settings | None = None,
    vocabulary: VocabularyChoice = None,
    index: str | Path | None = None,
    trust: bool = False,
    gaps: bool = False,
    filters: Filters | None = None,
    progress: Callable[[int], None] | None = None,
    engine: Engine = "local",
) -> MatchReport:
    """Read a resume and listings files (default: the bundled ones), and rank them.

    ``resume`` may be ``"-"`` for standard input. ``gaps`` also ranks the skill gaps over the
    same ``top_k`` matches (``Matcher.gaps`` with the same inputs), in ``report.gaps``: they
    reuse the ranking, so the resume is analysed, scored and filtered once.
    ``progress`` is told of the listings' analysis as ``build_index`` tells it (not called
    for a saved index).
    ``vocabulary`` defaults to the built-in one merged with every imported one (see
    ``load_vocabulary``). ``index`` ranks a saved index
    instead of listings files; ``trust`` skips its full check (``Matcher.load(verify=False)``).
    Only ``engine="local"`` ranks one resume (a cluster gains nothing on one).
    Raises ``ResumeReadError``, ``ListingFormatError``,
    ``VocabularyError`` or ``IndexFormatError`` for input that cannot be used.
    """
    _local_only(engine, "match_files")
    resume_text, listing_set, matcher = _read_all(
        resume, listings, settings, vocabulary, index, trust, progress
    )
    filters = merge_location(filters, location)
    ranking = matcher.rank(resume_text.text, top_k, filters)
    every = matcher.listings  # a saved index's listings are parsed only for --location
    considered = ranking.considered
    return MatchReport(
        matches=tuple(ranking.matches),
        listings_count=len(every),
        duplicates_dropped=listing_set.duplicates_dropped if listing_set else 0,
        empty_skipped=listing_set.empty_skipped if listing_set else 0,
        location=filters.location if filters else None,
        listings_considered=len(every) if considered is None else considered,
        attributions=matcher.attributions,
        warnings=resume_text.warnings,
        filters=() if ranking.passed is None else ranking.passed.said,
        gaps=matcher.gaps_of(ranking) if gaps else None,
    )


def gap_files(
    resume: str | Path,
    listings: Sequence[str | Path] = (),
    *,
    top: int = 10,
    location: str | None = None,
    settings: Settings | None = None,
    vocabulary: VocabularyChoice = None,
    index: str | Path | None = None,
    kinds: Collection[str] | None = None,
    trust: bool = False,
    filters: Filters | None = None,
    progress: Callable[[int], None] | None = None,
    engine: Engine = "local",
) -> GapReport:
    """Read a resume and listings files (default: the bundled ones), and rank its skill gaps.

    See ``Matcher.gaps``; files, ``vocabulary`` and ``engine`` are as for ``match_files``.
    """
    _local_only(engine, "gap_files")
    resume_text, listing_set, matcher = _read_all(
        resume, listings, settings, vocabulary, index, trust, progress
    )
    ranking = matcher.rank(resume_text.text, top, merge_location(filters, location))
    report = matcher.gaps_of(ranking, kinds)
    return dataclasses.replace(
        report,
        warnings=resume_text.warnings,
        duplicates_dropped=listing_set.duplicates_dropped if listing_set else 0,
        empty_skipped=listing_set.empty_skipped if listing_set else 0,
    )


def match_many_files(
    resumes: Sequence[str | Path],
    listings: Sequence[str | Path] = (),
    *,
    index: str | Path | None = None,
    top_k: int = 10,
    vocabulary: VocabularyChoice = None,
    trust: bool = False,
    filters: Filters | None = None,
    progress: Callable[[int], None] | None = None,
    engine: Engine = "local",
    address: str | None = None,
    client: Any = None,
) -> Iterator[tuple[str, list[Match] | MatcherError]]:
    """Yield (resume, its matches) for each resume file, in the order given, in one batch.

    A resume that cannot be read gets its error in its place and the others go on; the
    listings or index failing stops the batch (raises, as ``match_files``). Locally the
    whole batch is ranked before the first is yielded, and ``progress`` is told of the
    listings' analysis; on Dask (``index`` needed: a folder every worker can open) resumes
    are yielded as their blocks finish, and ``progress`` is told of each resume yielded
    (``progress.expect(len(resumes))`` first when it has one).
    """
    if engine == "dask":
        if index is None or listings or vocabulary is not None:
            raise ValueError("engine='dask' ranks a saved index: give index, not listings")
        yield from _match_many_dask(
            resumes, index, top_k, filters, trust, progress, address, client
        )
        return
    _local_only(engine, "match_many_files")
    texts, failed = read_resumes(resumes)
    matcher, _ = _matcher(listings, None, vocabulary, index, progress, trust=trust)
    batch = matcher.match_many(list(texts.values()), top_k=top_k, filters=filters)
    ranked = dict(zip(texts, batch, strict=True))
    for i, resume in enumerate(resumes):
        yield str(resume), ranked[i] if i in ranked else failed[i]


def _match_many_dask(
    resumes: Sequence[str | Path],
    index: str | Path,
    top_k: int,
    filters: Filters | None,
    trust: bool,
    progress: Callable[[int], None] | None,
    address: str | None,
    client: Any,
) -> Iterator[tuple[str, list[Match] | MatcherError]]:
    dask = _dask()
    with _connected(dask, address, client) as connected:
        expect = getattr(progress, "expect", None)
        if callable(expect):
            expect(len(resumes))
        texts, failed = read_resumes(resumes)
        ranked = dask.match_many(index, list(texts.values()), connected, top_k,
                                 filters=filters, trust=trust)  # fmt: skip
        try:
            for i, resume in enumerate(resumes):
                yield str(resume), failed[i] if i in failed else next(ranked)
                if progress:
                    progress(1)
        finally:
            ranked.close()  # while the client is open


def candidate_files(
    listing_id: str,
    resumes: Sequence[str | Path],
    listings: Sequence[str | Path] = (),
    *,
    index: str | Path | None = None,
    top_k: int = 10,
    vocabulary: VocabularyChoice = None,
    trust: bool = False,
    engine: Engine = "local",
    address: str | None = None,
    client: Any = None,
) -> tuple[Listing, list[Candidate], list[MatcherError]]:
    """Rank resume files for the listing ``listing_id`` of the listings (or a saved index).

    Returns the listing, the ranked resumes, and the errors of resumes that could not be read
    (they are left out; the others are ranked). On Dask (``index`` needed, as for
    ``match_many_files``) the resumes are analysed and scored on the cluster
    (``engines.dask.candidates_many``). Raises ``ListingFormatError`` for an unknown id.
    """
    if engine == "dask":
        if index is None or listings or vocabulary is not None:
            raise ValueError("engine='dask' ranks a saved index: give index, not listings")
        dask = _dask()
        with _connected(dask, address, client) as connected:
            texts, failed = read_resumes(resumes)
            named = [(str(resumes[i]), text) for i, text in texts.items()]
            ranked = dask.candidates_many(index, [listing_id], named, connected, top_k,
                                          trust=trust)  # fmt: skip
            saved = load_index(index, verify=False)  # checked whole by candidates_many
            listing = saved.index.listings[dask.row_of_id(saved, listing_id)]
            return listing, ranked[listing_id], list(failed.values())
    _local_only(engine, "candidate_files")
    read, failures = read_resumes(resumes)
    named = [(str(resumes[i]), text) for i, text in read.items()]
    matcher, _ = _matcher(listings, None, vocabulary, index, trust=trust)
    row = matcher.row_of(listing_id)
    ranked = matcher.candidates(row, named, top_k=top_k)
    return matcher.listings[row], ranked, list(failures.values())


# -------------------------------------------------------------------------------- indexes


def index_files(
    listings: Sequence[str | Path],
    folder: str | Path,
    *,
    settings: Settings | None = None,
    vocabulary: VocabularyChoice = None,
    progress: Callable[[int], None] | None = None,
    replace_newer: bool = False,
    engine: Engine = "local",
    address: str | None = None,
    client: Any = None,
    partitions: int | None = None,
) -> ListingSet:
    """Read listings files, index them and save the index to ``folder``; return what was read.

    ``folder`` is checked before any work (see ``check_replaceable``). Locally ``progress``
    is as for ``build_index``: steps done of ``2 * listings``. On Dask the listings are
    analysed on the cluster and saved as ``partitions`` shards of one index (default: one
    per worker thread; ``engines.dask.build_sharded``), ``progress`` told of ``4 *
    partitions`` steps. ``partitions`` is for Dask only (``ValueError`` otherwise).
    """
    if engine == "dask":
        dask = _dask()
        with _connected(dask, address, client) as connected:
            check_replaceable(folder, replace_newer=replace_newer)
            words = choose_vocabulary(vocabulary)
            listing_set = _readers.load_listings(list(listings))
            dask.build_sharded(listing_set, folder, connected, partitions=partitions,
                               settings=settings, vocabulary=words, progress=progress,
                               replace_newer=replace_newer)  # fmt: skip
            return listing_set
    _local_only(engine, "index_files")
    if partitions is not None:
        raise ValueError("partitions needs engine='dask': one machine builds one segment")
    check_replaceable(folder, replace_newer=replace_newer)
    matcher, read = _matcher(listings, settings, vocabulary, None, progress)
    assert read is not None  # read from files, not an index
    matcher.save(folder, replace_newer=replace_newer)
    return read


def add_files(
    folder: str | Path,
    listings: Sequence[str | Path],
    *,
    progress: Callable[[int], None] | None = None,
    rebuild: bool = False,
) -> AddResult:
    """Add listings files to a saved index; return what was added.

    The new listings become a segment of their own, weighed with the index's statistics (its
    terms, idf, boilerplate and pivots, as a fitted vectorizer transforms new documents):
    only the new listings are analysed and written, so an add costs what it adds. Terms the
    index lacks are left out until ``optimize_index`` (or ``rebuild=True``, which rebuilds
    from every listing at once, as building from all of them gives). Listings whose text the
    index holds are skipped (its location is not merged into the one kept, as a build merges
    them); a new one whose id is taken gets "-2" (or the next number free) appended. The old
    index is fully verified first (its damage is never sealed under fresh checksums), and the
    write is refused if another one replaced it meanwhile. Raises ``IndexFormatError``.
    """
    saved = load_index(folder, verify=True)
    old = Matcher.from_saved(saved)
    new = _readers.load_listings(list(listings))
    seen = set(saved.content_keys.tolist())
    ids = set(saved.id_keys.tolist())
    added = []
    for listing in new:
        key = _readers.content_key(listing.description)
        if key in seen:
            continue
        seen.add(key)
        if term_hash(listing.id) in ids:  # another text under a taken id: "-2", "-3", ...
            count = 2  # as a build numbers them (``read.listings``), so optimize keeps the ids
            while term_hash(f"{listing.id}-{count}") in ids:
                count += 1
            listing = dataclasses.replace(listing, id=f"{listing.id}-{count}")
        ids.add(term_hash(listing.id))
        added.append(listing)
    dropped = len(new) - len(added) + new.duplicates_dropped
    vocabulary = old.analyzer.vocabulary
    if added and rebuild:
        every = [*old.listings, *added]
        rebuilt = Matcher(every, settings=old.settings, vocabulary=vocabulary, progress=progress)
        save_index(rebuilt.index_, rebuilt.settings, vocabulary, folder, expected=saved.checksum)
        return AddResult(len(added), dropped, segments=1, fitted=len(every), total=len(every))
    shards = fitted_segments(saved.meta)
    fitted = sum(int(entry["listings"]) for entry in saved.meta["segments"][:shards])
    segments = len(saved.meta["segments"])
    if added:
        segment = build_segment(old.index_, added, old.analyzer, progress)
        append_segment(folder, segment, expected=saved.checksum)
        segments += 1
    total = len(old.listings) + len(added)
    return AddResult(len(added), dropped, segments=segments, fitted=fitted, total=total)


def optimize_index(
    folder: str | Path, *, progress: Callable[[int], None] | None = None
) -> AddResult:
    """Merge a saved index's segments into one, with statistics fitted on every listing.

    The result is what building from all the index's listings at once gives. A sharded index
    with nothing added is left as it is (its statistics are fitted on every listing); one with
    listings added becomes one segment (rebuild it with ``matcher.engines.dask`` to keep
    shards). The index is fully verified first, and the write is refused if another one
    replaced it meanwhile. Raises ``IndexFormatError``.
    """
    saved = load_index(folder, verify=True)
    old = Matcher.from_saved(saved)
    # Shards whose statistics were fitted on all of them have nothing to refit: kept as they are.
    segments = len(saved.meta["segments"])
    merged = segments if segments > fitted_segments(saved.meta) else 0
    if merged:
        vocabulary = old.analyzer.vocabulary
        rebuilt = Matcher(old.listings, settings=old.settings, vocabulary=vocabulary,
                          progress=progress)  # fmt: skip
        save_index(rebuilt.index_, rebuilt.settings, vocabulary, folder, expected=saved.checksum)
        segments = 1
    n = len(old.listings)
    return AddResult(0, 0, segments=segments, fitted=n, total=n, merged=merged)


def verify_index(folder: str | Path) -> IndexInfo:
    """Check every byte of the index in ``folder``; return its ``IndexInfo`` when whole.

    See ``index.store.verify_index``; raises ``IndexFormatError``.
    """
    from .index.store import verify_index as verify

    return verify(folder)


def index_info(folder: str | Path) -> IndexInfo:
    """Return what the index in ``folder`` holds (structure checked, not every byte)."""
    from .index.store import index_info as info

    return info(folder)


# ----------------------------------------------------------------------------- vocabulary


def choose_vocabulary(choice: VocabularyChoice) -> SkillVocabulary:
    """Return the vocabulary ``choice`` names (see ``VocabularyChoice``): the object itself,
    else ``load_vocabulary(choice)``. Raises ``VocabularyError``."""
    if isinstance(choice, SkillVocabulary):
        return choice
    from .skills.taxonomy import load_vocabulary  # imported here: a saved index brings its own

    return load_vocabulary(list(choice or ()))


# --------------------------------------------------------------------------------- inputs


def read_resumes(
    resumes: Sequence[str | Path],
) -> tuple[dict[int, str], dict[int, MatcherError]]:
    """Return the text of each resume file that could be read, and the error of each that
    could not, both by position in ``resumes``."""
    texts: dict[int, str] = {}
    failed: dict[int, MatcherError] = {}
    for i, resume in enumerate(resumes):
        try:
            texts[i] = _resume_text(resume).text
        except MatcherError as exc:
            failed[i] = exc
    return texts, failed


def _read_all(
    resume: str | Path,
    listings: Sequence[str | Path],
    settings: Settings | None,
    vocabulary: VocabularyChoice,
    index: str | Path | None = None,
    trust: bool = False,
    progress: Callable[[int], None] | None = None,
) -> tuple[ResumeText, ListingSet | None, Matcher]:
    """Read the resume, and the listings (default: bundled) or a saved index, ready to match."""
    check_resume_path(resume)  # before minutes of indexing listings
    matcher, listing_set = _matcher(listings, settings, vocabulary, index, progress, trust=trust)
    return _resume_text(resume), listing_set, matcher


def _matcher(
    listings: Sequence[str | Path],
    settings: Settings | None,
    vocabulary: VocabularyChoice,
    index: str | Path | None,
    progress: Callable[[int], None] | None = None,
    *,
    trust: bool = False,
) -> tuple[Matcher, ListingSet | None]:
    """Return a matcher of the listings files (and what was read), or of a saved index."""
    if index is not None:
        if listings or settings is not None or vocabulary is not None:
            raise ValueError("a saved index brings its own listings, settings and vocabulary")
        return Matcher.load(index, verify=not trust), None
    vocab = choose_vocabulary(vocabulary)
    paths = list(listings) or [default_listings_path()]
    try:
        listing_set = _readers.load_listings(paths)
    except OSError as exc:  # e.g. a name too long for the file system: still a bad input
        raise ListingFormatError(exc.filename or paths[0], exc.strerror or str(exc)) from None
    matcher = Matcher(listing_set, settings=settings, vocabulary=vocab, progress=progress)
    return matcher, listing_set


def default_listings_path() -> Path:
    """Return the folder of listings bundled with matcher (the repository's fixtures)."""
    from importlib import resources  # here: a saved index has no use for it (nor tempfile)

    bundled = resources.files("matcher").joinpath("_bundled/listings")
    if bundled.is_dir():
        return Path(str(bundled))
    return Path(__file__).resolve().parent.parent / "fixtures" / "listings"


# What a listings file is named; a resume never is (".txt" may be either: it is read).
LISTINGS_ONLY = (".json", ".jsonl", ".ndjson", ".csv", ".tsv")  # LISTING_SUFFIXES but .txt


def check_resume_path(resume: str | Path) -> None:
    """Refuse a listings file given as the resume (the resume argument forgotten).

    Raises ``ResumeReadError`` naming the fix; reads nothing.
    """
    suffix = Path(resume).suffix.lower() if str(resume) != "-" else ""
    if suffix in LISTINGS_ONLY:
        raise ResumeReadError(
            resume,
            f"is a listings file ({suffix}), not a resume (.txt .md .pdf .docx); "
            "give the resume first: matcher match RESUME LISTINGS...",
        )


def _resume_text(resume: str | Path) -> ResumeText:
    """Read a resume, after ``check_resume_path``; errors of the system become ours.

    A ``.txt`` that holds a saved page of several listings is refused: the resume argument
    was forgotten, and ranking listings against listings would take minutes for nothing.
    """
    check_resume_path(resume)
    try:
        read = read_resume_text(resume)
    except OSError as exc:  # e.g. a name too long for the file system
        raise ResumeReadError(resume, exc.strerror or "cannot be read") from None
    # may_be_page first: reading the text as listings may convert it as Markdown (importing
    # markdown-it), which a resume with no location line cannot need.
    if str(resume) != "-" and Path(resume).suffix.lower() == ".txt" and may_be_page(read.text):
        try:
            page = _readers.load_listings([resume])
        except MatcherError:
            return read
        if len(page) > 1 and all(listing.location for listing in page):
            raise ResumeReadError(
                resume,
                f"is a saved page of {len(page)} listings, not a resume; give the resume "
                "first: matcher match RESUME LISTINGS...",
            )
    return read


def _local_only(engine: str, what: str) -> None:
    if engine == "dask":
        raise ValueError(f"{what} runs locally only (engine='local')")
    if engine != "local":
        raise ValueError(f"{what}: unknown engine {engine!r}; expected 'local' or 'dask'")


def _dask() -> ModuleType:
    """Return ``matcher.engines.dask``, imported now: only a run on a cluster needs Dask."""
    from .engines import dask

    return dask


def _connected(dask: ModuleType, address: str | None, client: Any) -> AbstractContextManager[Any]:
    """Yield ``client`` as it is, else a client of the scheduler at ``address`` (or of a new
    local cluster), closed after."""
    if client is not None:
        return nullcontext(client)
    cluster: AbstractContextManager[Any] = dask.cluster(address)
    return cluster
