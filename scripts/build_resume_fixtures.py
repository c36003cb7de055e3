"""Regenerate the resume fixtures (.txt, .pdf, .docx) from their Markdown sources.

Usage: python scripts/build_resume_fixtures.py   (no arguments, any working directory)

Each ``fixtures/resumes/<profile>.md`` uses a small Markdown subset: ``#``/``##``/``###``
headings, ``- `` bullets, plain paragraphs and ``**bold**`` spans. The outputs are
deterministic: rerunning the script rewrites byte-identical files.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import docx
from docx.shared import Pt
from docx.text.paragraph import Paragraph
from fpdf import FPDF
from fpdf.enums import XPos, YPos

ROOT = Path(__file__).resolve().parent.parent
RESUME_DIR = ROOT / "fixtures" / "resumes"

FIXED_DATE = datetime(2026, 1, 1, tzinfo=timezone.utc)
FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
AUTHOR = "matcher fixtures"
SKILLS_HEADING = "Skills"

BOLD_RE = re.compile(r"\*\*(.+?)\*\*")
# Markers that fpdf2's markdown mode would interpret besides **bold**.
PDF_MARKDOWN_HAZARDS = ("__", "--", "~~", "[")


@dataclass(frozen=True)
class Block:
    """One Markdown block: a heading (level 1-3), a bullet or a paragraph."""

    kind: str  # "heading" | "bullet" | "paragraph"
    text: str  # inline Markdown (may contain **bold**)
    level: int = 0


def parse_markdown(source: str) -> list[Block]:
    blocks: list[Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Block("paragraph", " ".join(paragraph)))
            paragraph.clear()

    for raw in source.splitlines():
        line = raw.strip()
        heading = re.match(r"(#{1,3}) (.+)", line)
        if not line:
            flush()
        elif heading:
            flush()
            blocks.append(Block("heading", heading.group(2), len(heading.group(1))))
        elif line.startswith("- "):
            flush()
            blocks.append(Block("bullet", line[2:]))
        else:
            paragraph.append(line)
    flush()
    return blocks


def split_bold(text: str) -> list[tuple[str, bool]]:
    """Split inline Markdown into (text, is_bold) runs."""
    parts = BOLD_RE.split(text)  # odd indices are the bold spans
    return [(part, i % 2 == 1) for i, part in enumerate(parts) if part]


def plain(text: str) -> str:
    return BOLD_RE.sub(r"\1", text)


def skill_row(text: str) -> tuple[str, str] | None:
    """'**Category:** a, b' -> ('Category', 'a, b'); None if not in that form."""
    match = re.fullmatch(r"\*\*(.+?):?\*\*:?\s*(.+)", text)
    return (match.group(1).rstrip(":"), match.group(2)) if match else None


def in_skills(blocks: list[Block]) -> list[bool]:
    """For each block, whether it sits under the '## Skills' heading."""
    flags: list[bool] = []
    section = ""
    for block in blocks:
        if block.kind == "heading" and block.level <= 2:
            section = plain(block.text)
        flags.append(section == SKILLS_HEADING)
    return flags


def to_text(blocks: list[Block]) -> str:
    lines: list[str] = []
    for block in blocks:
        text = plain(block.text)
        if block.kind == "heading":
            if lines:
                lines.append("")
            lines.append(text)
        elif block.kind == "bullet":
            lines.append(f"- {text}")
        else:
            lines.append(text)
    return "\n".join(lines) + "\n"


def build_pdf(blocks: list[Block], title: str) -> bytes:
    pdf = FPDF(format="letter")
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_title(title)
    pdf.set_author(AUTHOR)
    pdf.set_creator(AUTHOR)
    pdf.add_page()

    heading_sizes = {1: 18, 2: 12.5, 3: 10.5}
    line_h = 5.0
    for block in blocks:
        for hazard in PDF_MARKDOWN_HAZARDS:
            if hazard in block.text:
                raise ValueError(f"{hazard!r} would be read as fpdf2 markdown: {block.text}")
        if block.kind == "heading":
            if block.level > 1:
                pdf.ln(3 if block.level == 3 else 4)
            size = heading_sizes[block.level]
            pdf.set_font("Helvetica", "B", size)
            # Line height ~1.3x the font size, so pypdf starts a new line after the heading.
            height = max(line_h + 1, size * 0.45)
            pdf.multi_cell(0, height, plain(block.text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            if block.level == 2:
                y = pdf.get_y()
                pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
                pdf.ln(1.5)
            continue
        pdf.set_font("Helvetica", "", 10)
        if block.kind == "bullet":
            pdf.set_x(pdf.l_margin + 3)
            pdf.cell(4, line_h, "-")  # the wrapped text hangs at the current x
        pdf.multi_cell(0, line_h, block.text, markdown=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if block.kind == "paragraph":
            pdf.ln(1)
    return bytes(pdf.output())


def add_runs(paragraph: Paragraph, text: str) -> None:
    for run_text, bold in split_bold(text):
        paragraph.add_run(run_text).bold = bold


def build_docx(blocks: list[Block], title: str) -> bytes:
    document = docx.Document()
    props = document.core_properties
    props.author = AUTHOR
    props.last_modified_by = AUTHOR
    props.title = title
    props.subject = ""
    props.comments = ""
    props.keywords = ""
    props.category = ""
    props.revision = 1
    props.created = FIXED_DATE
    props.modified = FIXED_DATE
    props.last_printed = FIXED_DATE
    document.styles["Normal"].font.size = Pt(10)

    table = None
    for block, skills in zip(blocks, in_skills(blocks), strict=True):
        row = skill_row(block.text) if block.kind == "bullet" and skills else None
        if row is not None:
            if table is None:
                table = document.add_table(rows=0, cols=2)
                table.style = "Table Grid"
            cells = table.add_row().cells
            cells[0].paragraphs[0].add_run(row[0]).bold = True
            add_runs(cells[1].paragraphs[0], row[1])
            continue
        table = None
        if block.kind == "heading":
            document.add_heading(plain(block.text), level=block.level)
        else:
            style = "List Bullet" if block.kind == "bullet" else None
            add_runs(document.add_paragraph(style=style), block.text)

    buffer = io.BytesIO()
    document.save(buffer)
    return normalize_zip(buffer.getvalue())


def normalize_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps (python-docx stamps members with 'now')."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for member in src.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(member))
    return out.getvalue()


def write(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    print(f"wrote {path.relative_to(ROOT)}")


def main() -> None:
    for source in sorted(RESUME_DIR.glob("*.md")):
        blocks = parse_markdown(source.read_text(encoding="utf-8"))
        title = f"{plain(blocks[0].text)} - resume"
        write(source.with_suffix(".txt"), to_text(blocks).encode("utf-8"))
        write(source.with_suffix(".pdf"), build_pdf(blocks, title))
        write(source.with_suffix(".docx"), build_docx(blocks, title))


if __name__ == "__main__":
    main()
