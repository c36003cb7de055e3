"""Index terms' prefixes: which part of a vector (``models.PARTS``) each term belongs to.

A part's terms carry its ``Part.prefix`` ("skill:python", "title:engineer"); the part with no
prefix (the words) takes every other term, so that plain settings give scikit-learn's terms.
"""

from __future__ import annotations

from ..models import PART_NUMBER, PARTS

# The prefixes the analyzer writes (their parts must be in the registry).
SKILL_PREFIX = PARTS[PART_NUMBER["skills"]].prefix
TITLE_PREFIX = PARTS[PART_NUMBER["title"]].prefix
# Each prefixed part's number by its prefix; a term with none is the unprefixed part's.
_PART_OF_PREFIX = {part.prefix: number for number, part in enumerate(PARTS) if part.prefix}
_UNPREFIXED = next(number for number, part in enumerate(PARTS) if not part.prefix)


def term_part(key: str) -> int:
    """Return the part (its number in ``models.PARTS``) an index term belongs to."""
    head = key[: key.find(":") + 1]
    return _PART_OF_PREFIX.get(head, _UNPREFIXED) if head else _UNPREFIXED


def term_text(key: str) -> str:
    """Return an index term as a person reads it: the skill or the words, without a prefix."""
    return key[len(PARTS[term_part(key)].prefix) :]
