"""The library's front door: ``Matcher`` wires analyse -> index -> score -> explain."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import read as _readers  # listing readers imported on first use: see read/__init__
from .analyse.analyzer import SKILL_PREFIX, Analyzer, term_text
from .errors import ListingFormatError, MatcherError, ResumeReadError
from .filters import FilterResult, Filters
from .index.model import AnyIndex, build_index, build_segment, forked_pool, query_vector
from .index.store import (
    SavedIndex,
    append_segment,
    check_replaceable,
    fitted_segments,
    load_index,
    save_index,
    term_hash,
)
from .models import (
    AddResult,
    Candidate,
    GapReport,
    Listing,
    ListingSet,
    Match,
    MatchReport,
    Settings,
    SkillGap,
    SkillsDocument,
    SkillsReport,
)
from .read.pages import may_be_page
from .read.resumes import ResumeText, read_resume_text
from .search.explain import explain, explain_all, skill_gains
from .search.kernels import batch_scores, cosine_scores
from .search.kernels import top_k as best_rows
from .skills.vocabulary import SkillVocabulary, extract_skills

# What a run may be given as its skill vocabulary: the object itself, or names for
# ``load_vocabulary`` ("builtin", an imported vocabulary, a CSV path); None means the default.
VocabularyChoice = SkillVocabulary | Sequence[str | Path] | None


class Matcher:
    """Ranks a fixed set of listings against resumes and explains each score.

    >>> matcher = Matcher(load_listings("fixtures/listings"))      # doctest: +SKIP
    >>> best = matcher.match(resume_text, top_k=5)[0]               # doctest: +SKIP
    >>> best.score == sum(t.contribution for t in best.terms)       # doctest: +SKIP
    """

    def __init__(
        self,
        listings: Iterable[Listing],
        *,
        settings: Settings | None = None,
        vocabulary: SkillVocabulary | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        if isinstance(listings, (str, bytes, Path)):
            raise TypeError(
                "Matcher expects Listing objects, not a path or string; "
                "use Matcher(load_listings(path))"
            )
        self.settings = settings or Settings()
        self.listings: Sequence[Listing] = tuple(listings)
        if not self.listings:
            raise ValueError("Matcher needs at least one listing")
        for listing in self.listings:
            if not isinstance(listing, Listing):
                raise TypeError(f"Matcher expects Listing objects, got {type(listing).__name__}")
        self._analyzer = Analyzer(self.settings, vocabulary)
        self.index_: AnyIndex = build_index(self.listings, self._analyzer, progress)

    def _matches(
        self, rows: list[int], scores: np.ndarray, columns: np.ndarray, values: np.ndarray
    ) -> list[Match]:
        matches = []
        explanations = explain_all(self.index_, rows, columns, values, self._kind_of)
        for rank, (row, why) in enumerate(zip(rows, explanations, strict=True), 1):
            matches.append(
                Match(
                    rank=rank,
                    score=float(scores[row]),
                    listing=self.listings[row],
                    matched=why.matched,
                    missing=why.missing,
                    terms=why.terms,
                    parts=why.parts,
                    coverage=why.coverage,
                )
            )
        return matches

    def _kind_of(self, skill: str) -> str:
        """Return the vocabulary's kind of a skill ("tool", "soft", ...), "" if unknown."""
        vocabulary = self._analyzer.vocabulary
        found = vocabulary.get(skill) if vocabulary else None
        return found.kind if found else ""

    # The checksum of the saved index this matcher was loaded from (None: built in memory).
    _checksum: str | None = None

    def save(self, folder: str | Path, *, replace_newer: bool = False) -> Path:
        """Write the index to ``folder`` (see ``matcher/store.py``); a crash leaves the old one.

        Raises ``IndexFormatError`` when ``folder`` is something other than a matcher index,
        or one of a newer format and not ``replace_newer``.
        """
        return save_index(
            self.index_, self.settings, self._analyzer.vocabulary, folder,
            replace_newer=replace_newer,
        )  # fmt: skip

    @classmethod
    def load(cls, folder: str | Path, *, verify: bool = True) -> Matcher:
        """Map a saved index back, ready to match; nothing is rebuilt.

        Raises ``IndexFormatError`` for a missing, damaged or newer-format index. ``verify``
        (the default) checks every file's checksum and every posting; ``verify=False`` keeps
        only the cheap structural checks, for an index you trust (see ``load_index``).
        """
        return cls._of(load_index(folder, verify=verify))

    @classmethod
    def _of(cls, saved: SavedIndex) -> Matcher:
        matcher = cls.__new__(cls)
        matcher.settings = saved.settings
        matcher.listings = saved.index.listings
        matcher._analyzer = Analyzer(saved.settings, saved.vocabulary)
        matcher.index_ = saved.index
        matcher._checksum = saved.checksum
        return matcher

    def scores(self, resume_text: str) -> np.ndarray:
        """Return the resume's cosine score with every listing, in listing order."""
        if not isinstance(resume_text, str):
            raise TypeError(f"resume_text must be a str, not {type(resume_text).__name__}")
        columns, values = query_vector(self.index_, self._analyzer.query_terms(resume_text))
        return cosine_scores(self.index_, columns, values)

    def match(
        self,
        resume_text: str,
        top_k: int = 10,
        *,
        location: str | None = None,
        filters: Filters | None = None,
    ) -> list[Match]:
        """Return the ``top_k`` listings most similar to the resume, best first.

        Only listings sharing at least one term with the resume are returned. ``location``
        keeps listings whose location contains it, ignoring case; ``filters`` keeps those that
        pass it (see ``Filters``; a saved index answers it from stored arrays).
        """
        return self._rank(resume_text, top_k, _merge(filters, location))[1]

    def filter(self, filters: Filters | None) -> FilterResult | None:
        """Return which listings pass ``filters`` (None when there is none to apply)."""
        if filters is None or not filters.active:
            return None
        return filters.mask(self.listings, self.index_.facts())

    def _rank(
        self, resume_text: str, top_k: int, filters: Filters | None
    ) -> tuple[list[int], list[Match]]:
        if not isinstance(resume_text, str):
            raise TypeError(f"resume_text must be a str, not {type(resume_text).__name__}")
        if top_k < 1:
            raise ValueError(f"top_k must be at least 1, got {top_k}")
        columns, values = query_vector(self.index_, self._analyzer.query_terms(resume_text))
        scores = cosine_scores(self.index_, columns, values)
        passed = self.filter(filters)
        rows = best_rows(scores, top_k, None if passed is None else passed.keep)
        matches = self._matches(rows, scores, columns, values)
        return rows, matches

    def match_many(
        self, resume_texts: Sequence[str], top_k: int = 10, *, filters: Filters | None = None
    ) -> list[list[Match]]:
        """Rank the listings for many resumes at once; the same result as ``match`` for each.

        Resumes are scored in chunks with one sparse product per chunk, which beats one
        ``match`` call per resume once there are dozens of them. ``filters`` is applied once,
        for every resume.
        """
        if top_k < 1:
            raise ValueError(f"top_k must be at least 1, got {top_k}")
        passed = self.filter(filters)
        allowed = None if passed is None else passed.keep
        queries = [query_vector(self.index_, terms) for terms in self._analyse(resume_texts)]
        results: list[list[Match]] = []
        chunk = max(1, min(64, 4_000_000 // max(1, len(self.listings))))
        for start in range(0, len(queries), chunk):
            part = queries[start : start + chunk]
            for (columns, values), scores in zip(
                part, batch_scores(self.index_, part), strict=True
            ):
                rows = best_rows(scores, top_k, allowed)
                results.append(self._matches(rows, scores, columns, values))
        return results

    def _analyse(self, texts: Sequence[str]) -> list[list[str]]:
        """Return each resume's query terms, on every core when there are many resumes."""
        import multiprocessing as mp  # here: one resume has no use for it

        processes = os.cpu_count() or 1
        if len(texts) < 64 or processes < 2 or "fork" not in mp.get_all_start_methods():
            return [self._analyzer.query_terms(text) for text in texts]
        self._analyzer.vocabulary  # noqa: B018 - made once here, shared with the workers
        _FORKED["analyzer"], _FORKED["texts"] = self._analyzer, texts
        try:
            spans = [(i, min(len(texts), i + 32)) for i in range(0, len(texts), 32)]
            with forked_pool(processes) as pool:
                return [terms for chunk in pool.imap(_query_terms, spans) for terms in chunk]
        finally:
            _FORKED.clear()

    def candidates(
        self, listing: int | str, resumes: Sequence[tuple[str, str]], top_k: int = 10
    ) -> list[Candidate]:
        """Rank ``resumes`` (name, text) for one listing (its row, or its id), best first.

        Each resume is scored as ``match`` scores it against this listing, with the same
        explanation: the skills it shares with the listing and those it lacks.
        """
        row = listing if isinstance(listing, int) else self._row_of(listing)
        if top_k < 1:
            raise ValueError(f"top_k must be at least 1, got {top_k}")
        here = np.array([row])
        ranked = []
        for name, text in resumes:
            columns, values = query_vector(self.index_, self._analyzer.query_terms(text))
            score = float(values @ self.index_.weights_at(here, columns)[:, 0])
            ranked.append((score, name, columns, values))
        ranked.sort(key=lambda item: -item[0])  # stable: ties keep the order given
        out = []
        for rank, (score, name, columns, values) in enumerate(ranked[:top_k], 1):
            why = explain(self.index_, row, columns, values, kind_of=self._kind_of)
            out.append(
                Candidate(
                    rank, score, name, why.matched, why.missing, why.terms, why.parts, why.coverage
                )
            )
        return out

    def _row_of(self, listing_id: str) -> int:
        for row, listing in enumerate(self.listings):
            if listing.id == listing_id:
                return row
        raise ListingFormatError(listing_id, "no listing with this id")

    def gaps(
        self,
        resume_text: str,
        top: int = 10,
        *,
        location: str | None = None,
        kinds: Collection[str] | None = None,
        filters: Filters | None = None,
    ) -> GapReport:
        """Rank the skills the resume's ``top`` best listings ask for and the resume lacks.

        Each skill is scored exactly: the resume's terms gain the skill once (as if written in
        its skills list) and the ``top`` scores are re-computed. A skill's ``gain`` is the mean
        rise over the listings that ask for it; skills whose gain is not positive are left out
        (counted in ``not_helping``), and so are skills whose kind is not in ``kinds`` (default:
        every kind but "soft"). Order: the total rise over the listings that ask for it
        (``gain * asked_by``), then how many ask for it, then name. ``location`` and
        ``filters`` choose the listings as for ``match``; the report says which were applied.
        """
        if kinds is None:
            kinds = DEFAULT_GAP_KINDS
        filters = _merge(filters, location)
        rows, matches = self._rank(resume_text, top, filters)
        terms = self._analyzer.query_terms(resume_text)

        def with_skill(skill: str) -> list[str]:
            return [*terms, SKILL_PREFIX + skill]

        before, gains = skill_gains(self.index_, terms, rows, with_skill)
        ranks_before = _ranks(before)
        gaps = []
        not_helping = left_out = 0
        for gain in gains:
            name = term_text(self.index_.terms[gain.column])
            kind = self._kind_of(name)
            if kind and kind not in kinds:
                left_out += 1
                continue
            mean = float(gain.gains[gain.asked].mean())
            if mean <= 0:
                not_helping += 1
                continue
            ranks_after = _ranks(before + gain.gains)
            moves = tuple(
                (int(ranks_before[i]), int(ranks_after[i]))
                for i in np.flatnonzero(gain.asked)
                if ranks_after[i] != ranks_before[i]
            )
            gaps.append(
                SkillGap(
                    skill=name,
                    kind=kind,
                    gain=mean,
                    asked_by=int(gain.asked.sum()),
                    gains=tuple(float(g) for g in gain.gains),
                    required_by=int(gain.required.sum()),
                    moves=moves,
                    relative=float((gain.gains[gain.asked] / before[gain.asked]).mean()),
                )
            )
        gaps.sort(key=lambda g: (-g.gain * g.asked_by, -g.asked_by, g.skill))
        passed = self.filter(filters)
        return GapReport(
            gaps=tuple(gaps),
            matches=tuple(matches),
            listings_count=len(self.listings),
            attributions=self.attributions,
            not_helping=not_helping,
            kinds_left_out=left_out,
            location=filters.location if filters else None,
            listings_considered=len(self.listings) if passed is None else int(passed.keep.sum()),
            filters=() if passed is None else passed.said,
        )

    @property
    def attributions(self) -> tuple[str, ...]:
        """Credits of the skill vocabulary in use (ESCO, O*NET), to show with results."""
        vocabulary = self._analyzer.vocabulary
        return vocabulary.attributions if vocabulary else ()


# The kinds of skill ``gaps`` advises on unless told otherwise: soft skills are shown apart.
DEFAULT_GAP_KINDS = frozenset({"tool", "knowledge", "practice", ""})


def _ranks(scores: np.ndarray) -> np.ndarray:
    """Return each score's rank (1 = best) among ``scores``, ties by position."""
    order = np.lexsort((np.arange(len(scores)), -scores))
    ranks = np.empty(len(scores), dtype=np.int64)
    ranks[order] = np.arange(1, len(scores) + 1)
    return ranks


# What forked workers read from their parent's memory.
_FORKED: dict[str, Any] = {}


def _query_terms(span: tuple[int, int]) -> list[list[str]]:
    analyzer: Analyzer = _FORKED["analyzer"]
    return [analyzer.query_terms(text) for text in _FORKED["texts"][span[0] : span[1]]]


def _merge(filters: Filters | None, location: str | None) -> Filters | None:
    """Return ``filters`` with ``location`` added (the older keyword, kept working)."""
    if not location:
        return filters
    if filters is None:
        return Filters(location=location)
    return dataclasses.replace(filters, location=location)


def default_listings_path() -> Path:
    """Return the folder of listings bundled with matcher (the repository's fixtures)."""
    from importlib import resources  # here: a saved index has no use for it (nor tempfile)

    bundled = resources.files("matcher").joinpath("_bundled/listings")
    if bundled.is_dir():
        return Path(str(bundled))
    return Path(__file__).resolve().parent.parent / "fixtures" / "listings"


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
) -> MatchReport:
    """Read a resume and listings files (default: the bundled ones), and rank them.

    ``resume`` may be ``"-"`` for standard input. ``gaps`` also ranks the skill gaps over the
    same ``top_k`` matches (``Matcher.gaps`` with the same inputs), in ``report.gaps``.
    ``progress`` is told of the listings' analysis as ``build_index`` tells it (not called
    for a saved index).
    ``vocabulary`` defaults to the built-in one merged with every imported one (see
    ``load_vocabulary``). ``index`` ranks a saved index
    instead of listings files; ``trust`` skips its full check (``Matcher.load(verify=False)``).
    Raises ``ResumeReadError``, ``ListingFormatError``,
    ``VocabularyError`` or ``IndexFormatError`` for input that cannot be used.
    """
    resume_text, listing_set, matcher = _read_all(
        resume, listings, settings, vocabulary, index, trust, progress
    )
    filters = _merge(filters, location)
    matches = matcher.match(resume_text.text, top_k=top_k, filters=filters)
    every = matcher.listings  # a saved index's listings are parsed only for --location
    passed = matcher.filter(filters)
    considered = len(every) if passed is None else int(passed.keep.sum())
    return MatchReport(
        matches=tuple(matches),
        listings_count=len(every),
        duplicates_dropped=listing_set.duplicates_dropped if listing_set else 0,
        empty_skipped=listing_set.empty_skipped if listing_set else 0,
        location=filters.location if filters else None,
        listings_considered=considered,
        attributions=matcher.attributions,
        warnings=resume_text.warnings,
        filters=() if passed is None else passed.said,
        gaps=matcher.gaps(resume_text.text, top=top_k, filters=filters) if gaps else None,
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
) -> GapReport:
    """Read a resume and listings files (default: the bundled ones), and rank its skill gaps.

    See ``Matcher.gaps``; files and ``vocabulary`` are as for ``match_files``.
    """
    resume_text, _, matcher = _read_all(
        resume, listings, settings, vocabulary, index, trust, progress
    )
    report = matcher.gaps(
        resume_text.text, top=top, location=location, kinds=kinds, filters=filters
    )
    return dataclasses.replace(report, warnings=resume_text.warnings)


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
    _check_resume_path(resume)  # before minutes of indexing listings
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
    vocab = _vocabulary(vocabulary)
    paths = list(listings) or [default_listings_path()]
    try:
        listing_set = _readers.load_listings(paths)
    except OSError as exc:  # e.g. a name too long for the file system: still a bad input
        raise ListingFormatError(exc.filename or paths[0], exc.strerror or str(exc)) from None
    matcher = Matcher(listing_set, settings=settings, vocabulary=vocab, progress=progress)
    return matcher, listing_set


def index_files(
    listings: Sequence[str | Path],
    folder: str | Path,
    *,
    settings: Settings | None = None,
    vocabulary: VocabularyChoice = None,
    progress: Callable[[int], None] | None = None,
    replace_newer: bool = False,
) -> tuple[Matcher, ListingSet]:
    """Read listings files, index them and save the index to ``folder``.

    ``progress`` is as for ``build_index``: steps done of ``2 * listings``. ``folder`` is
    checked before any work (see ``check_replaceable``).
    """
    check_replaceable(folder, replace_newer=replace_newer)
    matcher, listing_set = _matcher(listings, settings, vocabulary, None, progress)
    assert listing_set is not None  # read from files, not an index
    matcher.save(folder, replace_newer=replace_newer)
    return matcher, listing_set


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
    old = Matcher._of(saved)
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
    vocabulary = old._analyzer.vocabulary
    if added and rebuild:
        every = [*old.listings, *added]
        rebuilt = Matcher(every, settings=old.settings, vocabulary=vocabulary, progress=progress)
        save_index(rebuilt.index_, rebuilt.settings, vocabulary, folder, expected=saved.checksum)
        return AddResult(len(added), dropped, segments=1, fitted=len(every), total=len(every))
    shards = fitted_segments(saved.meta)
    fitted = sum(int(entry["listings"]) for entry in saved.meta["segments"][:shards])
    segments = len(saved.meta["segments"])
    if added:
        segment = build_segment(old.index_, added, old._analyzer, progress)
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
    old = Matcher._of(saved)
    # Shards whose statistics were fitted on all of them have nothing to refit: kept as they are.
    segments = len(saved.meta["segments"])
    merged = segments if segments > fitted_segments(saved.meta) else 0
    if merged:
        vocabulary = old._analyzer.vocabulary
        rebuilt = Matcher(old.listings, settings=old.settings, vocabulary=vocabulary,
                          progress=progress)  # fmt: skip
        save_index(rebuilt.index_, rebuilt.settings, vocabulary, folder, expected=saved.checksum)
        segments = 1
    n = len(old.listings)
    return AddResult(0, 0, segments=segments, fitted=n, total=n, merged=merged)


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
) -> list[tuple[str, list[Match] | MatcherError]]:
    """Rank the listings (or a saved index) for each resume file, in one batch.

    A resume that cannot be read gets its error in its place and the others go on; the
    listings or index failing stops the batch (raises, as ``match_files``).
    """
    texts, failed = read_resumes(resumes)
    matcher, _ = _matcher(listings, None, vocabulary, index, progress, trust=trust)
    batch = matcher.match_many(list(texts.values()), top_k=top_k, filters=filters)
    ranked = dict(zip(texts, batch, strict=True))
    return [
        (str(resume), ranked[i] if i in ranked else failed[i]) for i, resume in enumerate(resumes)
    ]


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


