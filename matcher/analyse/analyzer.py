"""Stage 2, analyse: text in, weighted terms out.

A listing is split into sections by its headings ("Key job responsibilities", "About the team",
...) and into sentences; each sentence gets the weight of its section, and sentences that are
plainly boilerplate (pay and equal-opportunity statements, a company intro repeated across many
listings) get the boilerplate weight. Terms are skills from the vocabulary (one term each, e.g.
"machine learning") plus the remaining words, tokenised as scikit-learn's default
``TfidfVectorizer`` does, so that with skills and sections switched off the terms are the same.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from ..settings import Settings
from ..skills.vocabulary import SkillVocabulary, builtin_vocabulary

# scikit-learn's default token_pattern, so that plain settings reproduce TfidfVectorizer.
_WORD = re.compile(r"(?u)\b\w\w+\b")

# Function words of English, written for this project: they carry no meaning about a job.
STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each either etc few
    for from further had has have having he her here hers herself him himself his how however i
    if in into is it its itself just may me might more most must my myself no nor not now of off
    on once only or other our ours ourselves out over own per same shall she should so some such
    than that the their theirs them themselves then there these they this those through thus to
    too under until up upon us very via was we were what when where whether which while who
    whom whose why will with within without would yet you your yours yourself yourselves
    ll re ve one two three four five six seven eight nine ten
    """.split()
)

# Section weights. Requirements and responsibilities say what the job needs; the role summary
# and the text before the first heading describe it more loosely; team and company text barely.
SECTION_WEIGHTS = {
    "requirements": 1.0,
    "preferred": 0.75,
    "responsibilities": 1.0,
    "role": 0.75,
    "intro": 0.5,
    "team": 0.4,
    "company": 0.1,
}
# Boilerplate says nothing about the job: it is left out of the listing's vector.
BOILERPLATE_WEIGHT = 0.0
# A skill counts as asked for when it appears in text weighted at least this much.
ASKED_MIN_WEIGHT = 0.5

_HEADINGS = {
    "requirements": """basic qualifications|minimum qualifications|required qualifications|
        qualifications|requirements|position requirements|
        job requirements|key requirements|what you'll need|what you need|what you will need|
        what we're looking for|what we are looking for|who you are|skills and experience|
        required skills|must haves?|must-haves?|your profile|essential criteria|essential|
        about you|what you bring|you bring|you have|competencies|technology skills|
        technical skills|tools and technology""",
    # Skills asked for under these count as preferred, not required.
    "preferred": """preferred qualifications|desired qualifications|desirable qualifications|
        preferred skills|desired skills|desirable skills|desirable criteria|desirable|
        nice to haves?|nice-to-haves?|bonus points|bonus|pluses|preferred experience""",
    "responsibilities": """key job responsibilities|job responsibilities|key responsibilities|
        responsibilities|position responsibilities|role responsibilities|your responsibilities|
        what you'll do|what you will do|what you'll be doing|duties|job duties|main duties|
        your impact|tasks|main tasks|key tasks""",
    "role": """the role|about the role|about this role|role overview|a day in the life|
        job summary|position summary|job description|position overview|role description|
        the opportunity|overview|summary""",
    "team": """about the team|about our team|the team|team overview|meet the team|our team""",
    "company": """about us|who we are|about the company|our company|company overview|
        why join us|why work here|benefits|perks|what we offer|our benefits|compensation|
        pay transparency|equal opportunity|equal employment opportunity|eeo statement|
        export control requirements?|export control|diversity and inclusion|our commitment|
        inclusive team culture|work/life balance|mentorship (?:&|and) career growth|
        about [a-z][\\w&.]*(?: [a-z][\\w&.]*)?""",
}


class _ListingPatterns(NamedTuple):
    """The patterns only listings need (headings, legal and preferred wording): compiled on
    first use, as a query analyses a resume without them (~10 ms of start-up, issue 12)."""

    heading_kinds: dict[str, re.Pattern[str]]
    phrase_at: re.Pattern[str]  # every heading phrase, tried where a word starts capitalised
    capitalised: re.Pattern[str]  # where a heading may start
    legal: re.Pattern[str]
    preferred: re.Pattern[str]


