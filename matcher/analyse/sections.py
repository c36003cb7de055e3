"""A listing's sections and sentences: headings and the kind of section each opens, sentences
and their spans, and the wording that makes a sentence legal (pay, equal opportunity) or a wish
("... is a plus"). Each sentence gets the weight of its section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from ..settings import Settings
from .boilerplate import NEVER_BOILERPLATE, word_shingles
from .words import WORD

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


def headings(text: str) -> list[tuple[int, int, str]]:
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
# The kinds of text a sentence can stand in, numbered (see ``index``, which keeps spans).
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
    cuts = headings(text)
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
        word_shingles(WORD.findall(piece.lower()))
        if shingles and kind not in NEVER_BOILERPLATE
        else frozenset()
    )
    return Sentence(piece, weight, kind, triples, preferred)


_SPACE = re.compile(r"\s")


def lead_cut(text: str, share: float) -> int:
    """Return where the lead (``share`` of ``text``) ends: at white space, never inside a word."""
    lead = int(len(text) * share)
    if lead <= 0:
        return 0
    before = max(text.rfind(" ", 0, lead), text.rfind("\n", 0, lead))
    if before > 0:
        return before
    after = _SPACE.search(text, lead)
    return after.start() if after else len(text)
