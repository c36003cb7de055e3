"""The plain data every stage of the pipeline passes along: listings in, matches out."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

# The title of a listing that names no job anywhere: never used as a title's words.
UNTITLED = "Untitled listing"


@dataclass(frozen=True)
class Listing:
    """One job listing as read from a file."""

    id: str
    title: str
    description: str
    company: str | None = None
    location: str | None = None
    url: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class ListingSet(Sequence[Listing]):
    """The listings read from one or more files, after identical ones were collapsed."""

    listings: tuple[Listing, ...]
    duplicates_dropped: int = 0
    empty_skipped: int = 0

    @overload
    def __getitem__(self, index: int) -> Listing: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Listing]: ...
    def __getitem__(self, index: int | slice) -> Listing | Sequence[Listing]:
        return self.listings[index]

    def __len__(self) -> int:
        return len(self.listings)

    def __iter__(self) -> Iterator[Listing]:
        return iter(self.listings)


@dataclass(frozen=True)
class TermContribution:
    """How much one shared term added to a score: resume weight times listing weight."""

    term: str
    contribution: float
    is_skill: bool = False


@dataclass(frozen=True)
class SkillContribution:
    """A skill found in both the resume and the listing, with its share of the score."""

    skill: str
    contribution: float


@dataclass(frozen=True)
class MissingSkill:
    """A skill the listing asks for that the resume does not mention, with its listing weight."""

    skill: str
    weight: float


@dataclass(frozen=True)
class Match:
    """One ranked listing and the exact explanation of its score.

    ``terms`` holds every term the resume and listing share; their contributions add up to
    ``score`` (the cosine of the two L2-normalised TF-IDF vectors).
    """

    rank: int
    score: float
    listing: Listing
    matched: tuple[SkillContribution, ...] = ()
    missing: tuple[MissingSkill, ...] = ()
    terms: tuple[TermContribution, ...] = ()


@dataclass(frozen=True)
class Candidate:
    """One resume ranked for a listing, explained as a ``Match`` is: terms add up to score."""

    rank: int
    score: float
    resume: str  # the name it was given by (a file path)
    matched: tuple[SkillContribution, ...] = ()
    missing: tuple[MissingSkill, ...] = ()
    terms: tuple[TermContribution, ...] = ()


@dataclass(frozen=True)
class MatchReport:
    """Everything one ranking run produced: the matches and what was ranked."""

    matches: tuple[Match, ...]
    listings_count: int
    duplicates_dropped: int = 0
    empty_skipped: int = 0
    location: str | None = None
    listings_considered: int = 0
    attributions: tuple[str, ...] = ()  # credits of the skill vocabularies used


@dataclass(frozen=True)
class ExtractedSkill:
    """A skill found in a text: ``text[start:end]`` for each span is where it is written."""

    name: str
    kind: str
    category: str
    spans: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class SkillsDocument:
    """The skills found in one resume or listing, with the text their spans point into."""

    label: str
    text: str
    skills: tuple[ExtractedSkill, ...]


@dataclass(frozen=True)
class SkillsReport:
    """The skills of every document in a file (one for a resume, one per listing)."""

    source: str
    kind: str  # "resume" or "listings"
    documents: tuple[SkillsDocument, ...]
    attributions: tuple[str, ...] = ()


@dataclass(frozen=True)
class SkillGap:
    """A skill the resume lacks, and what adding it would do to the resume's best matches.

    ``gain`` is the mean raise of the resume's score over the report's listings when the skill
    is mentioned once more in the resume (every score re-computed exactly; a listing that does
    not ask for it can lose a little, as the resume's vector gets longer).
    """

    skill: str
    kind: str
    gain: float
    asked_by: int
    gains: tuple[float, ...] = ()  # per listing, in the order of the report's matches


@dataclass(frozen=True)
class GapReport:
    """The missing skills ranked by gain over the resume's ``matches``."""

    gaps: tuple[SkillGap, ...]
    matches: tuple[Match, ...]
    listings_count: int
    attributions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Settings:
    """How text becomes TF-IDF vectors. The defaults are matcher's; ``plain()`` is scikit-learn's.

    Each default was kept because it scored better on the relevance benchmark
    (``benchmarks/relevance.py``; figures in ``benchmarks/README.md``).

    - ``skills``: skills from the vocabulary ("machine learning", "JS") become one term each;
      ``skill_words`` keeps their words as ordinary terms too ("machine", "learning").
    - ``sections``: listing text is weighted by section (requirements above company intros) and
      boilerplate repeated across ``boilerplate_min_listings`` listings is left out.
    - ``stop_words``: English function words are dropped.
    - ``sublinear_tf``: a term's weight grows with the log of its count, not the count.
    - ``title_weight``: a listing's title counts as a sentence of this weight (0: not at all).
    - ``bigrams``: pairs of neighbouring words ("financial statements") are terms too.
    - ``plurals``: plural words are folded to their singular ("accountants" -> "accountant").
    - ``placeholders``: words that resume templates leave as placeholders or that date
      entries ("Company Name", "City", "State", month names) are dropped.
    - ``skill_weight``: skill terms in a listing count this many times an ordinary word.
    - ``resume_lead``: the terms in this share of a resume, from its start, count twice.
    """

    skills: bool = True
    skill_words: bool = False
    sections: bool = True
    stop_words: bool = True
    sublinear_tf: bool = True
    boilerplate_min_listings: int = 3
    title_weight: float = 60.0
    bigrams: bool = True
    plurals: bool = True
    placeholders: bool = True
    skill_weight: float = 0.5
    resume_lead: float = 1 / 3

    @classmethod
    def plain(cls) -> Settings:
        """Return settings under which matcher ranks exactly as ``TfidfVectorizer()`` + cosine."""
        return cls(
            skills=False,
            skill_words=False,
            sections=False,
            stop_words=False,
            sublinear_tf=False,
            title_weight=0.0,
            bigrams=False,
            plurals=False,
            placeholders=False,
            resume_lead=0.0,
        )