@lru_cache(maxsize=1)
def _listing_patterns() -> _ListingPatterns:
    heading_kinds = {
        kind: re.compile("|".join(p.strip() for p in phrases.split("|")), re.IGNORECASE)
        for kind, phrases in _HEADINGS.items()
    }
    # Every heading phrase, tried only where a word starts with a capital letter.
    phrase_at = re.compile(
        "(?i:" + "|".join(f"(?:{p.pattern})" for p in heading_kinds.values()) + r")(?![\w'])"
    )
    # Where a heading may start: a capital opening a word that is the first word of a heading
    # phrase (splitting on every "|" finds them all, and a few more). Other capitalised words,
    # most of them, are passed over without trying every phrase at each. A letter beyond ASCII
    # after the word is let through: ignoring case, "\u212a" (Kelvin) matches "k" in a phrase.
    # The pattern opens with the capital itself, so that the search skips from capital to
    # capital.
    first_words: dict[str, list[str]] = {}
    for word in sorted(
        {
            re.match(r"(?:\(\?:)?([a-z]+)", phrase.strip()).group(1)  # type: ignore[union-attr]
            for phrases in _HEADINGS.values()
            for phrase in phrases.split("|")
        },
        key=lambda word: (-len(word), word),
    ):
        first_words.setdefault(word[0].upper(), []).append(word[1:])
    capitalised = re.compile(
        r"[A-Z](?<![\w'].)(?:(?:"
        + "|".join(f"(?<={first})(?i:{'|'.join(rests)})" for first, rests in first_words.items())
        + r")(?![A-Za-z])|[A-Za-z]*(?=[^\x00-\x7f]))"
    )
    return _ListingPatterns(
        heading_kinds, phrase_at, capitalised, re.compile(_LEGAL), re.compile(_PREFERRED)
    )


_CAPITALS_RUN = re.compile(r"[A-Z][A-Z/&'.]*(?: [A-Z][A-Z/&'.]*)*(?![\w'])")
_AFTER_HEADING = re.compile(r"\s*\n|\s+[A-Z0-9\u2022*\-\u2013]")
_COLON_AFTER = re.compile(r"\s*:")
_SENTENCE_END_BEFORE = re.compile(r"[.!?]\s$")
_RUN_ON_BEFORE = re.compile(r"[a-z0-9)] $")


# No heading is longer: a run of capitals is looked at this far, so that a long one costs
# the same at each of its words, not its whole length again (quadratic).
_HEADING_MAX = 120


def _heading_kind(heading: str) -> str:
    """Return the kind of section a heading opens, or "" if it is no heading."""
    kinds = _listing_patterns().heading_kinds.items()
    return next((k for k, pattern in kinds if pattern.fullmatch(heading)), "")


def _headings(text: str) -> list[tuple[int, int, str]]:
    """Return (start, end, kind) of each heading in ``text``.

    A heading is recognised four ways, so that one inside a sentence ("tell us about the team
    you led") is not: followed by a colon; written in capitals; opening a sentence and followed
    by a capital, a digit or a bullet; or, for headings of several words other than company
    ones ("an Equal Opportunity Employer"), capitalised straight after a lower-case word, as
    when a bulleted list was flattened into one line ("... journals About the team Our ...").
    """
    found = []
    last_end = 0
    patterns = _listing_patterns()
    for capital in patterns.capitalised.finditer(text):
        start = capital.start()
        if start < last_end:
            continue
        after_space = start == 0 or text[start - 1].isspace()
        capitals = _CAPITALS_RUN.match(text, start, start + _HEADING_MAX)
        if capitals and capitals.end() == start + _HEADING_MAX:
            capitals = None  # too long to be a heading (and perhaps cut short by the window)
        if after_space and capitals and len(capitals.group()) > 1:
            kind = _heading_kind(capitals.group())
            if kind:
                found.append((start, capitals.end(), kind))
                last_end = capitals.end()
                continue
        phrase = patterns.phrase_at.match(text, start)
        if phrase is None:
            continue
        end = phrase.end()
        heading = phrase.group()
        kind = _heading_kind(heading)
        before = text[max(0, start - 2) : start]
        if (
            (after_space and _COLON_AFTER.match(text, end))
            or (
                (start == 0 or text[start - 1] == "\n" or _SENTENCE_END_BEFORE.search(before))
                and _AFTER_HEADING.match(text, end)
            )
            or (
                kind != "company"
                and " " in heading
                and heading.split(" ", 1)[0][1:].islower()
                and _RUN_ON_BEFORE.search(before)
                and _AFTER_HEADING.match(text, end)
                and not text.startswith("\n", end)
            )
        ):
            found.append((start, end, kind))
            last_end = end
    return found


