"""DOCX resumes: the text of every place a person's words live, in reading order.

python-docx opens the package; its paragraph and table objects skip text in content controls
(``w:sdt``), text boxes, tracked insertions and page headers, so the WordprocessingML is walked
here instead, in document order:

- page headers first (each distinct one once), then the body, then footnotes and endnotes,
  then page footers;
- a paragraph's runs, also inside hyperlinks, content controls (``w:sdtContent``), smart tags,
  simple fields and tracked insertions and moves (``w:ins``, ``w:moveTo``); deleted text
  (``w:del``, ``w:moveFrom``) is left out, as Word shows the document with changes accepted;
- a table row as its cells joined by " | " (a merged cell once), content controls around rows
  and cells included;
- a text box's paragraphs as lines after the paragraph that anchors it, read once (Word writes
  each text box twice: a DrawingML one and a VML fallback for old readers).
"""

from __future__ import annotations

import io
import traceback
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import ResumeReadError
from .limits import Limits, megabytes
from .quiet import quiet

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _q(tag: str) -> str:
    return f"{{{_W}}}{tag}"


_P, _TBL, _TR, _TC, _SDT, _SDT_CONTENT = (
    _q(t) for t in ("p", "tbl", "tr", "tc", "sdt", "sdtContent")
)
_T, _TAB, _BR, _CR, _TXBX = (_q(t) for t in ("t", "tab", "br", "cr", "txbxContent"))
_DELETED = frozenset(_q(t) for t in ("del", "moveFrom", "delText", "delInstrText"))
# Properties and other parts of a paragraph that hold no text of the document.
_SKIPPED = frozenset(_q(t) for t in ("pPr", "rPr", "tblPr", "trPr", "tcPr", "sdtPr", "sdtEndPr"))
_FALLBACK = f"{{{_MC}}}Fallback"
# Word's encrypted documents are OLE compound files, as old .doc files are.
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Small parts may compress far (an empty header, a settings part): only large ones can bomb.
_RATIO_FLOOR = 1024 * 1024
_FOOTNOTE_TYPES = frozenset(("separator", "continuationSeparator", "continuationNotice"))


def docx_text(data: bytes, path: Path, limits: Limits | None = None) -> str:
    """Return the text of a DOCX file, one paragraph per line (see the module docstring).

    The zip directory is checked against ``limits`` (default ``Limits.from_env()``) before
    anything is inflated: the parts' total unzipped size, each large part's compression ratio,
    the number of parts. XML entities are never expanded (python-docx's parser). Raises
    ``ResumeReadError`` naming ``path`` when the file is not a readable DOCX package or is
    over a limit.
    """
    import zlib

    import docx  # python-docx; imported here: only DOCX resumes pay for it
    from docx.opc.exceptions import PackageNotFoundError
    from lxml import etree

    _check_package(data, path, limits or Limits.from_env())
    # A package whose directory passed can still be damaged inside: a part that is not XML,
    # a deflate stream or CRC that does not match, a relationship to a missing part.
    try:
        with quiet():
            document = docx.Document(io.BytesIO(data))
            return _document_text(document)
    except (
        zipfile.BadZipFile,
        PackageNotFoundError,
        etree.LxmlError,
        zlib.error,
        EOFError,
        KeyError,
        ValueError,
    ) as exc:
        raise ResumeReadError(path, f"not a readable DOCX file ({_kind(exc)})") from None
    except (AttributeError, TypeError, IndexError) as exc:
        # python-docx meets a part of the wrong kind (a content-types part whose root is some
        # other element) as an attribute it lacks; the same error from here is a bug of ours.
        if not _raised_in_python_docx(exc):
            raise
        raise ResumeReadError(path, f"not a readable DOCX file ({_kind(exc)})") from None


def _raised_in_python_docx(exc: BaseException) -> bool:
    import docx

    ours, theirs = Path(__file__).parent, Path(docx.__file__).parent
    frames = [Path(frame.filename) for frame in traceback.extract_tb(exc.__traceback__)]
    # The frames past the last of ours: python-docx among them means it raised (perhaps from
    # the standard library it called).
    last = max((i for i, f in enumerate(frames) if f.is_relative_to(ours)), default=-1)
    return any(f.is_relative_to(theirs) for f in frames[last + 1 :])


def _kind(exc: Exception) -> str:
    # The exception's name only: lxml's messages quote the document's bytes.
    if isinstance(exc, zipfile.BadZipFile):
        return "a damaged zip package"
    return f"damaged content: {type(exc).__name__}"


