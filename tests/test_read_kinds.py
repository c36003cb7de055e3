"""Other inputs of the kinds the field cases reproduce, written for this project."""

from __future__ import annotations

import codecs
import json
import re
import subprocess
import sys
import zlib

import pytest
from typer.testing import CliRunner

from matcher import extract_skills, load_listings, read_resume
from matcher.analyse import sentences
from matcher.cli import app
from matcher.read import normalise, read_resume_text
from matcher.read.markup import html_to_text, markdown_to_text
from matcher.settings import Settings

from . import hostile


def skills_of(text: str) -> set[str]:
    return {skill.name for skill in extract_skills(text)}


# --------------------------------------------------------------------------- normalisation

NORMALISED = {
    "full-width letters": ("Ｐｙｔｈｏｎ and C＃", "Python and C#"),
    "music sharp": ("C\u266f and F\u266f", "C# and F#"),
    "zero-width space": ("Kuber\u200bnetes", "Kubernetes"),
    "word joiner": ("Post\u2060greSQL", "PostgreSQL"),
    "soft hyphen": ("Terra\u00adform", "Terraform"),
    "byte-order mark inside": ("Py\ufeffthon", "Python"),
    "ligatures ff, ffl, st": ("e\ufb00ort, ba\ufb04e, \ufb06ack", "effort, baffle, stack"),
    "no-break space": ("Power\u00a0BI", "Power BI"),
    "entities": ("Queen&#39;s Hospital &amp; R&D &nbsp;AT&T", "Queen's Hospital & R&D  AT&T"),
    "line separators": ("one\u2028two\r\nthree\rfour", "one\ntwo\nthree\nfour"),
    "known word rejoined": ("ran Kuber-\nnetes clusters", "ran Kubernetes\nclusters"),
    "word seen whole elsewhere": (
        "a gizmo-\nwidget and a gizmowidget",
        "a gizmowidget\nand a gizmowidget",
    ),
    "unknown join kept": ("data-\ndriven teams", "data-\ndriven teams"),
    "vulgar fraction lengthened": ("\u00bc cup", "1\u20444 cup"),
    "ascii untouched": ("Python, SQL; C++ & C#", "Python, SQL; C++ & C#"),
}


@pytest.mark.parametrize("name", sorted(NORMALISED))
def test_normalise(name):
    given, expected = NORMALISED[name]
    assert normalise(given) == expected