# Sentence ends, and bullets run into one line ("... tests • Develop ...", "... - Design ...").
# Every break but the first starts where a run of spaces does ("(?<!\s)"): tried inside a
# long run, each alternative would scan to its end again, which is quadratic in its length.
# Every break starts with white space: "(?=\s)" says so first, which rejects the other positions
# at once instead of after trying each alternative there.
_SENTENCE_BREAK = re.compile(
    r"(?=\s)(?:(?<=[.!?])\s+(?=\S)|(?<!\s)(?:\s*\n\s*|\s+[\u2022*]\s+|\s+[-\u2013]\s+(?=[A-Z])))"
)
_SENTENCE_SPLIT = re.compile(f"({_SENTENCE_BREAK.pattern})")
# What a sentence's start is stripped of, after white space (bullets, dashes, colons).
_LEADS = ":-\u2013\u2022* "
# Sentences that are pay, benefits or legal statements wherever they stand. Searched in
# lower-cased text: that is four times faster than a case-insensitive pattern.
_LEGAL = (
    r"equal (?:employment )?opportunity|affirmative action|salary range|pay range"
    r"|total compensation|compensation package|reasonable accommodation|for more information, visit"
    r"|export control laws|\$\d[\d,]*(?:\.\d+)?\s*(?:/|per)\s*(?:year|hour)|employee-benefits"
)
# Every match of _LEGAL holds one of these: a text without them is searched no further.
_LEGAL_HINTS = (
    "equal ", "affirmative", "range", "compensation", "accommodation", "for more information",
    "export control", "$", "employee-benefits",
)  # fmt: skip
# A requirement worded as a wish: the skills it names are preferred, not required.
_PREFERRED = (
    r"\b(?:preferred|preferably|a plus|nice to have|nice-to-have|desirable|desired|bonus"
    r"|advantageous|an advantage|ideally|is a benefit|would be beneficial)\b"
)
# Every match of _PREFERRED holds one of these (a substring test costs far less than a search).
_PREFERRED_HINTS = ("prefer", "plus", "nice", "desir", "bonus", "advantage", "ideally", "benefi")
# Text repeated across listings is found by word triples ("shingles"): a sentence is
# boilerplate when at least this share of its triples stand in many listings, so a company
# intro still counts as repeated where one listing edited a word or two of it.
# Requirements and responsibilities are never treated so: a requirement many listings share
# ("a degree in computer science") is still a requirement.
_SHINGLE_WORDS = 3
_REPEATED_SHARE = 0.5
_MIN_SHINGLES = 6
_NEVER_BOILERPLATE = ("requirements", "preferred", "responsibilities", "title")


@dataclass(frozen=True)
class Sentence:
    """A piece of a listing with the weight of the section it stands in."""

    text: str
    weight: float
    kind: str  # the section it stands in: a key of SECTION_WEIGHTS, or "body" without headings
    shingles: frozenset[int]  # hashed word triples, for spotting text repeated across listings
    preferred: bool = False  # in a preferred section, or worded so ("... is a plus")


# Where a sentence stands in its text and what it is: (start, end, kind, legal, preferred), so
# that ``text[start:end]`` is the sentence and ``legal`` says it is a pay or legal statement.
Span = tuple[int, int, str, bool, bool]
# The kinds of text a sentence can stand in, numbered (see ``index.py``, which keeps spans).
KINDS = ("body", "intro", *_HEADINGS)


def sentences(text: str, settings: Settings) -> list[Sentence]:
    """Return ``text`` cut into weighted sentences (one of weight 1 when sections are off)."""
    if not settings.sections:
        return [Sentence(text, 1.0, "body", frozenset())]
    return [sentence_at(text, span) for span in sentence_spans(text)]


