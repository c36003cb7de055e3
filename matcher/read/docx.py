"""DOCX resumes: the text of every place a person's words live, in reading order."""

from __future__ import annotations

import io
from pathlib import Path

from ..errors import ResumeReadError


def docx_text(data: bytes, path: Path) -> str:
    import zipfile

    import docx  # python-docx; imported here: only DOCX resumes pay for it
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise ResumeReadError(path, "not a readable DOCX file") from exc
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells: list[str] = []
                for cell in row.cells:  # merged cells repeat: keep each text once per row
                    if cell.text not in cells:
                        cells.append(cell.text)
                lines.append(" | ".join(cells))
        else:
            lines.append(block.text)
    return "\n".join(lines)
