"""Word breaks in PDFs decided from the glyphs' geometry (issue 23).

``tests/data/pdf_builders/`` holds the fixture resumes as three kinds of builder draw them
(``scripts/build_pdf_builder_fixtures.py``): every glyph placed by its own matrix with no
space glyph and one declared width for all (``glyphs``), TeX-style TJ arrays with spaces as
offsets (``tex``), two columns with letter-spaced headings and skills (``spaced``); and each
kind's clean twin, the same lines drawn plainly with their spaces (``plain``, ``columns``).
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from matcher.read.pdf import fragmentation, pdf_text
from matcher.skills import extract_skills

HERE = Path(__file__).parent / "data" / "pdf_builders"
PROFILES = ("economist", "frontend_developer", "ml_scientist", "rf_systems_engineer")
TWINS = {"glyphs": "plain", "tex": "plain", "spaced": "columns"}


def _text(name: str) -> str:
    path = HERE / f"{name}.pdf"
    return pdf_text(path.read_bytes(), path)


def _skills(text: str) -> set[str]:
    return {skill.name for skill in extract_skills(text)}


@pytest.mark.parametrize("kind", TWINS)
@pytest.mark.parametrize("profile", PROFILES)
def test_a_builders_pdf_gives_its_clean_twins_skills(profile, kind):
    twin = _skills(_text(f"{profile}-{TWINS[kind]}"))
    assert len(twin) >= 25  # the twin itself is read whole
    assert _skills(_text(f"{profile}-{kind}")) == twin


@pytest.mark.parametrize("kind", TWINS)
@pytest.mark.parametrize("profile", PROFILES)
def test_a_builders_pdf_gives_its_clean_twins_words(profile, kind):
    twin = _text(f"{profile}-{TWINS[kind]}").split()
    words = _text(f"{profile}-{kind}").split()
    # Columns may come out in another order; what matters is that words are whole.
    matcher = difflib.SequenceMatcher(None, sorted(twin), sorted(words), autojunk=False)
    same = sum(block.size for block in matcher.get_matching_blocks())
    # Left: a digit or % ending a word before a gap with no space glyph ("70%while"):
    # digits end words too often for their advance to be learnt; under 3% of the words.
    assert same >= 0.97 * len(twin)
    assert fragmentation(" ".join(words)) is None


def test_letter_spaced_headings_are_words():
    text = _text("economist-spaced")
    for heading in ("SKILLS", "EXPERIENCE", "EDUCATION"):
        assert heading in text.split()
    assert "S K I L L S" not in text


def test_glyphs_placed_one_by_one_are_words_apart():
    lines = _text("economist-glyphs").splitlines()
    assert lines[0] == "Tomasz Ellingford"
    assert "Daily tools: Stata, R and Python, with" in " ".join(lines)


@pytest.mark.parametrize("name", ["economist", "ml_scientist", "rf_systems_engineer"])
def test_pdfs_with_their_spaces_drawn_read_as_pdfminer_reads_them(name):
    # The fixture resumes (fpdf2, spaces drawn): word for word what pdfminer.six's own
    # extract_text gives, so the geometry only decides where the text has no spaces.
    from pdfminer.high_level import extract_text
    from pdfminer.layout import LAParams

    pdf = Path(__file__).resolve().parent.parent / "fixtures" / "resumes" / f"{name}.pdf"
    theirs = extract_text(str(pdf), laparams=LAParams(line_margin=1.0)).split()
    assert pdf_text(pdf.read_bytes(), pdf).split() == theirs


def test_a_page_scattered_into_thousands_of_boxes_is_read_quickly():
    # A damaged page can scatter its words into thousands of text boxes; pdfminer.six's
    # pairwise grouping of boxes took 20 s for 2,000 (fuzzing found it; 1,500 here). Past 300 boxes they
    # are ordered by one sort: every word is read, in reading order within each column.
    import time

    from . import hostile

    ops = (
        b"BT /F1 3 Tf "
        + b" ".join(
            b"1 0 0 1 %d %.1f Tm (w%d) Tj" % (20 + 40 * (i % 15), 780 - 7.5 * (i // 15), i)
            for i in range(1500)
        )
        + b" ET"
    )
    data = hostile.pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(ops) + ops + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )
    start = time.perf_counter()
    words = pdf_text(data, Path("scattered.pdf")).split()
    assert time.perf_counter() - start < 5
    assert sorted(words) == sorted(f"w{i}" for i in range(1500))
