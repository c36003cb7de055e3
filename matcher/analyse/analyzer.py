"""The ``Analyzer``: text in, index terms out, under one ``Settings``.

A listing's sentences (see ``sections``) give each term the weight of the section it stands in;
sentences that are boilerplate (see ``boilerplate``) weigh nothing. Terms are the vocabulary's
skills, one term each ("machine learning"), then the remaining words (see ``words``), with the
prefixes of ``terms`` that keep the parts of a vector apart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache

from ..models import PART_NUMBER
from ..read.personal import without_person
from ..settings import Settings
from ..skills import SkillVocabulary, builtin_vocabulary
from .boilerplate import NEVER_BOILERPLATE, is_repeated, mostly_repeated, piece_shingles
from .sections import BOILERPLATE_WEIGHT, SECTION_WEIGHTS, Sentence, Span, lead_cut
from .terms import SKILL_PREFIX, TITLE_PREFIX
from .words import Words

# A skill counts as asked for when it appears in text weighted at least this much.
ASKED_MIN_WEIGHT = 0.5
# A sentence's skills as index terms with their counts, its words with theirs, its skills.
_Counts = tuple[tuple[tuple[str, int], ...], tuple[tuple[str, int], ...], tuple[str, ...]]
# Bound on the analyzer's memos: distinct sentences kept.
_SENTENCES_CACHED = 1 << 16


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
        self._uses_title = settings.part_weights()[PART_NUMBER["title"]] > 0
        # Bound once: a call costs what a method's did, with no wrapper in the per-sentence loops.
        self._words = Words(settings).words
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
        wants read, the summary and the latest role. With ``Settings.personal``, what is
        personal (its name, wherever it is repeated, and its contact lines:
        ``read.personal.without_person``) is never a term.
        """
        if self.settings.personal:
            text = without_person(text)[0]
        terms = self._query_terms(text)
        cut = lead_cut(text, self.settings.resume_lead)
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
            if repeated and kind not in NEVER_BOILERPLATE:
                verdict = verdicts.get(piece)
                if verdict is None:
                    verdict = verdicts[piece] = mostly_repeated(piece_shingles(piece), repeated)
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