def candidate_files(
    listing_id: str,
    resumes: Sequence[str | Path],
    listings: Sequence[str | Path] = (),
    *,
    index: str | Path | None = None,
    top_k: int = 10,
    vocabulary: VocabularyChoice = None,
    trust: bool = False,
) -> tuple[Listing, list[Candidate], list[MatcherError]]:
    """Rank resume files for the listing ``listing_id`` of the listings (or a saved index).

    Returns the listing, the ranked resumes, and the errors of resumes that could not be read
    (they are left out; the others are ranked).
    """
    texts: list[tuple[str, str]] = []
    failed: list[MatcherError] = []
    for resume in resumes:
        try:
            texts.append((str(resume), _resume_text(resume).text))
        except MatcherError as exc:
            failed.append(exc)
    matcher, _ = _matcher(listings, None, vocabulary, index, trust=trust)
    row = matcher._row_of(listing_id)
    return matcher.listings[row], matcher.candidates(row, texts, top_k=top_k), failed


# What a listings file is named; a resume never is (".txt" may be either: it is read).
_LISTINGS_ONLY = (".json", ".jsonl", ".ndjson", ".csv", ".tsv")  # LISTING_SUFFIXES but .txt


def _check_resume_path(resume: str | Path) -> None:
    """Refuse a listings file given as the resume (the resume argument forgotten)."""
    suffix = Path(resume).suffix.lower() if str(resume) != "-" else ""
    if suffix in _LISTINGS_ONLY:
        raise ResumeReadError(
            resume,
            f"is a listings file ({suffix}), not a resume (.txt .md .pdf .docx); "
            "give the resume first: matcher match RESUME LISTINGS...",
        )


