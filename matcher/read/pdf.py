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
from typing import Any

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
    from pdfminer.layout import LAParams  # imported here: only PDF resumes pay for pdfminer
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfexceptions import PDFException, PSException

    from .quiet import quiet  # with pdfminer: a text resume needs neither (nor logging)

    try:
        with quiet():
            pages = _pages(data, LAParams(line_margin=1.0), max_pages + 1)
            text = _layout_text(pages)
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


# A gap between two glyphs wider than this share of the font size, beyond the line's own
# letter spacing, is a word break. Fonts' spaces are 0.25-0.33 em and a justified line
# shrinks them to about 0.2 em; kerning inside a word moves glyphs by under 0.1 em.
_WORD_GAP = 0.15
# A glyph's advance is learnt from where the next glyph starts once it is seen this often.
_SAMPLES = 2
# Declared widths are trusted when, for most glyphs, they agree with the learnt advance to
# within this share of the font size (a builder that places every glyph may declare anything).
_WIDTH_AGREES = 0.06
_CLAUSE_MARKS = frozenset(",.;:!?)]}|\u2019\u201d")
_CLAUSE_MARK_WIDTH = 0.35


# pdfminer.six orders a page's text boxes by grouping the nearest two, again and again, which
# takes time growing with the square of their number: a resume page has tens of boxes, but a
# damaged or hostile page can scatter its glyphs into thousands (20 s for 2,000). Past this
# many, the boxes are ordered by one sort in the same reading order (columns left to right,
# top to bottom within one), which takes no time.
_MANY_BOXES = 300


def _pages(data: bytes, laparams: Any, max_pages: int) -> list[Any]:
    """Return the layouts of a PDF's first ``max_pages`` pages, as pdfminer.six's
    ``extract_pages`` gives them (empty password, resources cached), ordering the text boxes
    of a page with more than ``_MANY_BOXES`` by one sort."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LTPage, LTTextGroupLRTB
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    class Page(LTPage):
        def group_textboxes(self, laparams: Any, boxes: Any) -> Any:
            if len(boxes) > _MANY_BOXES:
                return [LTTextGroupLRTB(boxes)]  # sorted by the same flow key, as one group
            return super().group_textboxes(laparams, boxes)

    class Aggregator(PDFPageAggregator):
        def begin_page(self, page: Any, ctm: Any) -> None:
            super().begin_page(page, ctm)
            self.cur_item.__class__ = Page  # the same object, with the bound grouping above

    resources = PDFResourceManager(caching=True)
    device = Aggregator(resources, laparams=laparams)
    interpreter = PDFPageInterpreter(resources, device)
    pages = []
    for page in PDFPage.get_pages(io.BytesIO(data), maxpages=max_pages, password=""):
        interpreter.process_page(page)
        pages.append(device.get_result())
    return pages


def _layout_text(pages: list[Any]) -> str:
    """Return the text of pdfminer.six layouts as ``extract_text`` gives it (a text box's lines,
    a blank line after each box, a form feed after each page), the spaces between words
    decided anew from the glyphs' geometry (``_line_text``)."""
    from pdfminer.layout import LTContainer, LTText, LTTextBox, LTTextLineHorizontal

    advances = _advances(pages)
    out: list[str] = []

    def render(item: Any) -> None:
        if isinstance(item, LTTextLineHorizontal):
            out.append(_line_text(item, advances))
        elif isinstance(item, LTContainer):
            for child in item:
                render(child)
        elif isinstance(item, LTText):
            out.append(item.get_text())
        if isinstance(item, LTTextBox):
            out.append("\n")

    for page in pages:
        render(page)
        out.append("\f")
    return "".join(out)


def _glyphs(line: Any) -> list[Any] | None:
    """Return a horizontal line's glyphs, or None when any is rotated (gaps say nothing)."""
    from pdfminer.layout import LTChar

    glyphs = [item for item in line if isinstance(item, LTChar)]
    if not all(g.upright and g.size > 0 for g in glyphs):
        return None
    return glyphs


def _key(glyph: Any) -> tuple[str, float, str]:
    return glyph.fontname, round(glyph.size, 1), glyph.get_text()


