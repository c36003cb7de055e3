"""Hostile documents made on the fly: zip bombs, entity bombs, deep JSON, page-reference PDFs.

Shared by ``tests/test_reliability.py`` and the readers' fuzz harness (``tests/fuzz_readers.py``).
Each maker returns bytes; nothing here reads them with matcher.
"""

from __future__ import annotations

import io
import zipfile

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
PACKAGE_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)


def document_xml(body: str, prolog: str = "") -> bytes:
    """Return a WordprocessingML main part whose body is ``body`` (XML text)."""
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
        f'<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'
    ).encode()


def paragraph(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def docx(document: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    """Return a minimal DOCX package holding ``document`` as word/document.xml."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("_rels/.rels", PACKAGE_RELS)
        package.writestr("word/document.xml", document)
        for name, data in (extra or {}).items():
            package.writestr(name, data)
    return out.getvalue()


def zip_bomb_docx(unzipped_mb: int) -> bytes:
    """Return a DOCX whose document.xml is a valid start followed by ``unzipped_mb`` MB of
    spaces: it deflates about 1000 : 1, written a megabyte at a time."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("_rels/.rels", PACKAGE_RELS)
        with package.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(
                document_xml(paragraph("Python developer"))[: -len("</w:body></w:document>")]
            )
            block = b" " * (1 << 20)
            for _ in range(unzipped_mb):
                part.write(block)
            part.write(b"</w:body></w:document>")
    return out.getvalue()


def billion_laughs_docx(levels: int = 10) -> bytes:
    """Return a DOCX whose document.xml defines entities that expand 10 ** ``levels`` times."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels + 1)
    ]
    prolog = f"<!DOCTYPE w:document [{''.join(entities)}]>"
    return docx(document_xml(paragraph(f"Python &lol{levels};"), prolog))


def deep_json(depth: int) -> bytes:
    """Return ``[`` nested ``depth`` times and closed again: valid JSON, absurdly deep."""
    return b"[" * depth + b"]" * depth


def pdf(objects: list[bytes]) -> bytes:
    """Return a PDF of ``objects`` (numbered from 1; object 1 the catalog), with its xref."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def text_page_pdf(lines: list[str], extra: bytes = b"") -> bytes:
    """Return a one-page PDF showing ``lines`` in Helvetica, then the operators ``extra``."""
    ops = (
        b"BT /F1 12 Tf 72 720 Td 14 TL "
        + b" ".join(b"(" + line.encode("latin-1") + b") Tj T*" for line in lines)
        + b" ET "
        + extra
    )
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(ops) + ops + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


def log_leak_pdf(secret: str) -> bytes:
    """Return a PDF whose content stream makes pdfminer.six log warnings quoting ``secret``:
    a string where a marked-content tag belongs, and where a line width belongs."""
    quoted = b"(" + secret.encode("latin-1") + b")"
    return text_page_pdf(["Python developer"], quoted + b" MP " + quoted + b" w")


def page_references_pdf(references: int) -> bytes:
    """Return a small PDF whose page tree lists one page ``references`` times."""
    ops = b"BT /F1 12 Tf 72 720 Td (Python developer) Tj ET"
    kids = b" ".join([b"3 0 R"] * references)
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % references,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(ops) + ops + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


def many_pages_pdf(pages: int) -> bytes:
    """Return a PDF of ``pages`` distinct pages, each one line of text."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    font = 3
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for i in range(pages):
        ops = b"BT /F1 12 Tf 72 720 Td (Page %d of a resume) Tj ET" % (i + 1)
        page = len(objects) + 1
        kids.append(b"%d 0 R" % page)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R"
            b" /Resources << /Font << /F1 %d 0 R >> >> >>" % (page + 1, font)
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(ops) + ops + b"\nendstream")
    objects[1] = b"<< /Type /Pages /Kids [" + b" ".join(kids) + b"] /Count %d >>" % pages
    return pdf(objects)


def encrypted_pdf(source: bytes, user_password: str, algorithm: str = "AES-256") -> bytes:
    """Return ``source`` encrypted by pypdf (a test dependency) with ``user_password``."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(source)))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
