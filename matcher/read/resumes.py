"""Resumes in, plain text out: text files, standard input, PDF and DOCX."""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import ResumeReadError
from .docx import docx_text
from .pdf import pdf_text
from .text import decode_text, read_bytes

RESUME_SUFFIXES = (".txt", ".md", ".pdf", ".docx")
# Formats people try that we cannot read: refuse them by name rather than decode them as text.
_UNSUPPORTED_RESUME_SUFFIXES = (".doc", ".rtf", ".odt", ".pages", ".png", ".jpg", ".jpeg")


def read_resume(path: str | Path) -> str:
    """Return the text of a resume: ``.txt``, ``.md``, ``.pdf``, ``.docx``, or ``-`` for stdin."""
    if str(path) == "-":
        text = decode_text(sys.stdin.buffer.read(), "<stdin>", ResumeReadError)
        return _non_empty(text, "<stdin>")
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in _UNSUPPORTED_RESUME_SUFFIXES:
        raise ResumeReadError(
            path,
            f"unsupported resume format '{suffix}' (supported: {', '.join(RESUME_SUFFIXES)});"
            " save it as PDF, DOCX or text",
        )
    data = read_bytes(path, ResumeReadError)
    if suffix == ".pdf":
        text = pdf_text(data, path)
        if not text.strip():
            raise ResumeReadError(
                path, "the PDF has no extractable text (a scanned image?); save it as text or DOCX"
            )
        return text
    if suffix == ".docx":
        return _non_empty(docx_text(data, path), path)
    return _non_empty(decode_text(data, path, ResumeReadError), path)


def _non_empty(text: str, source: str | Path) -> str:
    if not text.strip():
        raise ResumeReadError(source, "the resume is empty")
    return text
