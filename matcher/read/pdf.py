"""PDF resumes: the text layer of every page, in reading order."""

from __future__ import annotations

import io
from pathlib import Path

from ..errors import ResumeReadError


def pdf_text(data: bytes, path: Path) -> str:
    from pypdf import PdfReader  # imported here: only PDF resumes pay for it
    from pypdf.errors import PyPdfError

    if not data.lstrip().startswith(b"%PDF"):
        raise ResumeReadError(path, "not a PDF file (no %PDF header)")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ResumeReadError(path, "the PDF is password-protected")
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except ResumeReadError:
        raise
    # A damaged file can surface from pypdf's parser as any of these; all mean "unreadable".
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise ResumeReadError(path, f"not a readable PDF ({type(exc).__name__})") from exc