def _check_package(data: bytes, path: Path, limits: Limits) -> None:
    """Raise ``ResumeReadError`` unless ``data`` is a zip whose directory is within ``limits``."""
    if data.startswith(_OLE_SIGNATURE):
        raise ResumeReadError(
            path,
            "a password-protected DOCX or an old Word .doc file, not a DOCX package;"
            " save it as DOCX without a password, or as PDF",
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            parts = package.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        raise ResumeReadError(path, "not a readable DOCX file") from None
    if len(parts) > limits.docx_parts:
        raise limits.refuse(
            ResumeReadError,
            path,
            f"{len(parts):,} parts in the DOCX package",
            f"{limits.docx_parts:,}",
            len(parts) / limits.docx_parts,
        )
    total = sum(part.file_size for part in parts)
    if total > limits.docx_unzipped_bytes:
        raise limits.refuse(
            ResumeReadError,
            path,
            f"the DOCX unzips to {megabytes(total)}",
            megabytes(limits.docx_unzipped_bytes),
            total / limits.docx_unzipped_bytes,
        )
    for part in parts:
        if part.flag_bits & 0x1:
            raise ResumeReadError(path, "the DOCX package is encrypted; save it without a password")
        if part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ResumeReadError(
                path, f"not a readable DOCX file (zip compression method {part.compress_type})"
            )
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > _RATIO_FLOOR and ratio > limits.docx_ratio:
            raise limits.refuse(
                ResumeReadError,
                path,
                f"a part of the DOCX compressed {ratio:,.0f} : 1 (a zip bomb?)",
                f"{limits.docx_ratio} : 1",
                ratio / limits.docx_ratio,
            )


def _document_text(document: Any) -> str:
    parts = _related_parts(document)
    lines: list[str] = []
    lines.extend(_unique_lines(parts["header"]))
    body = document.element.find(_q("body"))
    if body is not None:
        lines.extend(_blocks(body))
    for kind in ("footnotes", "endnotes"):
        for root in parts[kind]:
            for note in root:
                if note.get(_q("type")) not in _FOOTNOTE_TYPES:
                    lines.extend(_blocks(note))
    lines.extend(_unique_lines(parts["footer"]))
    return "\n".join(lines)


def _related_parts(document: Any) -> dict[str, list[Any]]:
    """Return the XML roots of the document's headers, footers, footnotes and endnotes."""
    from docx.oxml.parser import parse_xml

    found: dict[str, list[Any]] = {"header": [], "footer": [], "footnotes": [], "endnotes": []}
    for rel in document.part.rels.values():
        kind = (rel.reltype or "").rsplit("/", 1)[-1]  # a relationship may lack its Type
        if kind in found and not rel.is_external:
            part = rel.target_part
            element = getattr(part, "element", None)
            found[kind].append(element if element is not None else parse_xml(part.blob))
    return found


def _unique_lines(roots: list[Any]) -> Iterator[str]:
    # A section's first-page, even and default headers often repeat one another.
    seen: set[str] = set()
    for root in roots:
        for line in _blocks(root):
            if line not in seen:
                seen.add(line)
                yield line


def _blocks(container: Any) -> Iterator[str]:
    """Yield the lines of the paragraphs and tables directly in ``container``, in order."""
    for child in container:
        tag = child.tag
        if tag == _P:
            boxes: list[Any] = []
            yield _paragraph(child, boxes)
            for box in boxes:
                yield from _blocks(box)
        elif tag == _TBL:
            for row in _rows(child):
                yield _row(row)
        elif tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _blocks(content)
        elif tag not in _DELETED and tag not in _SKIPPED and tag != _FALLBACK:
            # w:ins, w:moveTo, w:customXml and the like around whole paragraphs.
            yield from _blocks(child)


def _children(element: Any, tag: str) -> Iterator[Any]:
    """Yield the ``tag`` children of ``element``, also those inside content controls."""
    for child in element:
        if child.tag == tag:
            yield child
        elif child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _children(content, tag)
        elif isinstance(child.tag, str) and child.tag not in _SKIPPED | _DELETED:
            yield from _children(child, tag)  # w:customXml, w:ins around rows or cells


def _rows(table: Any) -> Iterator[Any]:
    return _children(table, _TR)


def _row(row: Any) -> str:
    cells: list[str] = []
    for cell in _children(row, _TC):
        text = " ".join(line for line in _blocks(cell) if line.strip())
        if text not in cells:  # a merged cell repeats: keep each text once per row
            cells.append(text)
    return " | ".join(cells)


def _paragraph(paragraph: Any, boxes: list[Any]) -> str:
    """Return a paragraph's visible text; text boxes anchored in it are added to ``boxes``."""
    out: list[str] = []
    _runs(paragraph, out, boxes)
    return "".join(out)


def _runs(element: Any, out: list[str], boxes: list[Any]) -> None:
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in _DELETED or tag in _SKIPPED or tag == _FALLBACK:
            continue
        if tag == _T:
            out.append(child.text or "")
        elif tag == _TAB:
            out.append("\t")
        elif tag in (_BR, _CR):
            out.append("\n")
        elif tag == _TXBX:
            boxes.append(child)
        else:
            _runs(child, out, boxes)