def test_normalise_knows_the_builtin_skills_words_without_importing_skills():
    """read/ stands below skills/: the words come from the vocabulary's file, the same ones."""
    code = (
        "import sys; from matcher.read import normalise;"
        "print(normalise('ran Kuber-\\nnetes'));"
        "print(sorted(m for m in sys.modules if m.startswith('matcher.skills')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[:3] == ["ran Kubernetes", "", "[]"]
    from matcher.read.normalise import builtin_skill_words
    from matcher.skills import builtin_vocabulary

    assert "kubernetes" in builtin_skill_words()
    assert builtin_skill_words() == {
        word.lower()
        for row in builtin_vocabulary().rows
        for field in ("name", "aliases", "ambiguous")
        for word in re.findall(r"[^\W\d_]{2,}", row[field])
    }


def test_spans_point_into_the_text_read_resume_returns(tmp_path):
    path = tmp_path / "cv.txt"
    path.write_text("Skills: Ｐｙｔｈｏｎ, Snow\ufb02ake, Kuber\u00adnetes\n", encoding="utf-8")
    text = read_resume(path)
    spans = {s.name: [text[a:b] for a, b in s.spans] for s in extract_skills(text)}
    assert spans["python"] == ["Python"] and spans["kubernetes"] == ["Kubernetes"]
    assert spans["snowflake (data warehouse)"] == ["Snowflake"]


# --------------------------------------------------------------------------- HTML and Markdown


def test_html_blocks_lists_tables_and_hidden_parts():
    html = (
        "<html><head><title>Job</title><style>p{}</style></head><body>"
        "<h2>What you'll do</h2><ol><li>Ship <a href='https://x.io/react-native'>APIs</a></li>"
        "<li>Line one<br>line two</li></ol><script>var python = 1;</script>"
        "<table><tr><th>Tool</th><th>Years</th></tr><tr><td>SQL</td><td>3</td></tr></table>"
        "<img src='go-logo.png' alt='Go'><p>Pay &pound;40k&#8211;50k</p></body></html>"
    )
    assert html_to_text(html) == (
        "What you'll do\n- Ship APIs\n- Line one\nline two\nTool | Years\nSQL | 3\nPay £40k–50k"
    )


def test_markdown_headings_lists_links_and_escapes():
    markdown = (
        "Senior Role\n===========\n\n1. First *item*\n2. Second `code`\n\n"
        "### Requirements\n+ [Rust](https://example.com/golang) \\*required\\*\n"
    )
    assert markdown_to_text(markdown) == (
        "Senior Role\n- First item\n- Second code\n\nRequirements\n- Rust *required*"
    )


def test_markdown_resume_headings_still_open_sections(tmp_path):
    path = tmp_path / "jobs.jsonl"
    description = "# About us\nWe sell tea.\n\n# What you bring\n- Excel and SQL\n"
    path.write_text(json.dumps({"title": "Analyst", "description": description}) + "\n")
    (listing,) = load_listings(path)
    kinds = {s.text: s.kind for s in sentences(listing.description, Settings())}
    assert kinds == {"We sell tea.": "company", "Excel and SQL": "requirements"}


def test_plain_text_listing_is_left_as_written(tmp_path):
    path = tmp_path / "jobs.json"
    text = "Build models in Python.\nShip them on AWS; measure 5 < 6 & 7 > 3."
    path.write_text(json.dumps([{"title": "Scientist", "description": text}]))
    assert load_listings(path)[0].description == text


# --------------------------------------------------------------------------- schema.org and fields


def test_json_ld_graph_remote_salary_and_nested_fields(tmp_path):
    posting = {
        "@type": "JobPosting",
        "title": "Nurse &amp; Midwife",
        "hiringOrganization": {"@type": "Organization", "name": "Queen&#39;s Hospital"},
        "jobLocationType": "TELECOMMUTE",
        "jobLocation": [
            {"@type": "Place", "address": {"addressLocality": "Leeds", "addressCountry": "GB"}},
            {"@type": "Place", "address": {"addressLocality": "York", "addressCountry": "GB"}},
        ],
        "employmentType": ["FULL_TIME", "PART_TIME"],
        "datePosted": "2024-01-02",
        "baseSalary": {
            "@type": "MonetaryAmount",
            "currency": "GBP",
            "value": {
                "@type": "QuantitativeValue",
                "minValue": 30000,
                "maxValue": 36000,
                "unitText": "YEAR",
            },
        },
        "description": "<p>Care for patients.</p>",
    }
    path = tmp_path / "page.json"
    other = {"@type": "Organization", "name": "Not a job"}
    path.write_text(json.dumps({"@context": "https://schema.org", "@graph": [other, posting]}))
    (listing,) = load_listings(path)
    assert (listing.title, listing.company) == ("Nurse & Midwife", "Queen's Hospital")
    assert listing.location == "Leeds, GB; York, GB"
    assert listing.remote is True and listing.employment_type == "FULL_TIME; PART_TIME"
    assert (listing.salary_min, listing.salary_max, listing.salary_currency) == (
        30000.0,
        36000.0,
        "GBP",
    )
    assert listing.salary_period == "YEAR" and listing.date_posted == "2024-01-02"
    assert listing.description == "Care for patients."


def test_nhs_columns(tmp_path):
    record = {
        "id": "9",
        "title": "Staff Nurse",
        "description": "Band 5 ward nurse.",
        "hiring_org": "Leeds Teaching Hospitals",
        "locality": "LEEDS",
        "employment_type": "FULL_TIME",
        "date_posted": "2019-05-01T10:00:00+0000",
    }
    path = tmp_path / "nhs.jsonl"
    path.write_text(json.dumps(record) + "\n")
    (listing,) = load_listings(path)
    assert (listing.company, listing.location) == ("Leeds Teaching Hospitals", "LEEDS")
    assert listing.employment_type == "FULL_TIME" and listing.date_posted.startswith("2019")
    assert listing.remote is None and listing.salary_min is None


# --------------------------------------------------------------------------- spreadsheets

ROWS = [["title", "company", "description"], ["Data Analyst", "Acme; Ltd", "SQL, Excel; Python"]]


@pytest.mark.parametrize(
    ("name", "delimiter", "encoding"),
    [
        ("semicolon.csv", ";", "utf-8"),  # Excel where the decimal separator is a comma
        ("tab.csv", "\t", "utf-8"),
        ("pipe.csv", "|", "utf-8"),
        ("comma.csv", ",", "utf-8"),
        ("unicode-text.txt", "\t", "utf-16"),  # Excel's "Unicode Text"
    ],
)
def test_spreadsheet_dialects(tmp_path, name, delimiter, encoding):
    import csv
    import io

    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(ROWS)
    path = tmp_path / name
    path.write_bytes(out.getvalue().encode(encoding))  # utf-16 writes its byte-order mark
    (listing,) = load_listings(path)
    assert (listing.title, listing.company) == ("Data Analyst", "Acme; Ltd")
    assert listing.description == "SQL, Excel; Python"


def test_jobspy_backslash_escapes_undone(tmp_path):
    path = tmp_path / "jobs.csv"
    path.write_text('"title","description"\n"Dev","C:\\\\tools and \\\\*nix, ""quoted"""\n')
    assert load_listings(path)[0].description == 'C:\\tools and *nix, "quoted"'


def test_semicolon_csv_without_description_column_says_how_it_was_read(tmp_path):
    from matcher import ListingFormatError

    path = tmp_path / "jobs.csv"
    path.write_text("titel;beschreibung\nA;B\n")
    with pytest.raises(ListingFormatError, match="found: titel, beschreibung; read as semicolon"):
        load_listings(path)


def test_txt_that_alternates_locations_is_still_a_saved_page(tmp_path):
    path = tmp_path / "page.txt"
    path.write_text("US, WA, Seattle\nBuild models in Python.\nDE, Berlin\nShip React apps.\n")
    listings = load_listings(path)
    assert [x.location for x in listings] == ["US, WA, Seattle", "DE, Berlin"]


def test_txt_starting_it_with_prose_is_one_posting(tmp_path):
    path = tmp_path / "one.txt"
    path.write_text("IT\nSupport Technician\nFix laptops.\n")
    (listing,) = load_listings(path)
    assert listing.description.startswith("IT\nSupport Technician")


# --------------------------------------------------------------------------- skill spans

NOT_SKILLS = {
    "name line": (
        "Ruby Jenkins\nPayroll Accountant\nPayroll and month-end close.",
        {"ruby", "jenkins"},
    ),
    "title and name": ("Referred by Dr. Ruby Jenkins for payroll work.", {"ruby", "jenkins"}),
    "references": ("References: Ruby Jenkins, Finance Director", {"ruby", "jenkins"}),
    "recruiter": ("Please contact our recruiter Ruby Jenkins.", {"ruby", "jenkins"}),
    "e-mail": ("Write to ruby.jenkins@python.org today.", {"ruby", "jenkins", "python"}),
    "web address": (
        "See https://github.com/me/kubernetes-terraform-demo now.",
        {"kubernetes", "terraform"},
    ),
    "bullet": ("- Trained the deep\n- Learning team on Excel", {"deep learning"}),
}


@pytest.mark.parametrize("name", sorted(NOT_SKILLS))
def test_not_skills(name):
    text, absent = NOT_SKILLS[name]
    assert not absent & skills_of(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Skills: Ruby, Jenkins",
        "Senior Ruby Developer\nWe build Ruby services with Jenkins pipelines.",
        "Technical Skills\nRuby\nJenkins\n\nExperience\nBuilt things.",
    ],
)
def test_skills_beside_names_still_count(text):
    assert {"ruby", "jenkins"} <= skills_of(text)


