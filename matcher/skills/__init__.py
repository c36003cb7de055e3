"""Stage 2a, skills: the vocabulary of skills, finding them in text, its compiled form, and
the ESCO/O*NET imports. Nothing here knows of listings, indexes or scores.

``vocabulary`` holds the data (``Skill``, the rows and forms, CSV in and out, the built-in
vocabulary); ``find`` finding skills in text (tokens, longest forms, context support, the
addresses and names never searched, ``extract_skills``); ``compiled`` the vocabulary stored
compiled (numpy, imported on first use); ``taxonomy`` the ESCO and O*NET imports.
"""

from __future__ import annotations

from .find import TOKEN, SkillFinder, SkillHit, extract_skills, tokens
from .vocabulary import COLUMNS, KINDS, Compiled, Skill, SkillVocabulary, builtin_vocabulary

__all__ = [
    "COLUMNS",
    "KINDS",
    "TOKEN",
    "Compiled",
    "Skill",
    "SkillFinder",
    "SkillHit",
    "SkillVocabulary",
    "builtin_vocabulary",
    "extract_skills",
    "tokens",
]
