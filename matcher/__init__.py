"""matcher: rank job listings against a resume with TF-IDF and explain every score exactly.

The names below are imported on first use (PEP 562), so that a command imports only the
modules it needs: ``matcher match --index`` has no use for the listing readers or taxonomy
imports, and importing them would add to its start-up (issue 12).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .api import default_listings_path, match_files
    from .errors import (
        ClusterError,
        IndexFormatError,
        ListingFormatError,
        MatcherError,
        OutputError,
        ResumeReadError,
        VocabularyError,
    )
    from .filters import Filters
    from .matcher import Matcher
    from .models import (
        ExtractedSkill,
        Listing,
        ListingSet,
        Match,
        MatchReport,
        MissingSkill,
        SkillContribution,
        TermContribution,
    )
    from .read import load_listings, read_resume
    from .settings import Settings
    from .skills import (
        Skill,
        SkillHit,
        SkillVocabulary,
        builtin_vocabulary,
        extract_skills,
    )
    from .skills.taxonomy import import_taxonomy, load_vocabulary

# Each public name, and the module that defines it.
_WHERE = {
    "ClusterError": "errors",
    "IndexFormatError": "errors",
    "ListingFormatError": "errors",
    "MatcherError": "errors",
    "OutputError": "errors",
    "ResumeReadError": "errors",
    "VocabularyError": "errors",
    "Filters": "filters",
    "Matcher": "matcher",
    "default_listings_path": "api",
    "match_files": "api",
    "Listing": "models",
    "ListingSet": "models",
    "Match": "models",
    "MatchReport": "models",
    "MissingSkill": "models",
    "Settings": "settings",
    "SkillContribution": "models",
    "TermContribution": "models",
    "load_listings": "read",
    "read_resume": "read",
    "ExtractedSkill": "models",
    "Skill": "skills",
    "SkillHit": "skills",
    "SkillVocabulary": "skills",
    "builtin_vocabulary": "skills",
    "extract_skills": "skills",
    "import_taxonomy": "skills.taxonomy",
    "load_vocabulary": "skills.taxonomy",
}

__all__ = [
    "ClusterError",
    "ExtractedSkill",
    "Filters",
    "IndexFormatError",
    "Listing",
    "ListingFormatError",
    "ListingSet",
    "Match",
    "MatchReport",
    "Matcher",
    "MatcherError",
    "MissingSkill",
    "OutputError",
    "ResumeReadError",
    "Settings",
    "Skill",
    "SkillContribution",
    "SkillHit",
    "SkillVocabulary",
    "TermContribution",
    "VocabularyError",
    "builtin_vocabulary",
    "default_listings_path",
    "extract_skills",
    "import_taxonomy",
    "load_listings",
    "load_vocabulary",
    "match_files",
    "read_resume",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'matcher' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])
