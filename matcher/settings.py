"""How text becomes vectors: ``Settings``, checked when made, and the weights of the parts.

A bad value is refused when the settings are built (``ValueError`` naming the field and what
it may be), never later as a damaged index or a strange score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

from .models import PARTS


@dataclass(frozen=True)
class Settings:
    """How text becomes TF-IDF vectors. The defaults are matcher's; ``plain()`` is scikit-learn's.

    A vector is made of parts (``models.PARTS``): the skills, the words of a listing's title,
    and the other words. Each part is L2-normalised on its own and scaled by the square root of
    its weight, so a score is ``sum(weight_p * cosine_p)``: in [0, 1], still one dot product,
    and still an exact sum of per-term contributions. The resume's words stand in both the
    title part and the words part; its skills in the skills part.

    Each default was kept because it scored better on the relevance benchmark
    (``benchmarks/relevance.py``; the parts' weights by the grid of ``benchmarks/parts.py``;
    figures in ``benchmarks/README.md``).

    - ``skills``: skills from the vocabulary ("machine learning", "JS") become one term each,
      in the skills part; ``skill_words`` keeps their words as ordinary terms too.
    - ``skill_part``, ``title_part``, ``word_part``: the parts' weights (any scale, >= 0; they
      are divided by their sum over the parts in use: skills need ``skills``).
    - ``preferred_weight`` (0 to 1): a skill asked for only as preferred ("nice to have", "a
      plus") weighs this much of a required one in the listing's skills part.
    - ``skill_pivot`` (>= 0): a listing's skills part whose norm is below this many times the
      median listing's is divided by that floor, so naming one or two skills is weak evidence.
    - ``query_pivot`` (>= 0): likewise for the resume's parts, against this many times the
      median listing's (the words part's for its title and words): a resume of a few words,
      such as a bare job title, cannot reach a full cosine. Both are pivoted normalisation
      (Singhal, Buckley and Mitra, SIGIR 1996); with them a part's norm can stay below its
      weight's square root, so a score stays within [0, 1].
    - ``sections``: listing text is weighted by section (requirements above company intros) and
      boilerplate repeated across ``boilerplate_min_listings`` (>= 1) listings is left out.
    - ``stop_words``: English function words are dropped.
    - ``sublinear_tf``: a term's weight grows with the log of its count, not the count.
    - ``bigrams``: pairs of neighbouring words ("financial statements") are terms too.
    - ``plurals``: plural words are folded to their singular ("accountants" -> "accountant").
    - ``placeholders``: words that resume templates leave as placeholders or that date
      entries ("Company Name", "City", "State", month names) are dropped.
    - ``resume_lead`` (0 to 1): the terms in this share of a resume, from its start, count twice.
    - ``generic_words``: the words of job adverts that say nothing about the job ("experience",
      "team", "year", "ability": ``matcher/data/generic_words.txt``, learned from postings of
      two unrelated trades by ``tools/generic_words.py``) are dropped as stop words are.
    - ``personal``: a resume's name (wherever it is repeated) and contact lines are never
      terms (``read.personal.without_person``): a name is never evidence.
    - ``generic_share`` (0 to 1): in an index of at least ``generic_min_listings`` (>= 1)
      listings, a word of their text (a term of a ``Part.drop_common`` part) held by more than
      this share of them carries no weight: it is left out of the index, so the pile's own
      advert language is learned from its statistics. 1: off.

    Raises ``ValueError`` naming the field when a value is of the wrong type or out of range,
    or when no part in use has a positive weight.
    """

    skills: bool = True
    skill_words: bool = False
    sections: bool = True
    stop_words: bool = True
    sublinear_tf: bool = True
    boilerplate_min_listings: int = 3
    skill_part: float = 0.2
    title_part: float = 0.15
    word_part: float = 0.65
    preferred_weight: float = 0.5
    skill_pivot: float = 1.5
    query_pivot: float = 0.5
    bigrams: bool = True
    plurals: bool = True
    placeholders: bool = True
    resume_lead: float = 1 / 3
    generic_words: bool = True
    personal: bool = True
    generic_share: float = 0.25
    generic_min_listings: int = 10

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.type == "bool" and not isinstance(value, bool):
                raise ValueError(f"Settings.{f.name} must be True or False, got {value!r}")
            if f.type == "float" and (
                isinstance(value, bool) or not isinstance(value, (int, float))
                or not math.isfinite(value)
            ):  # fmt: skip
                raise ValueError(f"Settings.{f.name} must be a finite number, got {value!r}")
        for name in ("boilerplate_min_listings", "generic_min_listings"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"Settings.{name} must be a whole number >= 1, got {value!r}")
        for name, low, high in _RANGES:
            value = getattr(self, name)
            if not low <= value <= high:
                allowed = f">= {low}" if high == math.inf else f"from {low} to {high}"
                raise ValueError(f"Settings.{name} must be {allowed}, got {value!r}")
        if sum(self._raw_weights()) <= 0:
            used = ", ".join(part.weight for part in PARTS if self._uses(part))
            raise ValueError(f"Settings: one part in use must weigh more than 0 ({used})")

    def _uses(self, part: object) -> bool:
        needs = getattr(part, "needs", None)
        return needs is None or bool(getattr(self, needs))

    def _raw_weights(self) -> tuple[float, ...]:
        return tuple(float(getattr(self, p.weight)) if self._uses(p) else 0.0 for p in PARTS)

    def part_weights(self) -> tuple[float, ...]:
        """Return the weights of ``models.PARTS`` in their order, summing to 1 (0 for a part
        not in use: the skills part without ``skills``)."""
        raw = self._raw_weights()
        total = sum(raw)
        return tuple(w / total for w in raw)

    @classmethod
    def plain(cls) -> Settings:
        """Return settings under which matcher ranks exactly as ``TfidfVectorizer()`` + cosine."""
        return cls(
            skills=False,
            skill_words=False,
            sections=False,
            stop_words=False,
            sublinear_tf=False,
            title_part=0.0,
            word_part=1.0,
            skill_pivot=0.0,
            query_pivot=0.0,
            bigrams=False,
            plurals=False,
            placeholders=False,
            resume_lead=0.0,
            generic_words=False,
            generic_share=1.0,
            personal=False,
        )


# The numeric fields' allowed ranges (bounds included). The parts' weights are any scale.
_RANGES = (
    *((part.weight, 0.0, math.inf) for part in PARTS),
    ("preferred_weight", 0.0, 1.0),
    ("skill_pivot", 0.0, math.inf),
    ("query_pivot", 0.0, math.inf),
    ("resume_lead", 0.0, 1.0),
    ("generic_share", 0.0, 1.0),
)
