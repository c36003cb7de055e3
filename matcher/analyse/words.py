"""Words as terms: tokenised as scikit-learn's default ``TfidfVectorizer`` does, stop words,
placeholders and numbers dropped, plurals folded, and word pairs (bigrams) within a phrase.

``Words`` is the analyzer's word side under one ``Settings``; it keeps each word type's form.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from ..settings import Settings

# scikit-learn's default token_pattern, so that plain settings reproduce TfidfVectorizer.
WORD = re.compile(r"(?u)\b\w\w+\b")

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

# Words resume templates leave as placeholders ("Company Name", "City", "State"), and the
# words of date ranges: they say nothing about a job.
PLACEHOLDERS = frozenset(
    """company name city state country date present current month year january february march
    april may june july august september october november december jan feb mar apr jun jul aug
    sep sept oct nov dec""".split()
)


@lru_cache(maxsize=1)
def generic_words() -> frozenset[str]:
    """Return the words of job adverts that say nothing about the job (``Settings.generic_words``):
    ``matcher/data/generic_words.txt``, made by ``tools/generic_words.py`` (read on first use)."""
    # Beside the package's modules, read as a file: importlib.resources costs a query's start.
    text = (Path(__file__).resolve().parent.parent / "data" / "generic_words.txt").read_text(
        encoding="utf-8"
    )
    return frozenset(line for line in text.split("\n") if line and not line.startswith("#"))


# Word pairs never span a sentence end or a line break: "Excel.\nManaged" is no phrase.
_PAIR_BREAK = re.compile(r"[.!?;:](?:\s|$)|\n")
# Words and pair breaks in one pass, for ASCII text (lower-cased: a break is the same there).
_WORD_OR_BREAK = re.compile(r"(?u)\b\w\w+\b|[.!?;:](?:\s|$)|\n")
_BREAK_CHARS = frozenset(".!?;:\n")
# What a break stands for among the word forms (see ``Words._ascii_words``).
_BREAK = "\x00break"
_NOT_PLURAL = frozenset("series species news lens atlas canvas alias bias gas".split())
# Plurals made with -es after a sibilant: "coaches", "boxes", "processes", "businesses".
_ES_PLURAL = ("sses", "ches", "shes", "xes", "zzes")
# ... but these end in -e in the singular: "caches" -> "cache", "niches" -> "niche".
_E_SINGULAR = frozenset("cache niche ache headache moustache avalanche".split())


def singular(word: str) -> str:
    """Return ``word`` without a plural ending: "analysts" -> "analyst", "studies" -> "study".

    "-es" after a sibilant goes whole ("coaches" -> "coach", "processes" -> "process").
    Words ending in -ss, -us, -is or -ics ("business", "status", "analysis", "economics")
    stay, and so do names written with a capital final S ("NeurIPS", "AWS"): see ``Words.unigrams``.
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
# Bound on the word forms kept (see ``Words``).
_WORD_FORMS_KEPT = 1 << 18


class Words:
    """Turns text into word terms under one ``Settings`` (its ``stop_words``, ``placeholders``,
    ``plurals`` and ``bigrams``), keeping each word type's form once worked out."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._filters = (
            settings.stop_words or settings.placeholders or settings.plurals
            or settings.generic_words
        )  # fmt: skip
        # Each word type's form as a term (None: dropped), worked out once (see ``unigrams``).
        self._word_forms: dict[str, str | None] = {}

    def words(self, text: str) -> list[str]:
        """Return the words of ``text`` as terms, a term per occurrence, then its word pairs
        (with ``Settings.bigrams``): pairs never span a sentence end or a line break."""
        if not self.settings.bigrams:
            return self.unigrams(text)
        if self._filters and text.isascii() and "S" not in text:
            return self._ascii_words(text)
        words: list[str] = []
        pairs: list[str] = []
        for segment in _PAIR_BREAK.split(text):
            found = self.unigrams(segment)
            words += found
            pairs += [f"{a} {b}" for a, b in zip(found, found[1:], strict=False)]
        return words + pairs

    def _ascii_words(self, text: str) -> list[str]:
        """Return what ``words`` does, for ASCII text without a capital S (so without names
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
                form = forms[token] = _BREAK if token[0] in _BREAK_CHARS else self._word_form(token)
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

    def unigrams(self, text: str) -> list[str]:
        """Return the words of ``text`` as terms (no pairs), a term per occurrence."""
        words: list[str] = WORD.findall(text.lower())
        settings = self.settings
        if not self._filters:
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
        form = singular(word) if self.settings.plurals else word
        if self.settings.generic_words and not generic_words().isdisjoint((word, form)):
            return None
        return form