def _resume_text(resume: str | Path) -> ResumeText:
    """Read a resume, after ``_check_resume_path``; errors of the system become ours.

    A ``.txt`` that holds a saved page of several listings is refused: the resume argument
    was forgotten, and ranking listings against listings would take minutes for nothing.
    """
    _check_resume_path(resume)
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


def skills_in_file(path: str | Path, *, vocabulary: VocabularyChoice = None) -> SkillsReport:
    """Return the skills named in a resume, or in each listing of a listings file or folder.

    A ``.pdf``, ``.docx``, ``.md`` file or ``-`` is a resume. A ``.txt`` file is listings when
    it holds a saved page of them (location lines), otherwise one text. Anything else is read
    as listings.
    """
    vocab = _vocabulary(vocabulary)
    documents: list[SkillsDocument] = []
    warnings: tuple[str, ...] = ()
    suffix = Path(path).suffix.lower()
    kind = "resume"
    listings_suffix = suffix in _readers.LISTING_SUFFIXES
    resume = str(path) == "-" or (not listings_suffix and not Path(path).is_dir())
    if not resume:
        listing_set = _readers.load_listings([path])
        resume = suffix == ".txt" and len(listing_set) == 1 and not listing_set[0].location
    if resume:
        read = read_resume_text(path)
        warnings = read.warnings
        found = tuple(extract_skills(read.text, vocab))
        documents.append(SkillsDocument(str(path), read.text, found))
    else:
        kind = "listings"
        for listing in listing_set:
            label = f"{listing.title} ({listing.id})"
            found = tuple(extract_skills(listing.description, vocab))
            documents.append(SkillsDocument(label, listing.description, found))
    return SkillsReport(str(path), kind, tuple(documents), vocab.attributions, warnings)


def _vocabulary(choice: VocabularyChoice) -> SkillVocabulary:
    if isinstance(choice, SkillVocabulary):
        return choice
    from .skills.taxonomy import load_vocabulary  # imported here: a saved index brings its own

    return load_vocabulary(list(choice or ()))
