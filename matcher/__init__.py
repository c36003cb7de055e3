"""matcher: rank job listings against a resume with TF-IDF and explain every score exactly."""

from .errors import ListingFormatError, MatcherError, OutputError, ResumeReadError
from .filters import Filters
from .matcher import Matcher, default_listings_path, match_files
from .models import (
    Listing,
    ListingSet,
    Match,
    MatchReport,
    MissingSkill,
    Settings,
    SkillContribution,
    TermContribution,
)
from .read import load_listings, read_resume
from .skills import (
    ExtractedSkill,
    Skill,
    SkillHit,
    SkillVocabulary,
    builtin_vocabulary,
    extract_skills,
)
from .taxonomy import import_taxonomy, load_vocabulary

__all__ = [
    "ExtractedSkill",
    "Filters",
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