def sentence_spans(text: str) -> list[Span]:
    """Return where each sentence of ``text`` stands, as ``sentences`` cuts it with sections on.

    The work of cutting (headings, breaks, legal and preferred wording) is done here once:
    ``sentence_at`` then makes a sentence from its span at the cost of a slice.
    """
    cuts = _headings(text)
    legal_at, preferred_at = _listing_patterns().legal, _listing_patterns().preferred
    lowered = text.lower()
    any_legal = _holds(lowered, _LEGAL_HINTS) and legal_at.search(lowered) is not None
    # Where lower-casing moved no character, a sentence's lower-cased text is a slice of the
    # text's: a hint is looked for there without making it, and only hints the text holds.
    aligned = len(lowered) == len(text)
    wishes = tuple(h for h in _PREFERRED_HINTS if h in lowered) if aligned else _PREFERRED_HINTS
    parts: list[tuple[int, int, str]] = []
    if not cuts:
        parts.append((0, len(text), "body"))
    else:
        parts.append((0, cuts[0][0], "intro"))
        for (_, end, kind), nxt in zip(cuts, [c[0] for c in cuts[1:]] + [len(text)], strict=True):
            parts.append((end, nxt, kind))
    result: list[Span] = []
    for part_start, part_end, kind in parts:
        # The pieces re.split gives, with the breaks between them (the pattern is a group).
        chunks = _SENTENCE_SPLIT.split(text[part_start:part_end])
        chunks.append("")
        at = part_start
        for raw, cut in zip(chunks[0::2], chunks[1::2], strict=True):
            start = at
            at += len(raw) + len(cut)
            if raw and raw[0] not in _LEADS and not raw[0].isspace() and not raw[-1].isspace():
                piece = raw  # nothing to strip, as most sentences
            else:
                stripped = raw.strip()
                start += len(raw) - len(raw.lstrip())
                lead = stripped.lstrip(_LEADS)
                piece = lead.strip()
                if not piece:
                    continue
                start += len(stripped) - len(lead) + len(lead) - len(lead.lstrip())
            end = start + len(piece)
            legal = any_legal and legal_at.search(piece.lower()) is not None
            if kind == "preferred":
                preferred = True
            elif aligned:
                preferred = (
                    _holds_at(lowered, wishes, start, end)
                    and preferred_at.search(piece.lower()) is not None
                )
            else:
                lower = piece.lower()
                preferred = _holds(lower, wishes) and preferred_at.search(lower) is not None
            result.append((start, end, kind, legal, preferred))
    return result


def _holds_at(text: str, hints: tuple[str, ...], start: int, end: int) -> bool:
    """Return whether ``text[start:end]`` holds any of ``hints`` (without making the slice)."""
    for hint in hints:
        if text.find(hint, start, end) >= 0:
            return True
    return False


def _holds(text: str, hints: tuple[str, ...]) -> bool:
    """Return whether ``text`` holds any of ``hints``."""
    for hint in hints:
        if hint in text:
            return True
    return False


def sentence_at(text: str, span: Span, shingles: bool = True) -> Sentence:
    """Return the sentence of ``text`` at ``span`` (see ``sentence_spans``), weighted.

    ``shingles=False`` leaves its word triples out: they matter only to find boilerplate.
    """
    start, end, kind, legal, preferred = span
    piece = text[start:end]
    weight = SECTION_WEIGHTS.get(kind, 1.0)
    if legal:
        weight = min(weight, BOILERPLATE_WEIGHT)
    triples = (
        _shingles(_WORD.findall(piece.lower()))
        if shingles and kind not in _NEVER_BOILERPLATE
        else frozenset()
    )
    return Sentence(piece, weight, kind, triples, preferred)


def sentence_shingles(text: str, span: Span) -> tuple[int, ...]:
    """Return the hashed word triples of the sentence of ``text`` at ``span``, each once, as
    ``sentence_at(text, span).shingles`` holds them: none where its kind is never boilerplate."""
    if span[2] in _NEVER_BOILERPLATE:
        return ()
    return _piece_shingles(text[span[0] : span[1]])


# Listings repeat sentences: the triples of distinct ones are kept, up to this many sentences,
# in a plain dict of tuples, which the garbage collector soon stops looking at (a frozenset or
# an lru_cache entry it visits on every full collection).
_SHINGLES_KEPT = 1 << 17
_SHINGLES_OF: dict[str, tuple[int, ...]] = {}


def _piece_shingles(piece: str) -> tuple[int, ...]:
    """Return the distinct hashed word triples of a sentence, in no order."""
    found = _SHINGLES_OF.get(piece)
    if found is None:
        if len(_SHINGLES_OF) >= _SHINGLES_KEPT:
            _SHINGLES_OF.clear()
        found = _SHINGLES_OF[piece] = tuple(_shingles(_WORD.findall(piece.lower())))
    return found


