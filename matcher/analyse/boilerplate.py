"""Boilerplate by repetition: sentences' hashed word triples ("shingles"), the triples that
stand in many listings, and whether a sentence is mostly made of them.

Pay and legal statements are found by their wording instead (see ``sections``).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Collection, Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from .words import WORD

if TYPE_CHECKING:
    from .sections import Sentence, Span

# Text repeated across listings is found by word triples ("shingles"): a sentence is
# boilerplate when at least this share of its triples stand in many listings, so a company
# intro still counts as repeated where one listing edited a word or two of it.
# Requirements and responsibilities are never treated so: a requirement many listings share
# ("a degree in computer science") is still a requirement.
_SHINGLE_WORDS = 3
_REPEATED_SHARE = 0.5
_MIN_SHINGLES = 6
NEVER_BOILERPLATE = ("requirements", "preferred", "responsibilities", "title")


def sentence_shingles(text: str, span: Span) -> tuple[int, ...]:
    """Return the hashed word triples of the sentence of ``text`` at ``span``, each once, as
    ``sentence_at(text, span).shingles`` holds them: none where its kind is never boilerplate."""
    if span[2] in NEVER_BOILERPLATE:
        return ()
    return piece_shingles(text[span[0] : span[1]])


# Listings repeat sentences: the triples of distinct ones are kept, up to this many sentences,
# in a plain dict of tuples, which the garbage collector soon stops looking at (a frozenset or
# an lru_cache entry it visits on every full collection).
_SHINGLES_KEPT = 1 << 17
_SHINGLES_OF: dict[str, tuple[int, ...]] = {}


def piece_shingles(piece: str) -> tuple[int, ...]:
    """Return the distinct hashed word triples of a sentence's text, in no order (keys as
    ``word_shingles`` makes them)."""
    found = _SHINGLES_OF.get(piece)
    if found is None:
        if len(_SHINGLES_OF) >= _SHINGLES_KEPT:
            _SHINGLES_OF.clear()
        found = _SHINGLES_OF[piece] = tuple(word_shingles(WORD.findall(piece.lower())))
    return found


def word_shingles(words: list[str]) -> frozenset[int]:
    """Return the hashed triples of consecutive ``words`` (lower-case tokens), each once: keys
    below 2**63, none for fewer than 8 words (too short to judge)."""
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
    return mostly_repeated(sentence.shingles, repeated)


def mostly_repeated(shingles: Collection[int], repeated: set[int]) -> bool:
    """Return whether at least half of ``shingles`` (each triple once) are in ``repeated``."""
    if not shingles or not repeated:
        return False
    return len(repeated.intersection(shingles)) >= _REPEATED_SHARE * len(shingles)
