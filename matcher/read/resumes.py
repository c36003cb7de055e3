"""Resumes in, plain text out: text and Markdown files, standard input, PDF and DOCX."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from ..errors import ResumeReadError
from .docx import docx_text
from .markup import markdown_to_text
from .normalise import normalise
from .pdf import fragmentation, pdf_text
from .text import decode_text, read_bytes

RESUME_SUFFIXES = (".txt", ".md", ".pdf", ".docx")
# Formats people try that we cannot read: refuse them by name rather than decode them as text.
_UNSUPPORTED_RESUME_SUFFIXES = (".doc", ".rtf", ".odt", ".pages", ".png", ".jpg", ".jpeg")


@dataclass(frozen=True)
class ResumeText:
    """A resume's text as read and normalised, with what makes it doubtful.

    ``warnings`` are one-line messages starting with the file's name ("cv.pdf: the text looks
    fragmented ..."); they never quote the resume.
    """

    text: str
    warnings: tuple[str, ...] = ()


def read_resume(path: str | Path) -> str:
    """Return the normalised text of a resume: ``.txt``, ``.md``, ``.pdf``, ``.docx``, or ``-``.

    ``-`` reads standard input as text. Raises ``ResumeReadError`` naming the file when it
    cannot be read or holds no text. See ``read_resume_text`` for the warnings too.
    """
    return read_resume_text(path).text


def read_resume_text(path: str | Path) -> ResumeText:
    """Return a resume's normalised text and the warnings about it (see ``read_resume``)."""
    if str(path) == "-":
        text = decode_text(sys.stdin.buffer.read(), "<stdin>", ResumeReadError)
        return _checked(normalise(text), "<stdin>")
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
    elif suffix == ".docx":
        text = docx_text(data, path)
    elif suffix == ".md":
        text = markdown_to_text(decode_text(data, path, ResumeReadError))
    else:
        text = decode_text(data, path, ResumeReadError)
    return _checked(normalise(text), path)


def _checked(text: str, source: str | Path) -> ResumeText:
    if not text.strip():
        raise ResumeReadError(source, "the resume is empty")
    reason = fragmentation(text)
    return ResumeText(text, (f"{source}: {reason}",) if reason else ())
