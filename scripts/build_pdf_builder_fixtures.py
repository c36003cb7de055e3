"""Write the fixture resumes as PDFs the way three kinds of builder draw text (issue 23).

Usage: python scripts/build_pdf_builder_fixtures.py   (needs reportlab: pip install reportlab)

Each ``fixtures/resumes/<profile>.txt`` (the clean twin) becomes, under
``tests/data/pdf_builders/``:

- ``<profile>-glyphs.pdf``: every glyph placed on its own by a text matrix and no space glyph
  drawn, words apart only by where their glyphs stand (web and HTML-to-PDF builders). The
  font is scaled by the matrix (``/F1 1 Tf`` then ``10 0 0 10 x y Tm``), as Skia writes it,
  and declares one width for every glyph (a full em): with every glyph placed, a viewer
  shows the same page whatever the widths say, so such builders do not write them truly.
- ``<profile>-tex.pdf``: each line one ``TJ`` array, inter-word space as a position offset
  (stretched or shrunk as a justified line is), kerning inside words, no space glyphs
  (pdfTeX and LaTeX resume classes).
- ``<profile>-spaced.pdf``: two columns (skills and headings in a sidebar, the rest beside
  it) by reportlab, headings letter-spaced in capitals and the skill lines letter-spaced
  (``Tc``), spaces drawn as glyphs (design-tool and "modern" template builders).

and their clean twins, the same lines drawn plainly with their spaces by reportlab:
``<profile>-plain.pdf`` (of glyphs and tex) and ``<profile>-columns.pdf`` (of spaced), so
that a word break is all that can differ.

The raw PDFs use Helvetica, one of the standard 14 fonts (no font file embedded). Outputs
are deterministic: rerunning the script rewrites byte-identical files.
"""

from __future__ import annotations

import io
import random
import textwrap
import zlib
from pathlib import Path

from reportlab.lib.pagesizes import letter
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "fixtures" / "resumes"
OUT = ROOT / "tests" / "data" / "pdf_builders"
PROFILES = ("economist", "frontend_developer", "ml_scientist", "rf_systems_engineer")
SIZE = 10.0
LEADING = 13.0
WIDTH, HEIGHT = letter
MARGIN = 54.0
HEADINGS = frozenset(
    "Summary Experience Education Skills Projects Publications Certifications".split()
    + ["Selected Papers", "Selected Projects", "Open Source", "Patents", "Talks"]
)


def _lines(text: str, width: float) -> list[tuple[str, str]]:
    """Return (kind, line) pairs: the text wrapped to ``width`` points in Helvetica 10."""
    out: list[tuple[str, str]] = []
    chars = int(width / stringWidth("n", "Helvetica", SIZE))
    for raw in text.splitlines():
        if not raw.strip():
            out.append(("blank", ""))
            continue
        kind = "heading" if raw.strip() in HEADINGS else "text"
        for line in textwrap.wrap(raw, chars) or [""]:
            while stringWidth(line, "Helvetica", SIZE) > width:  # wrap by width, not count
                cut = line.rfind(" ")
                out.append((kind, line[:cut]))
                line = line[cut + 1 :]
            out.append((kind, line))
    return out


def _escape(text: str) -> bytes:
    return text.encode("cp1252").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _raw_pdf(pages: list[bytes], widths: bytes = b"", font: bytes = b"Helvetica") -> bytes:
    """Return a PDF of these content streams, ``font`` (Helvetica's glyphs) as /F1.

    ``widths``: font dictionary entries declaring its glyphs' widths; none: the standard
    font's own (a reader ignores declared widths for a standard font, so a font declaring them
    is named otherwise, as an embedded subset is).
    """
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, below
        b"<< /Type /Font /Subtype /Type1 /BaseFont /"
        + font
        + b" /Encoding /WinAnsiEncoding"
        + widths
        + b" >>",
    ]
    kids = []
    for content in pages:
        data = zlib.compress(content, 9)
        objects.append(b"<< /Length %d /Filter /FlateDecode >>stream\n" % len(data) + data
                       + b"\nendstream")  # fmt: skip
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R"
            b" /Resources << /Font << /F1 3 0 R >> >> >>" % len(objects)
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))  # fmt: skip
    return out.getvalue()


def _paged(lines: list[tuple[str, str]]) -> list[list[tuple[float, str, str]]]:
    """Return the lines cut into pages, each line with its baseline's height."""
    pages: list[list[tuple[float, str, str]]] = [[]]
    y = HEIGHT - MARGIN
    for kind, line in lines:
        if y < MARGIN:
            pages.append([])
            y = HEIGHT - MARGIN
        if kind != "blank":
            pages[-1].append((y, kind, line))
        y -= LEADING * (1.4 if kind == "heading" else 1.0)
    return pages


