"""Index terms' prefixes: which part of a vector (skills, title, words) each term belongs to.

The one place that knows the prefixes, so that the parts can become one registry
(``models.PARTS``) by changing this module only.
"""

from __future__ import annotations

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
