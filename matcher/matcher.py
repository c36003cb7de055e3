"""The library's front door: ``Matcher`` wires analyse -> index -> score -> explain."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path

import numpy as np

from .analyse import Analyzer
from .explain import explain, skill_gains
from .index import Index, build_index, query_vector
from .models import (
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
from .read import LISTING_SUFFIXES, load_listings, read_resume
from .score import cosine_scores
from .score import top_k as best_rows
from .skills import SkillVocabulary, extract_skills
from .taxonomy import load_vocabulary

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
        columns, values = query_vector(self.index_, self._analyzer.query_terms(resume_text))
        return cosine_scores(self.index_, columns, values)

    def match(
        self, resume_text: str, top_k: int = 10, *, location: str | None = None
    ) -> list[Match]:
        """Return the ``top_k`` listings most similar to the resume, best first.

        Only listings sharing at least one term with the resume are returned. ``location``
        keeps listings whose location contains it, ignoring case.
        """
        return self._rank(resume_text, top_k, location)[1]

    def _rank(
        self, resume_text: str, top_k: int, location: str | None
    ) -> tuple[list[int], list[Match]]:
        if not isinstance(resume_text, str):
            raise TypeError(f"resume_text must be a str, not {type(resume_text).__name__}")
        if top_k < 1:
            raise ValueError(f"top_k must be at least 1, got {top_k}")
        columns, values = query_vector(self.index_, self._analyzer.query_terms(resume_text))
        scores = cosine_scores(self.index_, columns, values)
        allowed = in_location(self.listings, location) if location else None
        rows = best_rows(scores, top_k, allowed)
        matches = []
        for rank, row in enumerate(rows, 1):
            why = explain(self.index_, row, columns, values)
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
        return rows, matches

    def gaps(self, resume_text: str, top: int = 10, *, location: str | None = None) -> GapReport:
        """Rank the skills the resume's ``top`` best listings ask for and the resume lacks.

        Each skill's gain is the exact mean change of those listings' scores when the resume
        names the skill once more; ties go to the skill more of them ask for, then by name.
        """
        rows, matches = self._rank(resume_text, top, location)
        terms = self._analyzer.query_terms(resume_text)
        vocabulary = self._analyzer.vocabulary
        gaps = []

        def with_skill(skill: str) -> list[str]:
            return self._analyzer.query_terms(f"{resume_text}\n\n{skill}")

        for column, gains, asked_by in skill_gains(self.index_, terms, rows, with_skill):
            name = self.index_.terms[column]
            skill = vocabulary.get(name) if vocabulary else None
            gaps.append(
                SkillGap(
                    skill=name,
                    kind=skill.kind if skill else "",
                    gain=float(gains.mean()),
                    asked_by=asked_by,
                    gains=tuple(float(g) for g in gains),
                )
            )
        gaps.sort(key=lambda g: (-g.gain, -g.asked_by, g.skill))
        return GapReport(
            gaps=tuple(gaps),
            matches=tuple(matches),
            listings_count=len(self.listings),
            attributions=self.attributions,
        )

    @property
    def attributions(self) -> tuple[str, ...]:
        """Credits of the skill vocabulary in use (ESCO, O*NET), to show with results."""
        vocabulary = self._analyzer.vocabulary
        return vocabulary.attributions if vocabulary else ()


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
    vocabulary: VocabularyChoice = None,
) -> MatchReport:
    """Read a resume and listings files (default: the bundled ones), and rank them.

    ``resume`` may be ``"-"`` for standard input. ``vocabulary`` defaults to the built-in one
    merged with every imported one (see ``load_vocabulary``). Raises ``ResumeReadError``,
    ``ListingFormatError`` or ``VocabularyError`` for input that cannot be used.
    """
    resume_text, listing_set, matcher = _read_all(resume, listings, settings, vocabulary)
    matches = matcher.match(resume_text, top_k=top_k, location=location)
    considered = int(in_location(listing_set, location).sum()) if location else len(listing_set)
    return MatchReport(
        matches=tuple(matches),
        listings_count=len(listing_set),
        duplicates_dropped=listing_set.duplicates_dropped,
        empty_skipped=listing_set.empty_skipped,
        location=location,
        listings_considered=considered,
        attributions=matcher.attributions,
    )


def gap_files(
    resume: str | Path,
    listings: Sequence[str | Path] = (),
    *,
    top: int = 10,
    location: str | None = None,
    settings: Settings | None = None,
    vocabulary: VocabularyChoice = None,
) -> GapReport:
    """Read a resume and listings files (default: the bundled ones), and rank its skill gaps.

    See ``Matcher.gaps``; files and ``vocabulary`` are as for ``match_files``.
    """
    resume_text, _, matcher = _read_all(resume, listings, settings, vocabulary)
    return matcher.gaps(resume_text, top=top, location=location)


def _read_all(
    resume: str | Path,
    listings: Sequence[str | Path],
    settings: Settings | None,
    vocabulary: VocabularyChoice,
) -> tuple[str, ListingSet, Matcher]:
    """Read the vocabulary, the resume and the listings (default: bundled), and index them."""
    vocab = _vocabulary(vocabulary)
    resume_text = read_resume(resume)
    listing_set = load_listings(list(listings) or [default_listings_path()])
    return resume_text, listing_set, Matcher(listing_set, settings=settings, vocabulary=vocab)


def skills_in_file(path: str | Path, *, vocabulary: VocabularyChoice = None) -> SkillsReport:
    """Return the skills named in a resume, or in each listing of a listings file or folder.

    A ``.pdf``, ``.docx``, ``.md`` file or ``-`` is a resume. A ``.txt`` file is listings when
    it holds a saved page of them (location lines), otherwise one text. Anything else is read
    as listings.
    """
    vocab = _vocabulary(vocabulary)
    documents: list[SkillsDocument] = []
    suffix = Path(path).suffix.lower()
    kind = "resume"
    if str(path) == "-" or (suffix not in LISTING_SUFFIXES and not Path(path).is_dir()):
        text = read_resume(path)
        documents.append(SkillsDocument(str(path), text, tuple(extract_skills(text, vocab))))
    else:
        listing_set = load_listings([path])
        if suffix == ".txt" and len(listing_set) == 1 and not listing_set[0].location:
            text = read_resume(path)
            documents.append(SkillsDocument(str(path), text, tuple(extract_skills(text, vocab))))
        else:
            kind = "listings"
            for listing in listing_set:
                label = f"{listing.title} ({listing.id})"
                found = tuple(extract_skills(listing.description, vocab))
                documents.append(SkillsDocument(label, listing.description, found))
    return SkillsReport(str(path), kind, tuple(documents), vocab.attributions)


def _vocabulary(choice: VocabularyChoice) -> SkillVocabulary:
    if isinstance(choice, SkillVocabulary):
        return choice
    return load_vocabulary(list(choice or ()))
