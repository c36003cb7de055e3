"""The library's front door: ``Matcher`` wires analyse -> index -> score -> explain."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path

import numpy as np

from .analyse import Analyzer
from .explain import explain
from .index import Index, build_index, query_vector
from .models import Listing, ListingSet, Match, MatchReport, Settings
from .read import load_listings, read_resume
from .score import cosine_scores
from .score import top_k as best_rows
from .skills import SkillVocabulary


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
    ) -> None:
        if isinstance(listings, (str, bytes, Path)):
            raise TypeError(
                "Matcher expects Listing objects, not a path or string; "
                "use Matcher(load_listings(path))"
            )
        self.settings = settings or Settings()
        self.listings: tuple[Listing, ...] = tuple(listings)
        if not self.listings:
            raise ValueError("Matcher needs at least one listing")
        for listing in self.listings:
            if not isinstance(listing, Listing):
                raise TypeError(f"Matcher expects Listing objects, got {type(listing).__name__}")
        self._analyzer = Analyzer(self.settings, vocabulary)
        self.index_: Index = build_index(self.listings, self._analyzer)

    def scores(self, resume_text: str) -> np.ndarray:
        """Return the resume's cosine score with every listing, in listing order."""
        if not isinstance(resume_text, str):
            raise TypeError(f"resume_text must be a str, not {type(resume_text).__name__}")
        query = query_vector(self.index_, self._analyzer.terms(resume_text))
        return cosine_scores(self.index_.matrix, query)

    def match(
        self, resume_text: str, top_k: int = 10, *, location: str | None = None
    ) -> list[Match]:
        """Return the ``top_k`` listings most similar to the resume, best first.

        Only listings sharing at least one term with the resume are returned. ``location``
        keeps listings whose location contains it, ignoring case.
        """
        if not isinstance(resume_text, str):
            raise TypeError(f"resume_text must be a str, not {type(resume_text).__name__}")
        if top_k < 1:
            raise ValueError(f"top_k must be at least 1, got {top_k}")
        query = query_vector(self.index_, self._analyzer.terms(resume_text))
        scores = cosine_scores(self.index_.matrix, query)
        allowed = in_location(self.listings, location) if location else None
        matches = []
        for rank, row in enumerate(best_rows(scores, top_k, allowed), 1):
            why = explain(self.index_, row, query)
            matches.append(
                Match(
                    rank=rank,
                    score=float(scores[row]),
                    listing=self.listings[row],
                    matched=why.matched,
                    missing=why.missing,
                    terms=why.terms,
                )
            )
        return matches


def in_location(listings: Sequence[Listing], location: str) -> np.ndarray:
    """Return a mask of the listings whose location contains ``location``, ignoring case."""
    wanted = location.casefold()
    return np.array([wanted in (item.location or "").casefold() for item in listings], dtype=bool)


def default_listings_path() -> Path:
    """Return the folder of listings bundled with matcher (the repository's fixtures)."""
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
) -> MatchReport:
    """Read a resume and listings files (default: the bundled ones), and rank them.

    ``resume`` may be ``"-"`` for standard input. Raises ``ResumeReadError`` or
    ``ListingFormatError`` for files that cannot be used.
    """
    resume_text = read_resume(resume)
    listing_set: ListingSet = load_listings(list(listings) or [default_listings_path()])
    matcher = Matcher(listing_set, settings=settings)
    matches = matcher.match(resume_text, top_k=top_k, location=location)
    considered = int(in_location(listing_set, location).sum()) if location else len(listing_set)
    return MatchReport(
        matches=tuple(matches),
        listings_count=len(listing_set),
        duplicates_dropped=listing_set.duplicates_dropped,
        empty_skipped=listing_set.empty_skipped,
        location=location,
        listings_considered=considered,
    )
