"""The plain data every stage of the pipeline passes along: listings in, matches out."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

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
    # What a posting says about the job besides its text, for filters; None when not given.
    remote: bool | None = None
    employment_type: str | None = None  # as written: "FULL_TIME", "fulltime", "Permanent"
    date_posted: str | None = None  # as written, usually ISO 8601
    salary_min: float | None = None
    salary_max: float | None = None
    salary_currency: str | None = None  # ISO 4217 code as written: "USD"
    salary_period: str | None = None  # as written: "YEAR", "yearly", "hourly"


class LazyListings(Sequence[Listing]):
    """Listings made only when asked for: a subclass gives ``__len__`` and ``_listing(i)``."""

    def _listing(self, index: int) -> Listing:
        raise NotImplementedError

    @overload
    def __getitem__(self, index: int) -> Listing: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Listing]: ...
    def __getitem__(self, index: int | slice) -> Listing | Sequence[Listing]:
        if isinstance(index, slice):
            return [self._listing(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._listing(index)

    def __iter__(self) -> Iterator[Listing]:
        for i in range(len(self)):
            yield self._listing(i)


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


# What a listing's job type and salary period fields say, normalised: here, beside the
# listing, for both the filters (``filters.listing_facts``) and the reports that show them.
# Job types: each a bit of the ``job_types`` array (0: not given).
JOB_TYPES = (
    "full-time", "part-time", "contract", "temporary", "internship", "volunteer",
    "permanent", "per-diem", "other",
)  # fmt: skip
_TYPE_WORDS = {
    "fulltime": "full-time", "parttime": "part-time", "contract": "contract",
    "contractor": "contract", "temporary": "temporary", "temp": "temporary",
    "internship": "internship", "intern": "internship", "volunteer": "volunteer",
    "permanent": "permanent", "perdiem": "per-diem", "other": "other", "fixedterm": "temporary",
    "seasonal": "temporary",
}  # fmt: skip

# Salary periods and how many of each make a year (2,080 working hours: 52 weeks of 40;
# 260 working days). Names as JobSpy ("yearly", "hourly"), schema.org ("YEAR", "HOUR") and
# people write them.
_PER_YEAR = {
    "year": 1, "yearly": 1, "annual": 1, "annually": 1, "annum": 1, "yr": 1, "y": 1,
    "month": 12, "monthly": 12, "mo": 12,
    "week": 52, "weekly": 52, "wk": 52,
    "day": 260, "daily": 260,
    "hour": 2080, "hourly": 2080, "hr": 2080, "h": 2080,
}  # fmt: skip


def job_type_bits(text: str | None) -> int:
    """Return the bit set of the job types named in ``text`` ("FULL_TIME", "fulltime, contract").

    0 when none is named. Bit ``i`` is ``JOB_TYPES[i]``.
    """
    bits = 0
    for word in re.split(r"[,;/|]| and | or ", (text or "").lower()):
        key = re.sub(r"[^a-z]", "", word)
        name = _TYPE_WORDS.get(key) or _TYPE_WORDS.get(key.removesuffix("s"))
        if name:
            bits |= 1 << JOB_TYPES.index(name)
    return bits


def per_year(period: str | None) -> int | None:
    """Return how many ``period``s make a year ("hourly" -> 2080), None when not known."""
    key = re.sub(r"[^a-z]", "", (period or "").lower()).removeprefix("per")
    return _PER_YEAR.get(key) or _PER_YEAR.get(key.removesuffix("s"))


@dataclass(frozen=True)
class TermContribution:
    """How much one shared term added to a score: resume weight times listing weight.

    ``part`` is the part of the vector the term belongs to (see ``PARTS``): a skill, a word of
    the listing's title, or another word (or word pair) of the listing's text.
    """

    term: str
    contribution: float
    is_skill: bool = False
    part: str = "words"


@dataclass(frozen=True)
class SkillContribution:
    """A skill found in both the resume and the listing: its contribution and share of the score.

    ``share`` is ``contribution / score`` (0 to 1); ``required`` is False for a skill the
    listing asks for only as preferred, None for one it mentions without asking for it.
    """

    skill: str
    contribution: float
    share: float = 0.0
    kind: str = ""
    required: bool | None = None


@dataclass(frozen=True)
class MissingSkill:
    """A skill the listing asks for that the resume does not mention.

    ``weight`` is its weight in the listing's skills part (0 to 1); ``required`` says whether
    the listing requires it (True) or names it as preferred or nice to have (False); ``kind``
    is the vocabulary's kind ("tool", "knowledge", "practice", "soft").
    """

    skill: str
    weight: float
    required: bool = True
    kind: str = ""


@dataclass(frozen=True)
class Coverage:
    """How many of the skills a listing asks for the resume names.

    Read as "covers ``covered`` of ``asked`` asked skills (required ``required_covered`` of
    ``required``)".
    """

    asked: int
    covered: int
    required: int
    required_covered: int


@dataclass(frozen=True)
class Part:
    """One part of every vector: its terms are L2-normalised together and weighed as one.

    Every part is an entry of ``PARTS``, and nothing else in the package names a part's
    number or counts them: adding a part is adding an entry here (and the ``Settings`` fields
    it names). ``prefix`` marks the part's index terms (``"skill:python"``); the one part with
    no prefix takes every other term. ``weight`` names the ``Settings`` field of its weight,
    ``needs`` a ``Settings`` flag without which it is not in use, ``listing_pivot`` the field
    of the pivot that floors a listing's norm of it (None: no floor), and ``query_floor`` the
    part whose median listing norm floors a resume's norm of it (see ``weigh.pivot_floors``).
    ``evidence`` says whether its terms are reasons a person would sign (a skill, the
    occupation, the level), not words; ``drop_common`` that its terms most listings hold carry
    nothing (``Settings.generic_share``: the text's words, not the title's, which name the job
    most listings of a pile share).
    """

    name: str
    prefix: str
    weight: str
    needs: str | None = None
    listing_pivot: str | None = None
    query_floor: str = ""
    evidence: bool = False
    drop_common: bool = False


# The parts a vector is made of, in the order of ``Settings.part_weights``: skills from the
# vocabulary, the words of a listing's title, and the other words and word pairs. The resume's
# words make both its title and its words parts, so both are floored at the words' median.
PARTS: tuple[Part, ...] = (
    Part("skills", "skill:", "skill_part", needs="skills", listing_pivot="skill_pivot",
         query_floor="skills", evidence=True),  # fmt: skip
    Part("title", "title:", "title_part", query_floor="words"),
    Part("words", "", "word_part", query_floor="words", drop_common=True),
)
PART_NAMES: tuple[str, ...] = tuple(part.name for part in PARTS)
# Each part's number: the value of its terms in ``Index.parts``.
PART_NUMBER: dict[str, int] = {name: number for number, name in enumerate(PART_NAMES)}


@dataclass(frozen=True)
class Match:
    """One ranked listing and the exact explanation of its score.

    ``score`` is ``sum(weight_p * cosine_p)`` over the parts ``PARTS`` (see
    ``Settings.part_weights``), in [0, 1]. ``parts`` maps each part to its contribution;
    ``terms`` holds every term the resume and listing share. Both add up to ``score``.
    """

    rank: int
    score: float
    listing: Listing
    matched: tuple[SkillContribution, ...] = ()
    missing: tuple[MissingSkill, ...] = ()
    terms: tuple[TermContribution, ...] = ()
    parts: dict[str, float] = field(default_factory=dict)
    coverage: Coverage | None = None


@dataclass(frozen=True)
class Candidate:
    """One resume ranked for a listing, explained as a ``Match`` is: terms add up to score."""

    rank: int
    score: float
    resume: str  # the name it was given by (a file path)
    matched: tuple[SkillContribution, ...] = ()
    missing: tuple[MissingSkill, ...] = ()
    terms: tuple[TermContribution, ...] = ()
    parts: dict[str, float] = field(default_factory=dict)
    coverage: Coverage | None = None


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
    warnings: tuple[str, ...] = ()  # why the resume's text may not be trusted ("cv.pdf: ...")
    filters: tuple[str, ...] = ()  # the filters applied, as said to people ("remote only")
    gaps: GapReport | None = None  # the skill gaps over the same matches, when asked for


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
    warnings: tuple[str, ...] = ()  # why a resume's text may not be trusted ("cv.pdf: ...")


@dataclass(frozen=True)
class SkillGap:
    """A skill the resume lacks, and what naming it would do to the resume's best matches.

    Every score is re-computed exactly with the skill named once more in the resume.
    ``gain`` is the mean rise, in score points (0 to 1 scale), of the ``asked_by`` listings
    among the report's matches that ask for the skill (``required_by`` of them require it);
    ``gains`` is the change of every match's score, in the report's order (a listing that does
    not ask for the skill does not change: only the resume's skills part moves); ``relative``
    is the mean of each asking listing's gain over its score before. ``moves``
    holds ``(rank before, rank after)`` among the matches for each listing whose place changes.
    """

    skill: str
    kind: str
    gain: float
    asked_by: int
    gains: tuple[float, ...] = ()
    required_by: int = 0
    moves: tuple[tuple[int, int], ...] = ()
    relative: float = 0.0  # mean of gain / score over the listings that ask for it


@dataclass(frozen=True)
class GapReport:
    """The missing skills ranked by gain over the resume's ``matches``.

    ``gaps`` holds only skills whose addition raises the scores of the listings that ask for
    them; ``not_helping`` counts the missing skills left out because it would not, and
    ``kinds_left_out`` the skills of kinds not asked for (soft skills by default).
    """

    gaps: tuple[SkillGap, ...]
    matches: tuple[Match, ...]
    listings_count: int
    attributions: tuple[str, ...] = ()
    not_helping: int = 0
    kinds_left_out: int = 0
    warnings: tuple[str, ...] = ()  # why the resume's text may not be trusted ("cv.pdf: ...")
    location: str | None = None
    listings_considered: int = 0  # listings left after the filters
    filters: tuple[str, ...] = ()  # the filters applied, as said to people ("remote only")
    duplicates_dropped: int = 0  # listings read but dropped as duplicates (as in MatchReport)
    empty_skipped: int = 0  # listings read but skipped for want of a description


@dataclass(frozen=True)
class AddResult:
    """What ``index add`` (or ``optimize``) did to a saved index."""

    added: int  # listings added
    dropped: int  # listings skipped: their text was in the index or in the files already
    segments: int  # segments the index has now
    fitted: int  # listings its statistics (idf, boilerplate, pivots) were fitted on
    total: int  # listings the index holds now
    merged: int = 0  # segments merged into one (by optimize)

    @property
    def unfitted(self) -> float:
        """The share of the index's listings its statistics were not fitted on (0 to 1)."""
        return 1.0 - self.fitted / self.total if self.total else 0.0


@dataclass(frozen=True)
class IndexInfo:
    """What a saved index holds: counts, settings, vocabulary, format and size on disk."""

    folder: str
    format: str
    version: int
    created: str  # when it was last written, ISO 8601 in UTC ("" if meta.json lacks it)
    listings: int
    terms: int
    nnz: int  # postings: (term, listing) pairs of non-zero weight
    settings: dict[str, Any]  # ``Settings`` as a dict
    vocabulary_source: str | None
    attributions: tuple[str, ...]
    skills: int | None  # skills in its vocabulary (None with skills off)
    segments: tuple[int, ...]  # listings per segment
    fitted: int  # how many leading segments the statistics were fitted on: 1 unless sharded
    files: dict[str, int]  # name -> bytes
    bytes: int