def _advances(pages: list[Any]) -> dict[tuple[str, float, str], float]:
    """Return each glyph's advance in points, per font and size, as the document places it.

    A builder that positions every glyph (and draws no spaces) may declare any width: the page
    looks the same. Where the next glyph of a word starts tells the true advance
    (``_lower_cluster``). A font whose declared widths agree with those keeps its declared
    ones (exact, kerning apart), and so does a glyph seen too rarely to learn.
    """
    from pdfminer.layout import LTContainer, LTTextLineHorizontal

    seen: dict[tuple[str, float, str], list[float]] = {}
    declared: dict[tuple[str, float, str], float] = {}

    def visit(item: Any) -> None:
        if isinstance(item, LTTextLineHorizontal):
            glyphs = _glyphs(item)
            for a, b in zip(glyphs or (), (glyphs or ())[1:], strict=False):
                step = b.x0 - a.x0
                if a.get_text().isspace() or b.get_text().isspace():
                    continue
                if 0 < step < 3 * a.size:
                    key = _key(a)
                    seen.setdefault(key, []).append(step)
                    declared[key] = a.x1 - a.x0
        elif isinstance(item, LTContainer):
            for child in item:
                visit(child)

    for page in pages:
        visit(page)
    learnt = {k: _lower_cluster(v, k[1]) for k, v in seen.items() if len(v) >= _SAMPLES}
    for key, advance in learnt.items():
        # A comma, stop, colon or bar is followed by a space nearly always, so the distance to
        # the next glyph is its advance and a space: no proportional font draws these wider
        # than 0.35 em.
        if key[2] in _CLAUSE_MARKS:
            learnt[key] = min(advance, _CLAUSE_MARK_WIDTH * key[1])
    # A font's declared widths are right when they differ from the learnt advances by one
    # amount for all its glyphs (none, or the letter spacing of a line drawn with Tc).
    offsets: dict[tuple[str, float], list[float]] = {}
    for (font, size, char), advance in learnt.items():
        offsets.setdefault((font, size), []).append(advance - declared[font, size, char])
    trusted: set[tuple[str, float]] = set()
    for face, found in offsets.items():
        found.sort()
        middle = found[len(found) // 2]
        close = sum(abs(o - middle) <= _WIDTH_AGREES * face[1] for o in found)
        if close >= 0.6 * len(found):
            trusted.add(face)
    advances = {k: v for k, v in learnt.items() if k[:2] not in trusted}
    for key, width in declared.items():  # marks seen too rarely to learn, in a font not trusted
        if key[2] in _CLAUSE_MARKS and key not in learnt and key[:2] not in trusted:
            advances[key] = min(width, _CLAUSE_MARK_WIDTH * key[1])
    return advances


def _lower_cluster(steps: list[float], size: float) -> float:
    """Return a glyph's advance from the distances to the glyphs after it: the mean of those
    near the least (inside a word; the others hold a word's gap as well)."""
    least = min(steps)
    near = [step for step in steps if step <= least + 0.1 * size]
    return sum(near) / len(near)


def _line_text(line: Any, advances: dict[tuple[str, float, str], float]) -> str:
    """Return a line's text with a space wherever its glyphs stand a word apart.

    pdfminer.six puts a space where a gap exceeds a tenth of a glyph's size, measured with the
    font's declared widths: a font that declares too wide glues words together, and letter
    spacing (``Tc``, spaced capitals in headings) puts a space between every letter. Here a
    gap is measured from each glyph's advance (``_advances``), less the line's own letter
    spacing (its median gap), and is a break past ``_WORD_GAP`` of the font size. Space
    glyphs drawn in the text are kept as they are.
    """
    glyphs = _glyphs(line)
    if not glyphs:
        return str(line.get_text())
    gaps: list[float] = []
    for a, b in zip(glyphs, glyphs[1:], strict=False):
        gaps.append(b.x0 - (a.x0 + advances.get(_key(a), a.x1 - a.x0)))
    letters = sorted(
        gap
        for gap, a, b in zip(gaps, glyphs, glyphs[1:], strict=False)
        if not (a.get_text().isspace() or b.get_text().isspace())
    )
    # The line's letter spacing: its median gap between glyphs (the lower one of an even
    # count), as most glyphs stand inside a word; too few gaps say nothing.
    spacing = max(0.0, letters[(len(letters) - 1) // 2]) if len(letters) >= 3 else 0.0
    out = [glyphs[0].get_text()]
    for gap, a, b in zip(gaps, glyphs, glyphs[1:], strict=False):
        text = b.get_text()
        spaced = a.get_text().isspace() or text.isspace()
        # A glyph well left of the one before starts another run of text on the same line.
        if not spaced and (gap - spacing > _WORD_GAP * a.size or b.x0 < a.x0 - a.size):
            out.append(" ")
        out.append(text)
    return "".join(out) + "\n"


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
