"""The field cases of issue 10, each as its README expects (inputs in tests/data/field_cases/).

Each test names its case folder; the folder's README in ../shared/field_cases/ says what the
input reproduces and what a user expects.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matcher import extract_skills, load_listings, match_files, read_resume
from matcher.analyse import sentences
from matcher.cli import app
from matcher.read import read_resume_text
from matcher.settings import Settings

from .conftest import LISTINGS

CASES = Path(__file__).parent / "data" / "field_cases"


def case(name: str) -> Path:
    return CASES / name


def skills_of(text: str) -> set[str]:
    return {skill.name for skill in extract_skills(text)}


def missing(resume: Path, listing: Path) -> set[str]:
    (match,) = match_files(resume, [listing], top_k=1).matches
    return {gap.skill for gap in match.missing}


# --------------------------------------------------------------------------- 02, 03: short names

C_PROBES = {  # 02-single-letter-c-r/probes: does the line name the C language?
    "p01.txt": True,  # Languages: C
    "p02.txt": True,  # Programming Languages: C, HTML, CSS, Java, ...
    "p03.txt": False,  # We're a Series C company hiring a Python engineer.
    "p04.txt": False,  # Brief C-suite executives using Python notebooks.
    "p05.txt": False,  # Vitamin C research with Python and R.
    "p06.txt": False,  # Grade: C in Java programming
    "p07.txt": True,  # Python, C, R
    "p10.txt": True,  # Languages: Python/C/Java
}


@pytest.mark.parametrize("probe", sorted(C_PROBES))
def test_02_single_letter_c_needs_a_list_or_a_languages_line(probe):
    text = (case("02-single-letter-c-r") / "probes" / probe).read_text()
    assert ("c" in skills_of(text)) is C_PROBES[probe], text


def test_02_series_c_listing_does_not_ask_for_c():
    folder = case("02-single-letter-c-r")
    assert "c" not in missing(folder / "resume_python.txt", folder / "listing_series_c.txt")
    assert "c" not in skills_of((folder / "listing_false_positives.txt").read_text())


def test_02_true_c_resume_keeps_c_and_r_and_no_phrase_across_lines():
    text = (case("02-single-letter-c-r") / "resume_true_c.txt").read_text()
    found = skills_of(text)
    assert {"c", "r", "java", "vhdl"} <= found
    assert "assembly language" not in found  # "Assembly\nLanguages" is two lines


@pytest.mark.parametrize(
    "probe", ["p01.txt", "p02.txt", "p03.txt", "p07.txt", "p10.txt", "p11.txt", "p12.txt"]
)
def test_03_node_counts_beside_express_and_mongodb(probe):
    text = (case("03-js-variants-hyphens") / "probes" / probe).read_text()
    assert "node.js" in skills_of(text), text


def test_03_mern_resume_matches_node_listing():
    folder = case("03-js-variants-hyphens")
    assert "node.js" not in missing(folder / "resume_mern.txt", folder / "listing.txt")


# --------------------------------------------------------------------------- 04, 05, 08: PDF text


def test_04_two_column_pdf_reads_columns_in_order():
    folder = case("04-pdf-two-column")
    text = read_resume(folder / "resume_two_column.pdf")
    assert "gradient\nboosting" in text or "gradient boosting" in text
    # The sidebar is a block of its own, not spliced into the main column's sentences.
    assert "Apache Spark Designed" not in text and "Power BI boosting" not in text
    expected = read_resume(folder / "resume_expected.txt")
    assert skills_of(text) == skills_of(expected)
    pdf_missing = missing(folder / "resume_two_column.pdf", folder / "listing.txt")
    assert "gradient boosting" not in pdf_missing
    assert pdf_missing == missing(folder / "resume_expected.txt", folder / "listing.txt")


def test_05_pdf_ligatures_read_as_plain_letters():
    folder = case("05-pdf-ligatures")
    text = read_resume(folder / "resume_ligatures.pdf")
    assert "\ufb02" not in text and "\ufb03" not in text and "Snowflake" in text
    plain = skills_of(read_resume(folder / "resume_plain.txt"))
    assert len(plain) == 9
    assert skills_of(text) == plain == skills_of(read_resume(folder / "resume_shaped.pdf"))
    gone = {"apache airflow", "financial reporting", "microsoft office", "snowflake"}
    assert not gone & missing(folder / "resume_ligatures.pdf", folder / "listing.txt")


@pytest.mark.parametrize("name", ["resume_hyphenated.pdf", "resume_soft_hyphens.txt"])
def test_08_hyphenated_and_soft_hyphenated_words_are_joined(name):
    folder = case("08-hyphenation-soft-hyphen")
    found = skills_of(read_resume(folder / name))
    assert {"kubernetes", "postgresql", "terraform", "incident management"} <= found
    assert found == skills_of(read_resume(folder / "resume_expected.txt"))


# --------------------------------------------------------------------------- 09, 10, 11: DOCX


def test_09_docx_text_box_is_read_once():
    folder = case("09-docx-textbox")
    text = read_resume(folder / "resume_textbox.docx")
    assert text.count("Apache Spark") == 1  # the DrawingML box, not its VML fallback too
    assert not {"python", "apache spark", "kubernetes", "terraform", "tableau"} & missing(
        folder / "resume_textbox.docx", folder / "listing.txt"
    )
    assert skills_of(text) == skills_of((folder / "resume_expected.txt").read_text())


def test_10_docx_content_controls_are_read():
    folder = case("10-docx-content-controls")
    text = read_resume(folder / "resume_sdt.docx")
    assert "Current role: Senior Java Developer (Spring Boot, Kafka)" in text
    wanted = {"java", "spring boot", "apache kafka", "postgresql", "docker", "kubernetes"}
    assert wanted | {"jenkins", "amazon web services"} <= skills_of(text)
    report = match_files(folder / "resume_sdt.docx", [folder / "listing.txt", LISTINGS], top_k=1)
    assert report.matches[0].listing.title == "Senior Java Developer"


def test_11_docx_header_read_once():
    text = read_resume(case("11-docx-header-tracked-hyperlink") / "resume_header.docx")
    assert text.count("Senior Data Analyst | SQL, Tableau, Python, Looker") == 1
    assert {"sql", "tableau", "python", "looker"} <= skills_of(text)


def test_11_docx_tracked_insertions_in_deletions_out():
    text = read_resume(case("11-docx-header-tracked-hyperlink") / "resume_tracked.docx")
    assert "Tools: Excel, Snowflake, dbt, Tableau" in text and "SPSS" not in text


def test_11_docx_hyperlinks_in_table_cells():
    text = read_resume(case("11-docx-header-tracked-hyperlink") / "resume_hyperlinks.docx")
    assert "Churn dashboard in Power BI" in text
    assert {"power bi", "forecasting", "python"} <= skills_of(text)


# --------------------------------------------------------------------------- 12, 13: markup


def test_12_jobspy_csv_markdown_headings_and_escapes():
    folder = case("12-jobspy-csv-markdown")
    robotics, analyst = load_listings(folder / "jobs.csv")
    assert (robotics.title, robotics.company, robotics.location) == (
        "Robotics Software Engineer",
        "Brightwave Robotics",
        "Pittsburgh, PA, US",
    )
    assert "*nix" in robotics.description and "\\" not in robotics.description
    assert "snake_case" in robotics.description and "**" not in robotics.description
    kinds = {s.kind for s in sentences(robotics.description, Settings()) if "C++" in s.text}
    assert kinds == {"responsibilities", "requirements"}
    assert (robotics.remote, robotics.employment_type, robotics.date_posted) == (
        False,
        "fulltime",
        "2024-05-02",
    )
    assert (robotics.salary_min, robotics.salary_max) == (140000.0, 175000.0)
    assert (robotics.salary_currency, robotics.salary_period) == ("USD", "yearly")
    assert analyst.remote is True


def test_12_requirements_under_bold_headings_are_asked_for():
    folder = case("12-jobspy-csv-markdown")
    report = match_files(folder / "resume.txt", [folder / "jobs.csv"], top_k=2)
    robotics = next(m for m in report.matches if m.listing.title.startswith("Robotics"))
    asked = {gap.skill for gap in robotics.missing}
    assert {"c++", "ci/cd", "cuda", "motion planning"} <= asked
    control = match_files(folder / "resume.txt", [folder / "jobs_plain_headings.json"], top_k=2)
    plain = next(m for m in control.matches if m.listing.title.startswith("Robotics"))
    assert asked == {gap.skill for gap in plain.missing}


@pytest.mark.parametrize(
    "variant",
    [
        "About Us\n--------\n\nAcme makes robots.\n\n**Requirements:**\n\n* C++ and ROS\n",
        "## About Us\nAcme makes robots.\n\n## Requirements\n- C++ and ROS\n",
        "**About Us**\nAcme makes robots.\n\n**Requirements**\n* C++ and ROS\n",
        "<h3>About Us</h3><p>Acme makes robots.</p><h3>Requirements</h3><ul><li>C++ and ROS</li></ul>",
    ],
)
def test_12_sections_probe_every_heading_form(tmp_path, variant):
    path = tmp_path / "one.json"
    path.write_text(json.dumps([{"title": "Robotics Engineer", "description": variant}]))
    (listing,) = load_listings(path)
    kinds = {s.text: s.kind for s in sentences(listing.description, Settings())}
    assert kinds == {"Acme makes robots.": "company", "C++ and ROS": "requirements"}


def test_13_schema_org_job_posting_fields():
    folder = case("13-schemaorg-jobposting-json")
    first, second = load_listings(folder / "jobpostings.json")
    assert (first.company, first.location) == ("Kestrel Pay", "Lisbon, Lisboa, PT")
    assert (second.company, second.location) == ("Oakridge Mutual", "Porto, PT")
    assert (first.employment_type, first.date_posted) == ("FULL_TIME", "2024-04-18")
    assert first.url == "https://jobs.kestrelpay.example/be-2231"
    for listing in (first, second):
        words = set(listing.description.lower().split())
        assert not {"<li>", "li", "ul", "strong", "nbsp", "amp", "39", "lt", "gt"} & words
    assert "Requirements\n- 5+ years with Go or Java" in first.description
    report = match_files(folder / "resume.txt", [folder / "jobpostings.json"], location="Lisbon")
    assert [m.listing.company for m in report.matches] == ["Kestrel Pay"]


def test_13_html_and_plain_text_of_a_posting_score_the_same():
    folder = case("13-schemaorg-jobposting-json")
    listings = load_listings(folder / "html_vs_plain.json")
    # The HTML reads as the same text as the plain version, so the two collapse into one.
    assert len(listings) == 1 and listings.duplicates_dropped == 1
    assert listings[0].description.startswith("About Kestrel Pay\nWe move money")


# --------------------------------------------------------------------------- 15, 17: skill spans


def test_15_no_skill_across_lines_or_bullets():
    folder = case("15-phrase-across-lines")
    found = skills_of(read_resume(folder / "resume.txt"))
    assert not {"computer vision", "supply chain management", "machine learning"} & found
    crossing = {"data analysis", "machine learning", "project management", "customer service"}
    for probe in sorted((folder / "probes").glob("*.txt")):
        assert not crossing & skills_of(probe.read_text()), probe.name


def test_15_nurse_resume_shares_no_skill_with_the_ml_listing():
    folder = case("15-phrase-across-lines")
    report = match_files(folder / "resume.txt", [folder / "listing.txt"], top_k=1)
    (match,) = report.matches
    assert match.listing.title == "Machine Learning Engineer" and match.matched == ()


def test_17_markdown_resume_link_targets_are_not_skills():
    text = read_resume(case("17-markdown-resume-links") / "resume.md")
    found = skills_of(text)
    assert {"typescript", "javascript", "html", "css", "vue.js", "nuxt.js"} <= found
    assert "cypress (testing)" in found
    assert not {"react native", "golang", "django", "angular"} & found
    (typescript,) = (s for s in extract_skills(text) if s.name == "typescript")
    assert all(text[a:b] == "TypeScript" for a, b in typescript.spans)
    assert "https://github.com" not in text and "shields.io" not in text


# --------------------------------------------------------------------------- 20: one posting


@pytest.mark.parametrize("name", ["listing_hr.txt", "listing_qa.txt", "listing_designer.txt"])
def test_20_one_posting_txt_whatever_its_first_line(name):
    (listing,) = load_listings(case("20-txt-listing-first-line") / name)
    assert listing.location is None
    assert listing.title in (
        "People Operations Specialist",
        "QA Engineer",
        "Senior Product Designer",
    )


def test_20_cli_skills_of_a_posting_starting_hr():
    path = case("20-txt-listing-first-line") / "listing_hr.txt"
    result = CliRunner().invoke(app, ["skills", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    names = {s["name"] for s in json.loads(result.stdout)["documents"][0]["skills"]}
    assert {"workday (software)", "microsoft excel", "hris"} <= names


def test_read_resume_text_has_no_warning_for_clean_cases():
    for path in (
        case("04-pdf-two-column") / "resume_two_column.pdf",
        case("05-pdf-ligatures") / "resume_ligatures.pdf",
    ):
        assert read_resume_text(path).warnings == ()
