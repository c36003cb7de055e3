"""Stage 1, read: listings files and resumes in, plain text and ``Listing`` objects out.

Nothing here knows about terms or scores. Every problem with a file the user gave is raised as a
``ListingFormatError`` or ``ResumeReadError`` naming the file, so the CLI can print one line.
One module per kind of file: ``text`` (encodings), ``pdf``, ``docx``, ``tables`` (CSV, TSV),
``json`` (JSON, JSON Lines), ``pages`` (saved job-board pages); ``listings`` and ``resumes``
choose among them, and ``titles`` guesses a listing's title from its text.
"""

from __future__ import annotations

from .listings import LISTING_SUFFIXES, content_id, load_listings
from .resumes import RESUME_SUFFIXES, read_resume
from .text import decode_text
from .titles import guess_title

__all__ = [
    "LISTING_SUFFIXES",
    "RESUME_SUFFIXES",
    "content_id",
    "decode_text",
    "guess_title",
    "load_listings",
    "read_resume",
]