def test_wrapped_sentence_keeps_its_phrase():
    assert "gradient boosting" in skills_of(
        "Built a churn model with gradient\nboosting on claims."
    )


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Technical Skills\nGo, Swift\nR", {"golang", "swift (language)", "r"}),
        ("Tech stack: Go", {"golang"}),
        ("Go to the office on Mondays with Python notes.", set()),
        ("Python, R and SQL", {"r"}),
    ],
)
def test_ambiguous_names_with_and_without_support(text, found):
    ambiguous = {"golang", "swift (language)", "r"}
    assert skills_of(text) & ambiguous == found


# --------------------------------------------------------------------------- untrusted PDF text


def _pdf(lines: list[str]) -> bytes:
    """Return a one-page PDF showing ``lines`` in Helvetica, one per text line."""
    content = (
        "BT /F1 11 Tf 14 TL 72 720 Td "
        + " ".join(
            "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '"
            for line in lines
        )
        + " ET"
    )
    stream = zlib.compress(content.encode("latin-1"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return hostile.pdf(objects)


SPACED = [
    "S e n i o r  D a t a  E n g i n e e r",
    "B u i l t  p i p e l i n e s  i n  P y t h o n  a n d  S p a r k",
    "K u b e r n e t e s ,  T e r r a f o r m ,  S Q L",
]


def test_fragmented_pdf_text_is_reported(tmp_path):
    path = tmp_path / "cv.pdf"
    path.write_bytes(_pdf(SPACED))
    read = read_resume_text(path)
    (warning,) = read.warnings
    assert warning.startswith(f"{path}: the text looks fragmented (")
    assert "Python" not in warning  # never quotes the resume


def test_clean_pdf_has_no_warning(tmp_path):
    path = tmp_path / "cv.pdf"
    path.write_bytes(_pdf(["Senior Data Engineer", "Built pipelines in Python and Spark", "SQL"]))
    read = read_resume_text(path)
    assert read.warnings == () and "Built pipelines in Python and Spark" in read.text


def test_cli_reports_fragmented_text_on_stderr_and_in_json(tmp_path):
    path = tmp_path / "cv.pdf"
    path.write_bytes(_pdf(SPACED))
    result = CliRunner().invoke(app, ["match", str(path), "--top", "1", "--format", "json"])
    assert result.exit_code == 0
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"Warning: {path}: the text looks fragmented")
    assert json.loads(result.stdout)["warnings"] == [line.removeprefix("Warning: ")]
    skills = CliRunner().invoke(app, ["skills", str(path), "--format", "json"])
    assert json.loads(skills.stdout)["warnings"] == [line.removeprefix("Warning: ")]


# --------------------------------------------------------------------------- DOCX containers


def _docx(tmp_path, body_xml: str, footer: str | None = None):
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    wrapper = parse_xml(f"<w:body {ns}>{body_xml}</w:body>")
    body = document.element.body
    for child in list(wrapper):
        body.insert(len(body) - 1, child)  # before the section properties
    if footer:
        document.sections[0].footer.paragraphs[0].text = footer
    path = tmp_path / "cv.docx"
    document.save(path)
    return path


def _p(inner: str) -> str:
    return f"<w:p>{inner}</w:p>"


def _r(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def test_docx_moves_row_controls_nested_tables_and_footer(tmp_path):
    body = (
        _p(_r("Tools: ") + f"<w:moveFrom>{_r('SPSS, ')}</w:moveFrom>" + _r("Excel"))
        + _p(f"<w:moveTo>{_r('Moved: Snowflake')}</w:moveTo>")
        + "<w:tbl><w:sdt><w:sdtContent><w:tr><w:tc>"
        + _p(_r("Row control"))
        + "</w:tc><w:tc><w:tbl><w:tr><w:tc>"
        + _p(_r("Nested dbt"))
        + "</w:tc></w:tr></w:tbl></w:tc></w:tr></w:sdtContent></w:sdt></w:tbl>"
        + _p("<w:del><w:r><w:delText>Deleted Fortran</w:delText></w:r></w:del>")
    )
    text = read_resume(_docx(tmp_path, body, footer="Footer: Looker"))
    lines = text.split("\n")
    assert "Tools: Excel" in lines and "Moved: Snowflake" in lines
    assert "Row control | Nested dbt" in lines
    assert lines[-1] == "Footer: Looker"
    assert "SPSS" not in text and "Fortran" not in text


def test_utf16_text_resume_is_read(tmp_path):
    path = tmp_path / "cv.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + "Skills: Python\u00a0and SQL".encode("utf-16-le"))
    assert read_resume(path) == "Skills: Python and SQL"