def _shingles(words: list[str]) -> frozenset[int]:
    if len(words) < _SHINGLE_WORDS + _MIN_SHINGLES - 1:
        return frozenset()
    keys = list(map(word_key, words))
    # A triple's key mixes its words' keys; made by zip, not slicing.
    triples = zip(keys, keys[1:], keys[2:], strict=False)
    return frozenset([(a * _MIX_A + b * _MIX_B + c) & _KEY_MASK for a, b, c in triples])


# Word triples are keyed the same in every process and on every machine, unlike ``hash``
# (randomised per process for text): an index keeps its repeated triples, so that listings
# added later, or analysed on other machines, are judged by the same boilerplate.
_KEY_MASK = (1 << 63) - 1  # keys fit numpy's int64
_MIX_A = 0x9E3779B97F4A7C15  # odd 64-bit constants (the golden ratio's and xxHash's)
_MIX_B = 0xC2B2AE3D27D4EB4F


@lru_cache(maxsize=1 << 18)
def word_key(word: str) -> int:
    """Return a word's stable 64-bit key: the first 8 bytes of its BLAKE2b digest."""
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")


def repeated_shingles(documents: Iterable[list[Sentence]], min_documents: int) -> set[int]:
    """Return the word triples found in at least ``min_documents`` of the documents."""
    counts: Counter[int] = Counter()
    for document in documents:
        counts.update(frozenset().union(*(s.shingles for s in document)))
    return {shingle for shingle, n in counts.items() if n >= min_documents}


def is_repeated(sentence: Sentence, repeated: set[int]) -> bool:
    """Return whether most of a sentence's word triples are repeated across listings."""
    return _mostly_repeated(sentence.shingles, repeated)


def _mostly_repeated(shingles: Collection[int], repeated: set[int]) -> bool:
    """``shingles`` holds each triple once."""
    if not shingles or not repeated:
        return False
    return len(repeated.intersection(shingles)) >= _REPEATED_SHARE * len(shingles)


# Words resume templates leave as placeholders ("Company Name", "City", "State"), and the
# words of date ranges: they say nothing about a job.
PLACEHOLDERS = frozenset(
    """company name city state country date present current month year january february march
    april may june july august september october november december jan feb mar apr jun jul aug
    sep sept oct nov dec""".split()
)
# Word pairs never span a sentence end or a line break: "Excel.\nManaged" is no phrase.
_PAIR_BREAK = re.compile(r"[.!?;:](?:\s|$)|\n")
# Words and pair breaks in one pass, for ASCII text (lower-cased: a break is the same there).
_WORD_OR_BREAK = re.compile(r"(?u)\b\w\w+\b|[.!?;:](?:\s|$)|\n")
_BREAK_CHARS = frozenset(".!?;:\n")
# What a break stands for among the word forms (see ``Analyzer._ascii_words``).
_BREAK = "\x00break"
_NOT_PLURAL = frozenset("series species news lens atlas canvas alias bias gas".split())
# Plurals made with -es after a sibilant: "coaches", "boxes", "processes", "businesses".
_ES_PLURAL = ("sses", "ches", "shes", "xes", "zzes")
# ... but these end in -e in the singular: "caches" -> "cache", "niches" -> "niche".
_E_SINGULAR = frozenset("cache niche ache headache moustache avalanche".split())


def _singular(word: str) -> str:
    """Return ``word`` without a plural ending: "analysts" -> "analyst", "studies" -> "study".

    "-es" after a sibilant goes whole ("coaches" -> "coach", "processes" -> "process").
    Words ending in -ss, -us, -is or -ics ("business", "status", "analysis", "economics")
    stay, and so do names written with a capital final S ("NeurIPS", "AWS"): see ``_words``.
    """
    if len(word) <= 3 or not word.endswith("s") or word.endswith(("ss", "us", "is", "ics")):
        return word
    if word in _NOT_PLURAL:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(_ES_PLURAL) and word[:-1] not in _E_SINGULAR:
        return word[:-2]
    return word[:-1]


# A token that ends in a capital S after a lower-case letter is a name, not a plural.
_CAPITAL_S_NAME = re.compile(r"(?u)\b\w*[a-z]\w*S\b")

# Where each part's terms are kept apart in the index: words and word pairs carry no prefix
# (so plain settings give scikit-learn's terms), skills and title words carry these.
SKILL_PREFIX = "skill:"
TITLE_PREFIX = "title:"
_PART_OF_PREFIX = {SKILL_PREFIX: 0, TITLE_PREFIX: 1}


