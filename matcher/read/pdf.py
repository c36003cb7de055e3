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

import contextlib
import io
import json
import os
import re
import select
import signal
import struct
import time
import traceback
import zlib
from pathlib import Path

from ..errors import ResumeReadError
from .limits import Limits, megabytes

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


def pdf_text(data: bytes, path: Path, limits: Limits | None = None) -> str:
    """Return the text of a PDF, pages separated by a blank line, lines by ``\\n``.

    The PDF is read in a child process (POSIX) bound by ``limits`` (default
    ``Limits.from_env()``): its pages, seconds and memory; pdfminer.six's logs and warnings stay
    in the child. An encrypted PDF is opened with the empty password, as viewers do. Raises
    ``ResumeReadError`` naming ``path`` when the file is no PDF, needs a password, cannot be
    parsed or is over a limit; ``RuntimeError`` for an unexpected failure of the parser.
    """
    limits = limits or Limits.from_env()
    if not data.lstrip().startswith(b"%PDF"):
        raise ResumeReadError(path, "not a PDF file (no %PDF header)")
    if not hasattr(os, "fork"):
        kind, value = _extract(data, limits.pdf_pages)
    else:
        kind, value = _in_child(data, limits)
    if kind == "text":
        # pdfminer ends each page with a form feed; blank lines between boxes are kept.
        return value.replace("\f", "\n").strip()
    if kind == "pages":
        pages = int(value)
        raise limits.refuse(
            ResumeReadError,
            path,
            f"{pages:,} pages" if pages else "more pages",
            f"{limits.pdf_pages:,} pages",
            pages / limits.pdf_pages if pages else None,
        )
    if kind == "seconds":
        raise limits.refuse(
            ResumeReadError, path, "reading the PDF takes longer", f"{limits.pdf_seconds:g} s"
        )
    if kind == "memory":
        raise limits.refuse(
            ResumeReadError,
            path,
            "reading the PDF takes more memory",
            megabytes(limits.pdf_memory_bytes),
        )
    if kind == "error":
        raise ResumeReadError(path, value)
    raise RuntimeError(f"pdfminer.six failed on a PDF: {value}")


def _extract(data: bytes, max_pages: int) -> tuple[str, str]:
    """Return ("text", text), ("pages", pages read) past ``max_pages``, ("error", problem), or
    ("bug", where): never the document's text in anything but the first."""
    from pdfminer.high_level import extract_text  # imported here: only PDF resumes pay for it
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfexceptions import PDFException, PSException

    from .quiet import quiet  # with pdfminer: a text resume needs neither (nor logging)

    try:
        with quiet():
            text = extract_text(
                io.BytesIO(data), laparams=LAParams(line_margin=1.0), maxpages=max_pages + 1
            )
    except (PDFPasswordIncorrect, PDFEncryptionError):
        return "error", "the PDF is password-protected; save it without a password"
    except NotImplementedError:
        return "error", "the PDF uses a feature pdfminer.six cannot read (NotImplementedError)"
    except MemoryError:
        return "memory", ""
    # A damaged file surfaces from the parser as any of these; all mean "unreadable". The
    # exception's name only: pdfminer's messages quote the file's bytes.
    except (
        PDFException,
        PSException,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        OSError,
        AssertionError,
        IndexError,
        ArithmeticError,
        RecursionError,
        EOFError,
        zlib.error,
        struct.error,
    ) as exc:
        return "error", f"not a readable PDF ({type(exc).__name__})"
    except Exception as exc:  # noqa: BLE001 - reported by name and place, never by message
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        return "bug", f"{type(exc).__name__} at {Path(frame.filename).name}:{frame.lineno}"
    if text.count("\f") > max_pages:
        return "pages", str(_page_count(data))
    return "text", text


def _page_count(data: bytes) -> int:
    """Return how many pages a PDF has (0 when they cannot be counted), without reading them."""
    from pdfminer.pdfpage import PDFPage

    from .quiet import quiet

    try:
        with quiet():
            return sum(1 for _ in PDFPage.get_pages(io.BytesIO(data)))
    except Exception:  # noqa: BLE001 - the count only improves a message
        return 0


def _in_child(data: bytes, limits: Limits) -> tuple[str, str]:
    """Run ``_extract`` in a forked child bound by ``limits``' seconds and memory.

    The child writes its result as JSON to a pipe; its stdout and stderr go to /dev/null, so
    nothing pdfminer.six prints reaches the terminal. A child past the deadline is killed.
    """
    import pdfminer.high_level  # noqa: F401 - imported before the fork, once per process

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        try:
            os.close(read_end)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            _bound_memory(limits.pdf_memory_bytes)
            try:
                result = _extract(data, limits.pdf_pages)
            except MemoryError:
                result = ("memory", "")
            payload = json.dumps(result).encode("utf-8")
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
        finally:
            os._exit(0)
    os.close(write_end)
    chunks: list[bytes] = []
    deadline = time.monotonic() + limits.pdf_seconds
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([read_end], [], [], left)[0]:
                return "seconds", ""
            chunk = os.read(read_end, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_end)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    if not chunks:  # killed by the kernel, or its allocation failed past the memory bound
        return "memory", ""
    kind, value = json.loads(b"".join(chunks))
    return str(kind), str(value)


def _bound_memory(extra: int) -> None:
    """Limit this process's address space to its present size plus ``extra`` bytes (Linux)."""
    try:
        import resource

        with open("/proc/self/statm", encoding="ascii") as statm:
            present = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (present + extra, resource.RLIM_INFINITY))
    except (ImportError, OSError, ValueError):
        pass  # no /proc or no resource module: the time bound still holds


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
