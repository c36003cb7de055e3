from __future__ import annotations

import codecs
import io
import re
import sys

import pytest

from matcher import ResumeReadError, read_resume

from .conftest import PROFILES, RESUME_FORMATS, resume_path

KEY_PHRASES = {
    "ml_scientist": ["machine learning", "PyTorch", "NeurIPS"],
    "economist": ["difference-in-differences", "Stata", "econometrics"],
    "rf_systems_engineer": ["phased-array", "link budget", "FPGA"],
    "frontend_developer": ["TypeScript", "React", "WCAG"],
}


def _words(text: str) -> str:
    return " ".join(text.split()).lower()


@pytest.mark.parametrize("fmt", RESUME_FORMATS)
@pytest.mark.parametrize("profile", PROFILES)
def test_every_fixture_resume_format_reads(profile, fmt):
    text = _words(read_resume(resume_path(profile, fmt)))
    for phrase in KEY_PHRASES[profile]:
        assert phrase.lower() in text, (profile, fmt, phrase)


@pytest.mark.parametrize("profile", PROFILES)
def test_formats_of_one_resume_carry_the_same_words(profile):
    def vocabulary(fmt: str) -> set[str]:
        return set(re.findall(r"[a-z][a-z+#]{2,}", read_resume(resume_path(profile, fmt)).lower()))

    reference = vocabulary("txt")
    for fmt in ("md", "pdf", "docx"):
        other = vocabulary(fmt)
        overlap = len(reference & other) / len(reference | other)
        assert overlap > 0.9, (fmt, overlap)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("utf8.txt", "Résumé: Python, SQL".encode()),
        ("bom8.txt", codecs.BOM_UTF8 + "Résumé: Python, SQL".encode()),
        ("utf16le.txt", codecs.BOM_UTF16_LE + "Résumé: Python, SQL".encode("utf-16-le")),
        ("utf16be.txt", codecs.BOM_UTF16_BE + "Résumé: Python, SQL".encode("utf-16-be")),
        ("latin1.txt", "Résumé: Python, SQL".encode("latin-1")),
        ("cp1252.md", "Résumé: Python, SQL".encode("cp1252")),
    ],
)
def test_text_encodings(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    assert read_resume(path) == "Résumé: Python, SQL"


def test_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Python and SQL\n")))
    assert read_resume("-") == "Python and SQL\n"


def test_empty_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"  \n")))
    with pytest.raises(ResumeReadError, match=r"^<stdin>: the resume is empty$"):
        read_resume("-")


def _blank_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(resume_path("economist", "pdf")))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


BAD_RESUMES = {
    "empty text": ("r.txt", lambda: b"", "the resume is empty"),
    "whitespace only": ("r.md", lambda: b" \n\t\n", "the resume is empty"),
    "scanned PDF": ("r.pdf", _blank_pdf, "no extractable text"),
    "password PDF": ("r.pdf", _encrypted_pdf, "password-protected"),
    "not a PDF": ("r.pdf", lambda: b"hello, I am text", "not a PDF file"),
    "truncated PDF": (
        "r.pdf",
        lambda: resume_path("ml_scientist", "pdf").read_bytes()[:400],
        "not a readable PDF",
    ),
    "not a DOCX": ("r.docx", lambda: b"plain text, not a zip", "not a readable DOCX file"),
    "zip but not DOCX": ("r.docx", lambda: _zip_without_document(), "not a readable DOCX file"),
    "binary text": ("r.txt", lambda: b"\x00\x01\x02binary", "looks like a binary file"),
    "undecodable bytes": ("r.txt", lambda: b"Python \x81\x8d\x90", "undecodable byte"),
    "unsupported .doc": ("r.doc", lambda: b"\xd0\xcf\x11\xe0", "unsupported resume format '.doc'"),
}


def _zip_without_document() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hi")
    return out.getvalue()


@pytest.mark.parametrize("case", sorted(BAD_RESUMES))
def test_bad_resumes_raise_one_line_errors_naming_the_file(tmp_path, case):
    name, make, expected = BAD_RESUMES[case]
    path = tmp_path / name
    path.write_bytes(make())
    with pytest.raises(ResumeReadError) as info:
        read_resume(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and expected in message
    assert "\n" not in message


def test_missing_resume_and_folder(tmp_path):
    with pytest.raises(ResumeReadError, match="no such file"):
        read_resume(tmp_path / "missing.pdf")
    with pytest.raises(ResumeReadError, match="is a folder"):
        read_resume(tmp_path)


def test_errors_never_quote_the_resume(tmp_path):
    secret = "Jane Q. Candidate 555-0100 \x81"
    path = tmp_path / "r.txt"
    path.write_bytes(secret.encode("latin-1"))
    with pytest.raises(ResumeReadError) as info:
        read_resume(path)
    assert "Jane" not in str(info.value) and "555" not in str(info.value)
