"""The ``Matcher`` estimator: fit on listings (or load a saved index), then rank resumes.

It wires the pipeline's stages for one set of listings: analyse -> index -> score -> explain.
Files, saved indexes and engines are ``matcher.api``'s business; this module reads no file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .analyse import Analyzer
from .engines.local import build_index, query_terms_many
from .errors import ListingFormatError
from .filters import FilterResult, Filters
from .index.model import AnyIndex
from .index.store import SavedIndex, load_index, save_index
from .models import Candidate, GapReport, Listing, Match
from .search.explain import DEFAULT_GAP_KINDS, explain, explain_all, skill_gaps
from .search.kernels import batch_scores, cosine_scores, scores_at
from .search.query import query_vector
from .search.topk import top_k as best_rows
from .settings import Settings
from .skills import SkillVocabulary

__all__ = ["DEFAULT_GAP_KINDS", "Matcher", "Ranking", "merge_location"]


@dataclass(frozen=True)
class Ranking:
    """One resume ranked against a matcher's listings: what ``match``, ``gaps`` and a report
    share, so that each is worked out once per resume.

    ``terms`` are the resume's query terms and ``(columns, values)`` its query vector;
    ``scores`` holds its score with every listing (float64, listing order); ``passed`` is the
    filters' verdict (None: no filter); ``rows`` are the best rows kept, best first, and
    ``matches`` their explained matches.
    """

    terms: list[str]
    columns: np.ndarray
    values: np.ndarray
    scores: np.ndarray
    filters: Filters | None
    passed: FilterResult | None
    rows: list[int]
    matches: list[Match]

    @property
    def considered(self) -> int | None:
        """How many listings passed the filters (None when none was applied)."""
        return None if self.passed is None else int(self.passed.keep.sum())


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

    # The checksum of the saved index this matcher was loaded from (None: built in memory).
    _checksum: str | None = None

    @property
    def analyzer(self) -> Analyzer:
        """The analyzer that turns this matcher's texts into index terms."""
        return self._analyzer

    def save(self, folder: str | Path, *, replace_newer: bool = False) -> Path:
        """Write the index to ``folder`` (see ``matcher/index/store``); a crash leaves the old.

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
        return cls.from_saved(load_index(folder, verify=verify))

    @classmethod
    def from_saved(cls, saved: SavedIndex) -> Matcher:
        """Return a matcher of an index already loaded (``load_index``), or of part of one."""
        matcher = cls.__new__(cls)
        matcher.settings = saved.settings
        matcher.listings = saved.index.listings
        matcher._analyzer = Analyzer(saved.settings, saved.vocabulary)
        matcher.index_ = saved.index
        matcher._checksum = saved.checksum
        return matcher

    def kind_of(self, skill: str) -> str:
        """Return the vocabulary's kind of a skill ("tool", "soft", ...), "" if unknown."""
        vocabulary = self._analyzer.vocabulary
        found = vocabulary.get(skill) if vocabulary else None
        return found.kind if found else ""

    def row_of(self, listing_id: str) -> int:
        """Return the row of the first listing with id ``listing_id``.

        Raises ``ListingFormatError`` when no listing has it.
        """
        for row, listing in enumerate(self.listings):
            if listing.id == listing_id:
                return row
        raise ListingFormatError(listing_id, "no listing with this id")

    @property
    def attributions(self) -> tuple[str, ...]:
        """Credits of the skill vocabulary in use (ESCO, O*NET), to show with results."""
        vocabulary = self._analyzer.vocabulary
        return vocabulary.attributions if vocabulary else ()

    def scores(self, resume_text: str) -> np.ndarray:
        """Return the resume's cosine score with every listing, in listing order."""
        _check_text(resume_text)
        columns, values = query_vector(self.index_, self._analyzer.query_terms(resume_text))
        return cosine_scores(self.index_, columns, values)

    def filter(self, filters: Filters | None) -> FilterResult | None:
        """Return which listings pass ``filters`` (None when there is none to apply)."""
        if filters is None or not filters.active:
            return None
        return filters.mask(self.listings, self.index_.facts())

    def rank(self, resume_text: str, top_k: int = 10, filters: Filters | None = None) -> Ranking:
        """Return the resume's ``Ranking``: analysed, scored, filtered and explained once.

        Raises ``TypeError`` for a resume that is not a str, ``ValueError`` for ``top_k``
        below 1.
        """
        _check_text(resume_text)
        if top_k < 1:
            raise ValueError(f"top_k must be at least 1, got {top_k}")
        terms = self._analyzer.query_terms(resume_text)
        columns, values = query_vector(self.index_, terms)
        scores = cosine_scores(self.index_, columns, values)
        passed = self.filter(filters)
        rows = best_rows(scores, top_k, None if passed is None else passed.keep)
        matches = self.explain_rows(rows, scores, columns, values)
        return Ranking(terms, columns, values, scores, filters, passed, rows, matches)

    def explain_rows(
        self, rows: list[int], scores: np.ndarray, columns: np.ndarray, values: np.ndarray
    ) -> list[Match]:
        """Return the explained matches of ``rows`` (ranked 1, 2, ... in that order) for the
        query vector ``(columns, values)`` whose scores with every listing are ``scores``."""
        explanations = explain_all(self.index_, rows, columns, values, self.kind_of)
        return [
            Match(rank=rank, score=float(scores[row]), listing=self.listings[row],
                  matched=why.matched, missing=why.missing, terms=why.terms, parts=why.parts,
                  coverage=why.coverage)  # fmt: skip
            for rank, (row, why) in enumerate(zip(rows, explanations, strict=True), 1)
        ]

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
        return self.rank(resume_text, top_k, merge_location(filters, location)).matches

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
        terms = query_terms_many(self._analyzer, resume_texts)
        queries = [query_vector(self.index_, each) for each in terms]
        results: list[list[Match]] = []
        chunk = max(1, min(64, 4_000_000 // max(1, len(self.listings))))
        for start in range(0, len(queries), chunk):
            part = queries[start : start + chunk]
            for (columns, values), scores in zip(
                part, batch_scores(self.index_, part), strict=True
            ):
                rows = best_rows(scores, top_k, allowed)
                results.append(self.explain_rows(rows, scores, columns, values))
        return results

    def candidates(
        self, listing: int | str, resumes: Sequence[tuple[str, str]], top_k: int = 10
    ) -> list[Candidate]:
        """Rank ``resumes`` (name, text) for one listing (its row, or its id), best first.

        Each resume is scored as ``match`` scores it against this listing, with the same
        explanation: the skills it shares with the listing and those it lacks.
        """
        row = listing if isinstance(listing, int) else self.row_of(listing)
        if top_k < 1:
            raise ValueError(f"top_k must be at least 1, got {top_k}")
        here = np.array([row])
        ranked = []
        for name, text in resumes:
            columns, values = query_vector(self.index_, self._analyzer.query_terms(text))
            score = float(scores_at(self.index_, here, columns, values)[0])
            ranked.append((score, name, columns, values))
        ranked.sort(key=lambda item: -item[0])  # stable: ties keep the order given
        out = []
        for rank, (score, name, columns, values) in enumerate(ranked[:top_k], 1):
            why = explain(self.index_, row, columns, values, kind_of=self.kind_of)
            out.append(
                Candidate(
                    rank, score, name, why.matched, why.missing, why.terms, why.parts, why.coverage
                )
            )
        return out

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
        ranking = self.rank(resume_text, top, merge_location(filters, location))
        return self.gaps_of(ranking, kinds)

    def gaps_of(self, ranking: Ranking, kinds: Collection[str] | None = None) -> GapReport:
        """Return ``gaps`` over a ranking already made (``rank``), reusing its analysis,
        query vector, filter verdict and matches."""
        found = skill_gaps(
            self.index_, ranking.terms, (ranking.columns, ranking.values), ranking.rows,
            self.kind_of, DEFAULT_GAP_KINDS if kinds is None else kinds,
        )  # fmt: skip
        considered = ranking.considered
        return GapReport(
            gaps=found.gaps,
            matches=tuple(ranking.matches),
            listings_count=len(self.listings),
            attributions=self.attributions,
            not_helping=found.not_helping,
            kinds_left_out=found.kinds_left_out,
            location=ranking.filters.location if ranking.filters else None,
            listings_considered=len(self.listings) if considered is None else considered,
            filters=() if ranking.passed is None else ranking.passed.said,
        )


def _check_text(resume_text: object) -> None:
    if not isinstance(resume_text, str):
        raise TypeError(f"resume_text must be a str, not {type(resume_text).__name__}")


def merge_location(filters: Filters | None, location: str | None) -> Filters | None:
    """Return ``filters`` with ``location`` added (the older keyword, kept working)."""
    if not location:
        return filters
    if filters is None:
        return Filters(location=location)
    return dataclasses.replace(filters, location=location)
