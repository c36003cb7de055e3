"""Stage 2b, analyse: text in, weighted terms out. Reads skills through ``matcher.skills``.

A listing is split into sections by its headings ("Key job responsibilities", "About the team",
...) and into sentences; each sentence gets the weight of its section, and sentences that are
plainly boilerplate (pay and equal-opportunity statements, a company intro repeated across many
listings) get the boilerplate weight. Terms are skills from the vocabulary (one term each, e.g.
"machine learning") plus the remaining words, tokenised as scikit-learn's default
``TfidfVectorizer`` does, so that with skills and sections switched off the terms are the same.

``sections`` holds headings, section kinds and weights, sentences and their spans; ``boilerplate``
the word triples ("shingles") that find text repeated across listings; ``words`` tokenising, stop
words, plurals and word pairs; ``terms`` the index terms' part prefixes; ``analyzer`` the
``Analyzer``, which puts them together.
"""

from __future__ import annotations

from .analyzer import ASKED_MIN_WEIGHT, Analyzer
from .boilerplate import (
    NEVER_BOILERPLATE,
    is_repeated,
    mostly_repeated,
    piece_shingles,
    repeated_shingles,
    sentence_shingles,
    word_key,
    word_shingles,
)
from .sections import (
    BOILERPLATE_WEIGHT,
    KINDS,
    SECTION_WEIGHTS,
    Sentence,
    Span,
    headings,
    lead_cut,
    sentence_at,
    sentence_spans,
    sentences,
)
from .terms import SKILL_PREFIX, TITLE_PREFIX, term_part, term_text
from .words import PLACEHOLDERS, STOP_WORDS, WORD, Words, singular

__all__ = [
    "ASKED_MIN_WEIGHT",
    "BOILERPLATE_WEIGHT",
    "KINDS",
    "NEVER_BOILERPLATE",
    "PLACEHOLDERS",
    "SECTION_WEIGHTS",
    "SKILL_PREFIX",
    "STOP_WORDS",
    "TITLE_PREFIX",
    "WORD",
    "Analyzer",
    "Sentence",
    "Span",
    "Words",
    "headings",
    "is_repeated",
    "lead_cut",
    "mostly_repeated",
    "piece_shingles",
    "repeated_shingles",
    "sentence_at",
    "sentence_shingles",
    "sentence_spans",
    "sentences",
    "singular",
    "term_part",
    "term_text",
    "word_key",
    "word_shingles",
]
