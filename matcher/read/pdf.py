"""PDF resumes: the text layer of every page, in reading order, and whether it can be trusted.

The extractor is pdfminer.six's layout analysis, chosen by measurement (README, "Supported
formats"): it groups characters into words by their gaps, lines into text boxes, and orders the
boxes, so a sidebar drawn on the same baselines as the main column comes out as a block of its
own instead of being spliced into the main column's sentences (pypdf, plain or layout mode, and
pypdfium2 read such a page row by row). ``line_margin=1.0`` keeps a column's lines in one box
when the builder spaced them a little wider than pdfminer's default expects.

Text that no extractor can repair (a font whose glyphs carry no spacing, so every letter is a
word of its own, or words glued into runs without spaces) is detected and reported by
``fragmentation``, so the user is told instead of ranked on garbage.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from ..errors import ResumeReadError

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
# Letters that stand as words of their own in English text ("a", "I") or as initials.
_SINGLE_LETTER_WORDS = frozenset("aAI&")
# A document needs this many words before its shape says anything.
_MIN_WORDS = 20
# Shares measured on the field cases and fixture resumes: clean text has under 5% one-letter
# words and no runs of 20+ letters; letter-spaced text has over 60%.
_MAX_SINGLE_LETTER_SHARE = 0.3
_GLUED_LENGTH = 20
_MAX_GLUED_SHARE = 0.1


def pdf_text(data: bytes, path: Path) -> str:
    """Return the text of a PDF, pages separated by a blank line, lines by ``\\n``.

    Raises ``ResumeReadError`` naming ``path`` when the file is no PDF, is password-protected
    or cannot be parsed.
    """
    from pdfminer.high_level import extract_text  # imported here: only PDF resumes pay for it
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfexceptions import PDFException, PSException

    if not data.lstrip().startswith(b"%PDF"):
        raise ResumeReadError(path, "not a PDF file (no %PDF header)")
    try:
        text = extract_text(io.BytesIO(data), laparams=LAParams(line_margin=1.0))
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise ResumeReadError(path, "the PDF is password-protected") from None
    # A damaged file can surface from the parser as any of these; all mean "unreadable".
    except (PDFException, PSException, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ResumeReadError(path, f"not a readable PDF ({type(exc).__name__})") from exc
    except (OSError, AssertionError, IndexError) as exc:
        raise ResumeReadError(path, f"not a readable PDF ({type(exc).__name__})") from exc
    # pdfminer ends each page with a form feed; blank lines between boxes are kept.
    return text.replace("\f", "\n").strip()


def fragmentation(text: str) -> str | None:
    """Return why ``text`` looks fragmented (letters spaced apart or words glued), or None.

    Fragmented: of at least 20 words, over 30% are single letters (other than "a", "I"), or
    over 10% are runs of 20 or more letters without a space. The reason names the share only,
    never the text (a resume is personal data).
    """
    words = _TOKEN.findall(text)
    if len(words) < _MIN_WORDS:
        return None
    single = sum(1 for w in words if len(w) == 1 and w.isalpha() and w not in _SINGLE_LETTER_WORDS)
    if single / len(words) > _MAX_SINGLE_LETTER_SHARE:
        return (
            f"the text looks fragmented ({single / len(words):.0%} of its words are single"
            " letters): skills may be missed; save the resume as DOCX or text"
        )
    glued = sum(1 for w in words if len(w) >= _GLUED_LENGTH and w.isalpha())
    if glued / len(words) > _MAX_GLUED_SHARE:
        return (
            f"the text looks fragmented ({glued / len(words):.0%} of its words are runs of"
            f" {_GLUED_LENGTH}+ letters without spaces): skills may be missed; save the resume as"
            " DOCX or text"
        )
    return None
