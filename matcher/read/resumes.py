"""Resumes in, plain text out: text and Markdown files, standard input, PDF and DOCX."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from ..errors import ResumeReadError
from .limits import Limits
from .normalise import normalise
from .pdf import fragmentation, pdf_text
from .text import decode_text, read_bytes, read_stream

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


def read_resume(path: str | Path, limits: Limits | None = None) -> str:
    """Return the normalised text of a resume: ``.txt``, ``.md``, ``.pdf``, ``.docx``, or ``-``.

    ``-`` reads standard input as text. Raises ``ResumeReadError`` naming the file when it
    cannot be read, holds no text, or is over ``limits`` (default: ``Limits.from_env()``, which
    ``MATCHER_MAX_INPUT_MB`` raises): its size, its text's length, a DOCX's unzipped size and
    compression ratios, a PDF's pages, seconds and memory. See ``read_resume_text`` for the
    warnings too.
    """
    return read_resume_text(path, limits).text


def read_resume_text(path: str | Path, limits: Limits | None = None) -> ResumeText:
    """Return a resume's normalised text and the warnings about it (see ``read_resume``)."""
    limits = limits or Limits.from_env()
    if str(path) == "-":
        data = read_stream(sys.stdin.buffer, "<stdin>", ResumeReadError, limits)
        text = decode_text(data, "<stdin>", ResumeReadError)
        return _checked(normalise(_bounded(text, "<stdin>", limits)), "<stdin>")
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in _UNSUPPORTED_RESUME_SUFFIXES:
        raise ResumeReadError(
            path,
            f"unsupported resume format '{suffix}' (supported: {', '.join(RESUME_SUFFIXES)});"
            " save it as PDF, DOCX or text",
        )
    data = read_bytes(path, ResumeReadError, limits)
    if suffix == ".pdf":
        text = pdf_text(data, path, limits)
        if not text.strip():
            raise ResumeReadError(
                path, "the PDF has no extractable text (a scanned image?); save it as text or DOCX"
            )
    elif suffix == ".docx":
        from .docx import docx_text  # imported here: a text resume has no use for zipfile

        text = docx_text(data, path, limits)
    elif suffix == ".md":
        from .markup import markdown_to_text

        text = markdown_to_text(_bounded(decode_text(data, path, ResumeReadError), path, limits))
    else:
        text = decode_text(data, path, ResumeReadError)
    return _checked(normalise(_bounded(text, path, limits)), path)


def _bounded(text: str, source: str | Path, limits: Limits) -> str:
    """Return ``text`` when it is within ``limits.text_chars``; raise ``ResumeReadError``."""
    if len(text) > limits.text_chars:
        raise limits.refuse(
            ResumeReadError,
            source,
            f"{len(text):,} characters of text",
            f"{limits.text_chars:,} for a resume",
            len(text) / limits.text_chars,
        )
    return text


def _checked(text: str, source: str | Path) -> ResumeText:
    if not text.strip():
        raise ResumeReadError(source, "the resume is empty")
    reason = fragmentation(text)
    return ResumeText(text, (f"{source}: {reason}",) if reason else ())