def term_part(key: str) -> int:
    """Return the part (an index into ``models.PARTS``) an index term belongs to."""
    head = key[: key.find(":") + 1]
    return _PART_OF_PREFIX.get(head, 2) if head else 2


def term_text(key: str) -> str:
    """Return an index term as a person reads it: the skill or the words, without a prefix."""
    part = term_part(key)
    return key if part == 2 else key[len(SKILL_PREFIX if part == 0 else TITLE_PREFIX) :]


_SPACE = re.compile(r"\s")
# A sentence's skills as index terms with their counts, its words with theirs, its skills.
_Counts = tuple[tuple[tuple[str, int], ...], tuple[tuple[str, int], ...], tuple[str, ...]]
# Bounds on the analyzer's memos: distinct sentences kept, word types kept.
_SENTENCES_CACHED = 1 << 16
_WORD_FORMS_KEPT = 1 << 18


def _lead_cut(text: str, share: float) -> int:
    """Return where the lead (``share`` of ``text``) ends: at white space, never inside a word."""
    lead = int(len(text) * share)
    if lead <= 0:
        return 0
    before = max(text.rfind(" ", 0, lead), text.rfind("\n", 0, lead))
    if before > 0:
        return before
    after = _SPACE.search(text, lead)
    return after.start() if after else len(text)