def glyphs_pdf(text: str) -> bytes:
    """Every glyph placed by its own text matrix; spaces are gaps, never glyphs."""
    streams = []
    for page in _paged(_lines(text, WIDTH - 2 * MARGIN)):
        ops = [b"BT /F1 1 Tf"]
        for y, _, line in page:
            x = MARGIN
            for char in line:
                if char != " ":
                    ops.append(b"%.2f 0 0 %.2f %.2f %.2f Tm (%s) Tj"
                               % (SIZE, SIZE, x, y, _escape(char)))  # fmt: skip
                x += stringWidth(char, "Helvetica", SIZE)
        ops.append(b"ET")
        streams.append(b"\n".join(ops))
    # Where every glyph is placed, the declared widths change nothing a viewer shows, and such
    # builders write one width for all (here a full em, as a CID font without /W has).
    widths = b" /FirstChar 32 /LastChar 255 /Widths [%s]" % b" ".join([b"1000"] * 224)
    return _raw_pdf(streams, widths, b"ABCDEF+Helvetica")


_KERNS = {"Te": 70, "Wa": 60, "Yo": 90, "Av": 50, "To": 80, "Va": 60, "LT": 70, "rk": 10}


def tex_pdf(text: str, seed: int) -> bytes:
    """Each line one TJ array: words as strings, inter-word space as a position offset."""
    rng = random.Random(seed)
    streams = []
    for page in _paged(_lines(text, WIDTH - 2 * MARGIN)):
        ops = [b"BT /F1 %.1f Tf" % SIZE]
        for y, _, line in page:
            parts = []
            for word in line.split(" "):
                if parts:
                    # A justified line stretches and shrinks its spaces: 0.2 to 0.45 em.
                    parts.append(b"%d" % -rng.randint(200, 450))
                pieces, start = [], 0
                for i in range(1, len(word)):
                    kern = _KERNS.get(word[i - 1 : i + 1])
                    if kern:
                        pieces += [b"(%s)" % _escape(word[start:i]), b"%d" % kern]
                        start = i
                pieces.append(b"(%s)" % _escape(word[start:]))
                parts += pieces
            ops.append(b"1 0 0 1 %.2f %.2f Tm [%s] TJ" % (MARGIN, y, b" ".join(parts)))
        ops.append(b"ET")
        streams.append(b"\n".join(ops))
    return _raw_pdf(streams)


_SIDEBAR = 170.0
_GUTTER = 24.0


def plain_pdf(text: str) -> bytes:
    """The clean twin of ``glyphs_pdf`` and ``tex_pdf``: the same lines on the same pages,
    drawn by reportlab as strings with their spaces, in the standard font."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=letter, invariant=1, pageCompression=1)
    for page in _paged(_lines(text, WIDTH - 2 * MARGIN)):
        pdf.setFont("Helvetica", SIZE)
        for y, _, line in page:
            pdf.drawString(MARGIN, y, line)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def spaced_pdf(text: str, letter_spaced: bool = True) -> bytes:
    """Two columns by reportlab: the name and the skills in a sidebar, letter-spaced; the
    rest beside it, headings letter-spaced in capitals. Not ``letter_spaced``: the clean twin,
    the same columns and lines without letter spacing."""
    lines = text.splitlines()
    skills_at = next(i for i, line in enumerate(lines) if line.strip() == "Skills")
    skills_end = next((i for i in range(skills_at + 1, len(lines)) if not lines[i].strip()),
                      len(lines))  # fmt: skip
    side = [lines[0], "", *lines[skills_at:skills_end]]
    main = lines[1:skills_at] + lines[skills_end:]
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=letter, invariant=1, pageCompression=1)

    def column(source: list[str], x: float, width: float, spacing: float) -> list[list]:
        pages: list[list] = [[]]
        y = HEIGHT - MARGIN
        for kind, line in _lines("\n".join(source), width - 40 * spacing):
            if y < MARGIN:
                pages.append([])
                y = HEIGHT - MARGIN
            if kind != "blank":
                pages[-1].append((x, y, kind, line, spacing))
            y -= LEADING * (1.4 if kind == "heading" else 1.0)
        return pages

    left = column(side, MARGIN, _SIDEBAR, 1.6)
    right = column(main, MARGIN + _SIDEBAR + _GUTTER, WIDTH - 2 * MARGIN - _SIDEBAR - _GUTTER, 0)
    for n in range(max(len(left), len(right))):
        # Drawn as a sidebar often is: row by row across both columns, not column by column.
        rows = sorted((left[n] if n < len(left) else []) + (right[n] if n < len(right) else []),
                      key=lambda row: (-row[1], row[0]))  # fmt: skip
        for x, y, kind, line, spacing in rows:
            shown = line.upper() if kind == "heading" else line
            t = pdf.beginText(x, y)
            t.setFont("Helvetica-Bold" if kind == "heading" else "Helvetica", SIZE)
            if letter_spaced:
                t.setCharSpace(3.0 if kind == "heading" else spacing)
            t.textOut(shown)
            pdf.drawText(t)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for seed, profile in enumerate(PROFILES):
        text = (SOURCES / f"{profile}.txt").read_text(encoding="utf-8")
        (OUT / f"{profile}-glyphs.pdf").write_bytes(glyphs_pdf(text))
        (OUT / f"{profile}-tex.pdf").write_bytes(tex_pdf(text, seed))
        (OUT / f"{profile}-spaced.pdf").write_bytes(spaced_pdf(text))
        (OUT / f"{profile}-plain.pdf").write_bytes(plain_pdf(text))  # twin of glyphs, tex
        (OUT / f"{profile}-columns.pdf").write_bytes(spaced_pdf(text, letter_spaced=False))
    print(f"wrote {5 * len(PROFILES)} PDFs to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
