"""Bounded, quiet readers: the reliability cases of issue 11 and other inputs of their kinds.

Every hostile input gives a normal result or one ``MatcherError`` naming the file (and the
limit with the setting that raises it); none prints a traceback or resume text on stderr. The
cases from ``../shared/reliability_cases`` are copied into ``tests/data/reliability``; the rest
are made here (``tests/hostile.py``).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from matcher import load_listings, read_resume
from matcher.errors import ListingFormatError, MatcherError, ResumeReadError
from matcher.read import pdf as pdf_module
from matcher.read.limits import ENV, Limits
from matcher.read.quiet import quiet

from . import hostile
from .conftest import ROOT, resume_path

CASES = ROOT / "tests" / "data" / "reliability"
# Words of the invented resumes in the cases: none may reach stderr.
PERSONAL = ("Zanzibar", "Quetzal", "7731", "Secret Lane", "jane@example.com", "7700 900123")


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "matcher", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        check=False,
        timeout=300,
    )


def _one_line_error(result: subprocess.CompletedProcess[str], path: Path) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {path}: "), result.stderr
    return lines[0]


# ------------------------------------------------------------------- the shared cases, by CLI

RESUME = str(resume_path("ml_scientist"))
# (file, command before it, command after it, expect an error)
CLI_CASES = {
    "pdf_log_leak.pdf": (["match"], [], True),
    "cv_location_first.txt": (["skills"], [], False),
    "spaces_20KB.json": (["match", RESUME], ["--top", "1"], False),
    "esco_short_row.csv": (["skills", "import", "esco"], [], True),
    "deep1000.json": (["match", RESUME], [], True),
    "vmerge_first_row.docx": (["match"], [], True),
}


@pytest.mark.parametrize("name", sorted(CLI_CASES))
def test_reliability_cases_give_a_result_or_one_line_and_no_resume_text(name, tmp_path):
    before, after, fails = CLI_CASES[name]
    path = CASES / name
    result = _run(*before, str(path), *after, env={"MATCHER_DATA_DIR": str(tmp_path)})
    if fails:
        _one_line_error(result, path)
    else:
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
    assert not [word for word in PERSONAL if word in result.stderr], result.stderr


def test_the_shared_cases_are_the_copies_tested(request):
    shared = ROOT.parent / "shared" / "reliability_cases"
    if not shared.is_dir():
        pytest.skip("../shared/reliability_cases is not beside this checkout")
    for name in CLI_CASES:
        assert (shared / name).read_bytes() == (CASES / name).read_bytes(), name


def test_a_resume_taken_for_a_saved_page_is_never_quoted(tmp_path):
    # A seed page's marker, then a resume's lines: the page reader refuses line 3, by number.
    path = tmp_path / "cv.txt"
    path.write_text(
        "Related content\nUK, London\nJane Doe Zanzibar-Quetzal-7731, 12 Secret Lane\n"
        "Python developer\nUK, Leeds\n"
    )
    with pytest.raises(ListingFormatError) as info:
        load_listings(path)
    assert "line 4: expected a location line" in str(info.value)
    assert not [word for word in PERSONAL if word in str(info.value)]
    path.write_text("Related content\nUK, London\nDjango\nJane Doe Zanzibar, 12 Secret Lane\n")
    with pytest.raises(ListingFormatError, match="line 4: expected a location line") as info:
        load_listings(path)
    assert "Zanzibar" not in str(info.value)


# ------------------------------------------------------------------------------ DOCX


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_docx_zip_bomb_is_refused_from_the_zip_directory(tmp_path, monkeypatch):
    path = _write(tmp_path, "bomb.docx", hostile.zip_bomb_docx(200))
    inflated = []
    import zipfile

    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(
        zipfile.ZipFile,
        "open",
        lambda self, *a, **k: inflated.append(a) or real_open(self, *a, **k),
    )
    with pytest.raises(ResumeReadError, match=r"unzips to 200\.\d MB, over the limit of 128\.0 MB"):
        read_resume(path)
    assert inflated == []  # nothing was inflated to find out
    monkeypatch.undo()
    # Raising the one setting admits a bigger document (the part still compresses too far).
    with pytest.raises(ResumeReadError, match=r"compressed [\d,]+ : 1 \(a zip bomb\?\)") as info:
        read_resume(path, Limits(max_input_mb=32))
    assert f"{ENV}=" in str(info.value)


def test_a_docx_part_that_compresses_too_far_is_refused(tmp_path):
    path = _write(tmp_path, "cv.docx", hostile.zip_bomb_docx(20))
    with pytest.raises(
        ResumeReadError, match=r"over the limit of 100 : 1 \(set MATCHER_MAX_INPUT_MB="
    ):
        read_resume(path)


def test_docx_entities_are_never_expanded(tmp_path):
    path = _write(tmp_path, "cv.docx", hostile.billion_laughs_docx(levels=10))
    try:
        text = read_resume(path)
    except ResumeReadError as exc:
        assert str(exc).startswith(f"{path}: not a readable DOCX file")
    else:
        assert "lol" not in text


@pytest.mark.parametrize(
    "data, problem",
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "a password-protected DOCX or an old"),
        (hostile.docx(b"<w:document"), "not a readable DOCX file (damaged content"),
        (hostile.docx(hostile.document_xml("<w:p>")), "not a readable DOCX file (damaged content"),
        (hostile.docx(hostile.document_xml(hostile.paragraph("x")))[:-30], "not a readable DOCX"),
    ],
)
def test_damaged_docx_packages_give_one_line(tmp_path, data, problem):
    path = _write(tmp_path, "cv.docx", data)
    with pytest.raises(ResumeReadError) as info:
        read_resume(path)
    assert str(info.value).startswith(f"{path}: {problem}")
    assert "\n" not in str(info.value)


def test_a_docx_with_a_damaged_deflate_stream_gives_one_line(tmp_path):
    data = bytearray(hostile.docx(hostile.document_xml(hostile.paragraph("Python " * 400))))
    at = data.index(b"word/document.xml") + 40  # inside the part's compressed bytes
    data[at : at + 8] = b"\xff" * 8
    path = _write(tmp_path, "cv.docx", bytes(data))
    with pytest.raises(ResumeReadError, match="not a readable DOCX file"):
        read_resume(path)


def test_a_docx_relationship_without_a_type_is_passed_over(tmp_path):
    rels = (
        b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
        b'.org/package/2006/relationships"><Relationship Id="rId9" Target="header1.xml"/>'
        b"</Relationships>"
    )
    data = hostile.docx(
        hostile.document_xml(hostile.paragraph("Python")),
        {"word/_rels/document.xml.rels": rels, "word/header1.xml": b"<x/>"},
    )
    assert read_resume(_write(tmp_path, "cv.docx", data)) == "Python"


@pytest.mark.parametrize(
    "merge", ["<w:vMerge/>", '<w:vMerge w:val="continue"/>', '<w:gridSpan w:val="3"/>']
)
def test_a_table_whose_first_row_continues_a_merge_is_read(tmp_path, merge):
    cell = f"<w:tc><w:tcPr>{merge}</w:tcPr>{hostile.paragraph('Python')}</w:tc>"
    body = f"<w:tbl><w:tr>{cell}<w:tc>{hostile.paragraph('SQL')}</w:tc></w:tr></w:tbl>"
    path = _write(tmp_path, "cv.docx", hostile.docx(hostile.document_xml(body)))
    assert read_resume(path) == "Python | SQL"


# ------------------------------------------------------------------------------- PDF


def test_an_encrypted_pdf_opens_with_the_empty_password(tmp_path):
    source = resume_path("economist", "pdf").read_bytes()
    expected = read_resume(resume_path("economist", "pdf"))
    for algorithm in ("AES-256", "AES-128", "RC4-128"):
        path = _write(tmp_path, "cv.pdf", hostile.encrypted_pdf(source, "", algorithm))
        assert read_resume(path) == expected, algorithm


def test_a_pdf_with_a_password_is_refused_in_one_line(tmp_path):
    source = resume_path("economist", "pdf").read_bytes()
    path = _write(tmp_path, "cv.pdf", hostile.encrypted_pdf(source, "secret"))
    result = _run("match", str(path))
    assert _one_line_error(result, path).endswith(
        "the PDF is password-protected; save it without a password"
    )


def test_a_pdf_over_the_page_limit_is_refused_naming_the_setting(tmp_path):
    path = _write(tmp_path, "cv.pdf", hostile.many_pages_pdf(30))
    with pytest.raises(ResumeReadError) as info:
        read_resume(path, Limits(max_input_mb=2))  # 25 pages
    assert str(info.value) == (
        f"{path}: 30 pages, over the limit of 25 pages (set {ENV}=3 or more to read it; now 2)"
    )
    assert read_resume(path, Limits(max_input_mb=20)).count("of a resume") == 30


def test_a_page_tree_of_repeated_references_is_read_once(tmp_path):
    path = _write(tmp_path, "cv.pdf", hostile.page_references_pdf(20_000))
    assert read_resume(path) == "Python developer"


def _slow(data, max_pages):
    time.sleep(600)
    return "text", ""


def _greedy(data, max_pages):
    hoard = [bytearray(1 << 20) for _ in range(4096)]  # 4 GB, past any bound below
    return "text", str(len(hoard))


class _Patient(Limits):
    """A 32 MB memory bound with time to reach it on a busy machine."""

    pdf_seconds = 120.0  # type: ignore[assignment]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the PDF child process needs os.fork")
@pytest.mark.parametrize(
    "work, limits, problem",
    [
        (_slow, Limits(max_input_mb=0.5), "takes longer"),  # about 1 s
        (_greedy, _Patient(max_input_mb=0.5), "takes more memory"),
    ],  # fmt: skip
)
def test_a_pdf_past_its_seconds_or_memory_is_stopped(tmp_path, monkeypatch, work, limits, problem):
    monkeypatch.setattr(pdf_module, "_extract", work)
    path = _write(tmp_path, "cv.pdf", hostile.text_page_pdf(["Python"]))
    start = time.monotonic()
    with pytest.raises(ResumeReadError, match=f"reading the PDF {problem}, over the limit of"):
        read_resume(path, limits)
    assert time.monotonic() - start < 110  # the child was stopped, not waited for


def test_pdf_library_logs_and_warnings_are_silenced(capsys):
    import warnings

    logging.getLogger("pdfminer.pdfinterp")  # a child logger, as pdfminer's modules make
    with quiet():
        logging.getLogger("pdfminer.pdfinterp").warning("Zanzibar-Quetzal-7731 in a warning")
        logging.getLogger("pdfminer").error("Secret Lane")
        warnings.warn("jane@example.com", UserWarning, stacklevel=1)
    assert capsys.readouterr().err == ""
    assert logging.getLogger("pdfminer.pdfinterp").disabled is False  # restored


def test_a_pdf_that_makes_the_parser_log_leaves_stderr_empty(tmp_path):
    path = _write(tmp_path, "cv.pdf", hostile.log_leak_pdf("Zanzibar-Quetzal-7731, 12 Secret Lane"))
    result = _run("skills", str(path))
    assert result.returncode == 0 and "python" in result.stdout
    assert result.stderr == ""


def test_without_a_child_process_the_parser_logs_are_silenced_too(tmp_path, monkeypatch, capsys):
    path = _write(tmp_path, "cv.pdf", hostile.log_leak_pdf("Zanzibar-Quetzal-7731, 12 Secret Lane"))
    monkeypatch.delattr(os, "fork")  # as on Windows: the PDF is read in this process
    assert read_resume(path) == "Python developer"
    assert not [word for word in PERSONAL if word in capsys.readouterr().err]


# --------------------------------------------------------------------------- text sizes


def test_a_huge_text_resume_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "cv.txt"
    with path.open("wb") as file:
        file.truncate(200 * 1024 * 1024)  # sparse: no disk used, and not a byte read
    result = _run("match", str(path))
    line = _one_line_error(result, path)
    assert line.endswith(
        "200.0 MB in one file, over the limit of 16.0 MB"
        f" (set {ENV}=202 or more to read it; now 16)"
    )
    result = _run("skills", str(path), env={ENV: "not a number"})
    assert result.stderr.startswith(f"Error: {ENV}: expected a positive number of MB")


def test_resume_text_past_the_limit_is_refused_whatever_the_format(tmp_path):
    limits = Limits(max_input_mb=0.5)  # 32,768 characters
    words = "Python SQL Django " * 2000  # 36,000 characters
    for path in (
        _write(tmp_path, "cv.txt", words.encode()),
        _write(tmp_path, "cv.md", words.encode()),
    ):
        with pytest.raises(
            ResumeReadError, match="36,000 characters of text, over the limit of 32,768"
        ):
            read_resume(path, limits)
    path = _write(tmp_path, "cv.docx", hostile.docx(hostile.document_xml(hostile.paragraph(words))))
    with pytest.raises(ResumeReadError, match="characters of text, over the limit of 32,768"):
        read_resume(path, limits)
    assert read_resume(path, Limits(max_input_mb=1)).startswith("Python SQL")


def test_standard_input_is_read_no_further_than_the_limit(monkeypatch):
    import io

    class Stdin:
        buffer = io.BytesIO(b"x" * (2 * 1024 * 1024))

    monkeypatch.setattr(sys, "stdin", Stdin)
    with pytest.raises(ResumeReadError, match=r"^<stdin>: over 1\.0 MB in one file"):
        read_resume("-", Limits(max_input_mb=1))
    assert Stdin.buffer.tell() == 1024 * 1024 + 1


@pytest.mark.parametrize("value", ["0", "-3", "nan", "inf", "many"])
def test_the_setting_must_be_a_positive_number(monkeypatch, value):
    monkeypatch.setenv(ENV, value)
    with pytest.raises(MatcherError, match=f"^{ENV}: expected a positive number of MB"):
        Limits.from_env()


def test_the_setting_raises_every_limit_in_proportion(monkeypatch):
    monkeypatch.setenv(ENV, "32")
    raised, default = Limits.from_env(), Limits()
    for name in ("file_bytes", "text_chars", "docx_unzipped_bytes", "docx_ratio", "pdf_pages",
                 "pdf_seconds", "pdf_memory_bytes", "docx_parts"):  # fmt: skip
        assert getattr(raised, name) == 2 * getattr(default, name), name


# ------------------------------------------------------------------------- listings files


@pytest.mark.parametrize(
    "name, data, where",
    [
        ("deep.json", hostile.deep_json(100_000), ""),
        ("deep.json", (CASES / "deep1000.json").read_bytes(), ""),
        ("deep.json", b'[{"description": "x", "tags": ' + hostile.deep_json(500) + b"}]", ""),
        (
            "deep.jsonl",
            b'{"description": "x"}\n{"description": ' + hostile.deep_json(5000) + b"}\n",
            "line 2 ",
        ),
        ("deep.jsonl", b'{"description": "x", "a": ' + hostile.deep_json(900) + b"}\n", "line 1 "),
    ],
)
def test_deep_json_is_refused_in_one_line(tmp_path, name, data, where):
    path = _write(tmp_path, name, data)
    with pytest.raises(ListingFormatError) as info:
        load_listings(path)
    assert (
        str(info.value)
        == f"{path}: {where}nests values more than 64 levels deep (a listing needs 3)"
    )


def test_listings_files_read_whole_are_bounded(tmp_path):
    limits = Limits(max_input_mb=1)
    path = _write(tmp_path, "jobs.json", json.dumps([{"description": "x" * (2 << 20)}]).encode())
    with pytest.raises(ListingFormatError, match=r"2\.0 MB in one file, over the limit of 1\.0 MB"):
        load_listings(path, limits)


def test_a_streamed_record_or_description_past_the_limit_names_its_line(tmp_path):
    limits = Limits(max_input_mb=1)  # records of 1 MB, descriptions of 65,536 characters
    good = json.dumps({"description": "Python developer"}) + "\n"
    path = _write(
        tmp_path,
        "jobs.jsonl",
        (good + json.dumps({"description": "y" * (2 << 20)}) + "\n").encode(),
    )
    with pytest.raises(
        ListingFormatError, match=r"line 2 is over 1\.0 MB, over the limit of 1\.0 MB"
    ):
        load_listings(path, limits)
    path = _write(
        tmp_path, "jobs.jsonl", (good + json.dumps({"description": "y" * 70_000}) + "\n").encode()
    )
    with pytest.raises(
        ListingFormatError,
        match=r"line 2: a description of 70,000 characters, over the limit of 65,536",
    ):
        load_listings(path, limits)
    path = _write(tmp_path, "jobs.csv", b'title,description\nA,"' + b"z\n" * 600_000 + b'"\n')
    with pytest.raises(ListingFormatError, match="field larger than field limit"):
        load_listings(path, limits)


def test_streamed_files_decode_each_line_and_keep_separators_inside_records(tmp_path):
    path = _write(
        tmp_path,
        "jobs.jsonl",
        b'{"description": "Caf\xc3\xa9 Python\xe2\x80\xa8more"}\n{"description": "Caf\xe9 SQL"}\n',
    )
    # A line that is not UTF-8 is Windows-1252; U+2028 stands in a record, normalised later.
    assert [x.description for x in load_listings(path)] == [
        "Caf\u00e9 Python\nmore",
        "Caf\u00e9 SQL",
    ]
    path = _write(tmp_path, "jobs.csv", b'title,description\r\nA,"one\r\ntwo"\r\nB,caf\xe9\r\n')
    assert [x.description for x in load_listings(path)] == ["one\ntwo", "caf\u00e9"]


@pytest.mark.parametrize(
    "section", ["<![CDNTA[x]]>", "<![if !supportLists]>", "<![CDATA[x]]>", "<![ "]
)
def test_a_description_with_an_odd_marked_section_is_read(tmp_path, section):
    description = f"<p>Python developer</p>{section}<p>SQL and Django</p>"
    path = _write(tmp_path, "jobs.json", json.dumps([{"description": description}]).encode())
    text = load_listings(path)[0].description
    assert text.startswith("Python developer") and "Django" in text