class Analyzer:
    """Turns text into terms under one ``Settings``: skills first, then ordinary words."""

    def __init__(
        self,
        settings: Settings,
        vocabulary: SkillVocabulary | Callable[[], SkillVocabulary] | None = None,
    ) -> None:
        """``vocabulary`` may be a function that makes it, called when it is first needed."""
        self.settings = settings
        self._vocabulary: SkillVocabulary | None = None
        self._make: Callable[[], SkillVocabulary] | None = None
        if settings.skills:
            if isinstance(vocabulary, SkillVocabulary):
                self._vocabulary = vocabulary
            else:
                self._make = vocabulary or builtin_vocabulary
        self._uses_title = settings.part_weights()[1] > 0
        self._filters = settings.stop_words or settings.placeholders or settings.plurals
        # Each word type's form as a term (None: dropped), worked out once (see ``_unigrams``).
        self._word_forms: dict[str, str | None] = {}
        # Listings repeat sentences (a trust's intro, the same requirements): each distinct
        # sentence is analysed once while it is among the last ones seen.
        self._sentence_terms = lru_cache(maxsize=_SENTENCES_CACHED)(self._split)
        # The same, counted and prefixed as index terms, for ``listing_terms_at``: a plain dict
        # of tuples, emptied when full, which the garbage collector soon stops looking at.
        self._sentence_counts: dict[str, _Counts] = {}
        # Whether each sentence is mostly repeated triples, under the set of ``_verdicts_of``.
        self._verdicts: dict[str, bool] = {}
        self._verdicts_of: set[int] | None = None

    @property
    def vocabulary(self) -> SkillVocabulary | None:
        """The skill vocabulary (None with skills off), made on first use if it was deferred."""
        if self._make is not None:
            self._vocabulary, self._make = self._make(), None
        return self._vocabulary

    def terms(self, text: str) -> list[str]:
        """Return the skills and words of ``text`` in order, a term per occurrence, no prefixes."""
        skills, words = self._split(text)
        return [*skills, *words]

    def query_terms(self, text: str) -> list[str]:
        """Return a resume's index terms (with part prefixes), a term per occurrence.

        Its skills go to the skills part; its words (skills' words included) to the title part,
        to meet listings' title words; the words outside skills to the words part. The terms of
        its lead (``Settings.resume_lead``) count twice: a resume opens with what its writer
        wants read, the summary and the latest role.
        """
        terms = self._query_terms(text)
        cut = _lead_cut(text, self.settings.resume_lead)
        if cut > 0:
            terms += self._query_terms(text[:cut])
        return terms

    def _query_terms(self, text: str) -> list[str]:
        skills, words = self._split(text)
        terms = [SKILL_PREFIX + skill for skill in skills] + list(words)
        if self._uses_title:
            terms += [TITLE_PREFIX + word for word in self._words(text)]
        return terms

    def skill_terms(self, text: str) -> list[str]:
        """Return the skills named in ``text``, a name per occurrence."""
        return list(self._split(text)[0])

    def _split(self, text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Return the skills in ``text`` (with those a skill's words name inside it, see
        ``SkillVocabulary.implied``) and the words of what is left once they are cut out."""
        if self.vocabulary is None:
            return (), tuple(self._words(text))
        skills: list[str] = []
        rest: list[str] = []
        last = 0
        keep_words = self.settings.skill_words
        vocabulary = self.vocabulary
        for hit in vocabulary.find(text):
            skills.append(hit.skill.name)
            skills += vocabulary.implied(hit, text)
            if not keep_words:
                rest.append(text[last : hit.start])
                last = hit.end
        rest.append(text[last:])
        return tuple(skills), tuple(self._words(" ".join(rest)))

    def _words(self, text: str) -> list[str]:
        if not self.settings.bigrams:
            return self._unigrams(text)
        if self._filters and text.isascii() and "S" not in text:
            return self._ascii_words(text)
        words: list[str] = []
        pairs: list[str] = []
        for segment in _PAIR_BREAK.split(text):
            found = self._unigrams(segment)
            words += found
            pairs += [f"{a} {b}" for a, b in zip(found, found[1:], strict=False)]
        return words + pairs

    def _ascii_words(self, text: str) -> list[str]:
        """Return what ``_words`` does, for ASCII text without a capital S (so without names
        that keep their final S): words and breaks from one findall, pairs made as they come."""
        forms = self._word_forms
        if len(forms) > _WORD_FORMS_KEPT:
            forms.clear()
        words: list[str] = []
        pairs: list[str] = []
        last = None  # the word before, within the segment between two breaks
        for token in _WORD_OR_BREAK.findall(text.lower()):
            try:
                form = forms[token]
            except KeyError:
                form = forms[token] = (
                    _BREAK if token[0] in _BREAK_CHARS else self._word_form(token)
                )
            if form is None:
                continue
            if form is _BREAK:
                last = None
                continue
            words.append(form)
            if last is not None:
                pairs.append(f"{last} {form}")
            last = form
        return words + pairs

    def _unigrams(self, text: str) -> list[str]:
        words: list[str] = _WORD.findall(text.lower())
        settings = self.settings
        if not (settings.stop_words or settings.placeholders or settings.plurals):
            return words
        names = (
            {m.lower() for m in _CAPITAL_S_NAME.findall(text)}
            if settings.plurals and "S" in text
            else ()
        )
        forms = self._word_forms
        if len(forms) > _WORD_FORMS_KEPT:
            forms.clear()
        out = []
        for word in words:
            try:
                form = forms[word]
            except KeyError:  # rare once the common words are in
                form = forms[word] = self._word_form(word)
            if form is not None:
                out.append(word if word in names else form)
        return out

    def _word_form(self, word: str) -> str | None:
        """Return a word as a term (plural folded), or None when the settings drop it."""
        if self.settings.stop_words and (word in STOP_WORDS or word.isdigit()):
            return None  # numbers too: "2019", "000" say nothing about a job
        if self.settings.placeholders and word in PLACEHOLDERS:
            return None
        return _singular(word) if self.settings.plurals else word

    def listing_terms(
        self,
        document: list[Sentence],
        title: str | None = None,
        repeated: set[int] | None = None,
    ) -> tuple[dict[str, float], dict[str, bool]]:
        """Return each index term's summed weight in a listing, and the skills it asks for.

        ``document`` is the listing's sentences (see ``sentences``); ``title`` its title,
        whose words make the title part and whose skills count as required. Sentences made
        mostly of ``repeated`` word triples (see ``repeated_shingles``) weigh no more than
        boilerplate. The asked skills map to True when required, False when only preferred
        (``Sentence.preferred``); a skill counts as asked in text weighted at least
        ``ASKED_MIN_WEIGHT``. Skills asked only as preferred weigh
        ``Settings.preferred_weight`` of a required one.
        """
        weights: dict[str, float] = {}
        asked: dict[str, bool] = {}
        preferred_weight = self.settings.preferred_weight
        if title:
            self._title_terms(title, weights, asked)
        for sentence in document:
            weight = sentence.weight
            if repeated is not None and is_repeated(sentence, repeated):
                weight = min(weight, BOILERPLATE_WEIGHT)
            if weight <= 0.0:
                continue
            skills, words = self._sentence_terms(sentence.text)
            skill_weight = weight * (preferred_weight if sentence.preferred else 1.0)
            for skill in skills:
                key = SKILL_PREFIX + skill
                weights[key] = weights.get(key, 0.0) + skill_weight
            for term in words:
                weights[term] = weights.get(term, 0.0) + weight
            if weight >= ASKED_MIN_WEIGHT:
                for skill in skills:
                    asked[skill] = asked.get(skill, False) or not sentence.preferred
        return weights, asked

    def _title_terms(self, title: str, weights: dict[str, float], asked: dict[str, bool]) -> None:
        """Add a listing's title words and skills to its term weights, its skills as required."""
        if self._uses_title:
            for word in self._words(title):
                key = TITLE_PREFIX + word
                weights[key] = weights.get(key, 0.0) + 1.0
        for skill in self.skill_terms(title):
            key = SKILL_PREFIX + skill
            weights[key] = weights.get(key, 0.0) + 1.0
            asked[skill] = True

    def listing_terms_at(
        self,
        text: str,
        spans: Iterable[Span],
        title: str | None = None,
        repeated: set[int] | None = None,
    ) -> tuple[dict[str, float], dict[str, bool]]:
        """Return what ``listing_terms`` returns for the sentences of ``text`` at ``spans``
        (see ``sentence_spans``), the same floats in the same order, at less cost.

        No sentence objects are made: each distinct sentence's terms are counted once, and
        whether it is repeated is worked out once for each ``repeated`` set. A term found
        ``c`` times in a sentence of weight ``w`` gets ``c * w`` in one addition where that
        is exact (``w`` and the sum so far multiples of 2**-10), else ``w`` ``c`` times, so
        that every sum is the one ``listing_terms`` makes.
        """
        weights: dict[str, float] = {}
        asked: dict[str, bool] = {}
        preferred_weight = self.settings.preferred_weight
        if title:
            self._title_terms(title, weights, asked)
        if repeated is not self._verdicts_of or len(self._verdicts) > _SENTENCES_CACHED:
            self._verdicts, self._verdicts_of = {}, repeated
        verdicts = self._verdicts
        counted = self._sentence_counts
        if len(counted) > _SENTENCES_CACHED:
            counted.clear()
        for start, end, kind, legal, preferred in spans:
            weight = SECTION_WEIGHTS.get(kind, 1.0)
            if legal:
                weight = min(weight, BOILERPLATE_WEIGHT)
            if weight <= 0.0:
                continue
            piece = text[start:end]
            if repeated and kind not in _NEVER_BOILERPLATE:
                verdict = verdicts.get(piece)
                if verdict is None:
                    verdict = verdicts[piece] = _mostly_repeated(_piece_shingles(piece), repeated)
                if verdict:
                    weight = min(weight, BOILERPLATE_WEIGHT)
                    if weight <= 0.0:
                        continue
            found = counted.get(piece)
            if found is None:
                found = counted[piece] = self._counts(piece)
            skills, words, distinct = found
            if skills:
                _add_counts(weights, skills, weight * (preferred_weight if preferred else 1.0))
            _add_counts(weights, words, weight)
            if weight >= ASKED_MIN_WEIGHT:
                for skill in distinct:
                    asked[skill] = asked.get(skill, False) or not preferred
        return weights, asked

    def _counts(self, text: str) -> _Counts:
        """Return a sentence's skills as index terms and its words, each with its count, in
        the order each first occurs, and its distinct skills."""
        skills, words = self._split(text)
        found = Counter(skills)
        return (
            tuple((SKILL_PREFIX + skill, n) for skill, n in found.items()),
            tuple(Counter(words).items()),
            tuple(found),
        )


def _add_counts(weights: dict[str, float], counts: Iterable[tuple[str, int]], w: float) -> None:
    """Add ``w`` to ``weights[key]`` ``n`` times for each (key, n), as one addition where the
    result is bit for bit the same (see ``Analyzer.listing_terms_at``)."""
    get = weights.get
    on_grid = (w * 1024.0).is_integer()
    for key, n in counts:
        total = get(key, 0.0)
        if n == 1:
            weights[key] = total + w
        elif on_grid and (total * 1024.0).is_integer():
            weights[key] = total + w * n  # every partial sum is exact: one addition is the same
        else:
            for _ in range(n):
                total += w
            weights[key] = total
