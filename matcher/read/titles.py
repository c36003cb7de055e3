"""Guessing the job title a listing's text advertises when its record names none."""

from __future__ import annotations

import re

from ..models import UNTITLED

_ROLE = (
    r"(?:Scientist|Engineer|Economist|Manager|Developer|Analyst|Designer|Researcher|Architect"
    r"|Consultant|Specialist|Director|Lead|Technician|Technologist|Nurse|Physician|Teacher"
    r"|Administrator|Coordinator|Officer|Associate|Intern|Accountant|Programmer|Strategist"
    r"|Writer|Editor|Recruiter|Representative|Assistant|Advisor|Adviser|Statistician"
    r"|Mathematician|Therapist|Pharmacist|Supervisor|Practitioner|Planner|Professor)"
)
# Up to five capitalised words (or "of"/"and") before a role noun, plus a level ("II", "3").
# Each word starts at a word's start: tried inside a long word, the pattern would scan to its
# end again and again (quadratic).
_TITLE = (
    r"(?:(?:(?<![\w&+.-])[A-Z][\w&+.-]*|of|and|&),?\s+){0,5}"
    + _ROLE
    + r"s?(?:\s+(?:I{1,3}|IV|V|[1-5])\b)?"
)
_ADJECTIVES = (
    r"(?:(?:passionate|talented|dedicated|skilled|motivated|experienced|innovative|inventive"
    r"|exceptional|strong|driven|highly|curious|creative|seasoned|hands-on),?\s+(?:and\s+)?)*"
)
_TITLE_CUES = [
    re.compile(
        r"(?:Offered Position|Job Title|Position Title|Title)\s*:\s*(?P<t>[^.:;\n]{3,60}?)"
        r"(?=\s+(?:Job Location|Location|Job Number)\b|[.:;\n]|$)"
    ),
    re.compile(
        r"(?i:looking for|seeking|hiring|recruiting|searching for)\s+(?:an?\s+|the\s+)?"
        + _ADJECTIVES
        + r"(?P<t>"
        + _TITLE
        + ")"
    ),
    re.compile(r"(?:\bAs an?|\bjoin (?:us|our team) as an?)\s+(?P<t>" + _TITLE + ")"),
    re.compile(r"(?P<t>" + _TITLE + ")"),
    # Last resort, "As a Prime Video technologist": a lower-case role noun after a cue.
    re.compile(
        r"(?:\bAs an?|\bIf you are an?)\s+(?P<t>(?:[A-Z][\w&+.-]*\s+){0,3}(?i:" + _ROLE + r"))\b"
    ),
]
_LEADING_WORDS = re.compile(r"^(?:(?:A|An|The|Our|As|We|At|Come|Join)\s+)+")
_ANY_ROLE = re.compile(_ROLE + r"s?\b", re.IGNORECASE)
_PLURAL_ROLE = re.compile(r"\b(" + _ROLE + r")s\b")
_LAST_WORD = re.compile(r"(\s)(\w)(\w*)$")


def guess_title(text: str) -> str:
    """Return the job title a description most likely advertises, or "Untitled listing"."""
    for cue in _TITLE_CUES:
        for found in cue.finditer(text):
            title = _LEADING_WORDS.sub("", found.group("t").strip(" ,"))
            if _ANY_ROLE.search(title):
                # "Prime Video technologist" -> "Prime Video Technologist"; plurals singular.
                title = title[0].upper() + title[1:]
                title = _LAST_WORD.sub(lambda m: m[1] + m[2].upper() + m[3], title)
                return _PLURAL_ROLE.sub(r"\1", title)
    return UNTITLED
