"""Stage 1, read: listings files and resumes in, plain text and ``Listing`` objects out.

Nothing here knows about terms or scores, and nothing imports ``matcher.skills``: of the skills,
``normalise`` knows only the words of the built-in vocabulary's file (``data/skills.csv``), to
join a word hyphenated at a line end. Every problem with a file the user gave is raised as a
``ListingFormatError`` or ``ResumeReadError`` naming the file, so the CLI can print one line.
One module per kind of file: ``text`` (encodings), ``pdf``, ``docx``, ``markup`` (HTML,
Markdown), ``tables`` (CSV, TSV, Excel's Unicode Text), ``json`` (JSON, JSON Lines, JSON-LD),
``pages`` (saved job-board pages); ``fields`` maps records' field names; ``listings`` and
``resumes`` choose among them; ``normalise`` is the one step every text goes through; and
``titles`` guesses a listing's title from its text. ``limits`` holds the bounds on what one
input may cost (``MATCHER_MAX_INPUT_MB`` raises them); each reader checks them where the file is
opened, before the work they bound. ``quiet`` silences the document libraries' logs and warnings,
which may quote a resume.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Imported now: a function named as its module would be shadowed by the module once imported.
from .normalise import normalise

if TYPE_CHECKING:
    from .limits import Limits
    from .listings import LISTING_SUFFIXES, content_id, content_key, load_listings
    from .pages import may_be_page
    from .resumes import RESUME_SUFFIXES, ResumeText, read_resume, read_resume_text
    from .text import decode_text
    from .titles import guess_title

# Each public name and its module, imported on first use: reading a text resume needs none of
# the listing readers (HTML, CSV, JSON, titles), whose imports would add to a query's start-up.
_WHERE = {
    "LISTING_SUFFIXES": "listings",
    "Limits": "limits",
    "RESUME_SUFFIXES": "resumes",
    "ResumeText": "resumes",
    "content_id": "listings",
    "content_key": "listings",
    "decode_text": "text",
    "guess_title": "titles",
    "load_listings": "listings",
    "may_be_page": "pages",
    "read_resume": "resumes",
    "read_resume_text": "resumes",
}

__all__ = [
    "LISTING_SUFFIXES",
    "Limits",
    "RESUME_SUFFIXES",
    "ResumeText",
    "content_id",
    "content_key",
    "decode_text",
    "guess_title",
    "load_listings",
    "may_be_page",
    "normalise",
    "read_resume",
    "read_resume_text",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value
    return value
