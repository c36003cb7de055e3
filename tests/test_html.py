"""The HTML report without a browser: what it holds, what it escapes, and writing it safely."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matcher.cli import ExitCode, app
from matcher.errors import OutputError
from matcher.models import (
    Coverage,
    GapReport,
    Listing,
    Match,
    MatchReport,
    MissingSkill,
    SkillContribution,
    SkillGap,
)
from matcher.output import is_own_output, write_output
from matcher.render import render, render_gaps
from matcher.render.html import safe_url

from .conftest import ROOT, resume_path

HOSTILE = Listing(
    id="x1",
    title='<script>alert("t")</script> Analyst',
    description="...",
    company="Evil & Sons",
    location="Remote",
    url="javascript:alert(1)",
    remote=True,
    employment_type="FULL_TIME",
    salary_min=50000,
    salary_max=60000,
    salary_currency="USD",
    salary_period="YEAR",
    date_posted="2026-11-01",
)
PLAIN = Listing(id="p1", title="Data Scientist", description="...", url="https://example.com/p1")


def _match(rank: int, listing: Listing, score: float) -> Match:
    return Match(
        rank=rank,
        score=score,
        listing=listing,
        matched=(SkillContribution("python", score / 2, 0.5, "tool", True),),
        missing=(
            MissingSkill("spark", 0.1, False, "tool"),
            MissingSkill("sql", 0.3, True, "tool"),
        ),
        parts={"skills": score / 2, "title": score / 4, "words": score / 4},
        coverage=Coverage(asked=3, covered=1, required=2, required_covered=1),
    )


GAPS = GapReport(
    gaps=(SkillGap("sql", "tool", 0.02, 2, (0.02, 0.02), 2), SkillGap("spark", "tool", 0.01, 1)),
    matches=(),
    listings_count=2,
)
REPORT = MatchReport(
    matches=(_match(1, PLAIN, 0.4), _match(2, HOSTILE, 0.2)),
    listings_count=2,
    listings_considered=2,
    gaps=GAPS,
)


def test_page_is_self_contained_and_escapes_listing_text():
    page = render(REPORT, "html")
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page  # the hostile title is text, and the page has no script
    assert "&lt;script&gt;" in page
    assert "javascript:" not in page  # not an http(s) link: the title is left unlinked
    assert '<a class="posting" href="https://example.com/p1"' in page
    # Nothing is fetched: no stylesheet, image, font or script from anywhere.
    assert not re.search(r"<link|<img|<iframe|src=|@import|url\(http", page)


def test_each_match_shows_score_parts_coverage_and_skills_required_first():
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", render(REPORT, "html"))).split())
    assert "0.400" in text and "0.200" in text
    assert "skills 50% · title 25% · words 25%" in text
    assert "covers 1 of 3 asked skills (required 1 of 2)" in text
    assert "python 50%" in text
    first = text.index("sql")
    assert first < text.index("spark", first)  # required before preferred
    assert "USD 50,000–60,000 a year" in text and "Remote" in text and "Full-time" in text


def test_gaps_chart_and_grid():
    page = render(REPORT, "html")
    assert 'id="gaps-heading"' in page and 'id="grid-heading"' in page
    # The longest bar is the first gap's: bars follow the order (gain times listings asking).
    widths = [float(w) for w in re.findall(r'<svg class="gain".*?width="([\d.]+)"', page)]
    assert widths == [100.0, 25.0]
    grid = page[page.index('<table class="grid">') : page.index("</table>")]
    assert grid.count('class="cell has"') == 2  # python, in both listings
    assert grid.count('class="cell lacks"') == 4  # sql and spark, in both
    assert '<th scope="row">' in grid and '<th scope="col"' in grid


def test_gap_report_has_an_html_page_too():
    page = render_gaps(GAPS, "html")
    assert "Skills to add" in page and "sql" in page


@pytest.mark.parametrize(
    ("url", "kept"),
    [("https://a.example/x", True), ("HTTP://a.example", True), ("javascript:x", False),
     ("data:text/html,x", False), ("", False), (None, False)],
)  # fmt: skip
def test_only_web_links_are_kept(url, kept):
    assert (safe_url(url) is not None) is kept


# -------------------------------------------------------------------------------- writing


def test_write_never_replaces_a_file_matcher_did_not_write(tmp_path):
    mine = tmp_path / "notes.html"
    mine.write_text("<!DOCTYPE html><p>my own page</p>")
    with pytest.raises(OutputError, match="not a report matcher wrote; use --force"):
        write_output(mine, render(REPORT, "html"))
    assert mine.read_text() == "<!DOCTYPE html><p>my own page</p>"
    write_output(mine, render(REPORT, "html"), force=True)
    assert is_own_output(mine)


@pytest.mark.parametrize("fmt", ["html", "json", "csv"])
def test_write_replaces_its_own_output_and_leaves_no_temporary_file(tmp_path, fmt):
    target = tmp_path / f"report.{fmt}"
    write_output(target, render(REPORT, fmt))
    assert is_own_output(target)
    write_output(target, render(MatchReport((), 0), fmt))
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


@pytest.mark.parametrize("fmt", ["html", "json", "csv", "markdown", "table"])
def test_a_file_that_only_looks_like_a_report_is_not_ours(tmp_path, fmt):
    """Matcher's header, keys or generator tag in a file matcher did not write prove nothing:
    a user's own CSV with matcher's header line, a report copied from elsewhere."""
    target = tmp_path / f"report.{fmt}"
    target.write_text(render(REPORT, fmt), encoding="utf-8")
    assert not is_own_output(target)
    (tmp_path / "data.json").write_text('{"matches": []}')
    assert not is_own_output(tmp_path / "data.json")


@pytest.mark.parametrize("fmt", ["html", "json", "csv", "markdown", "table"])
def test_a_report_matcher_wrote_is_replaced_and_an_edited_one_is_not(tmp_path, fmt, data_dir):
    target = tmp_path / f"report.{fmt}"
    write_output(target, render(REPORT, fmt))
    assert is_own_output(target)
    write_output(target, render(MatchReport((), 0), fmt))  # its own: replaced
    assert target.read_text(encoding="utf-8") == render(MatchReport((), 0), fmt)
    with target.open("a", encoding="utf-8") as file:
        file.write("my notes on these jobs\n")  # JSON no longer parses: still not to be lost
    assert not is_own_output(target)
    with pytest.raises(OutputError, match="not a report matcher wrote"):
        write_output(target, render(REPORT, fmt))
    assert target.read_text(encoding="utf-8").endswith("my notes on these jobs\n")
    record = (data_dir / "written.json").read_text(encoding="utf-8")
    assert str(target.resolve()) in record and "Machine" not in record  # paths and digests only


def test_the_record_of_reports_is_bounded_and_a_damaged_one_proves_nothing(
    tmp_path, data_dir, monkeypatch
):
    import matcher.output as output

    monkeypatch.setattr(output, "_KEEP_WRITTEN", 3)
    for number in range(5):
        write_output(tmp_path / f"r{number}.md", render(REPORT, "markdown"))
    assert [is_own_output(tmp_path / f"r{n}.md") for n in range(5)] == [False] * 2 + [True] * 3
    (data_dir / "written.json").write_text("{not json", encoding="utf-8")
    assert not is_own_output(tmp_path / "r4.md")
    write_output(tmp_path / "r5.md", render(REPORT, "markdown"))  # a damaged record is replaced
    assert is_own_output(tmp_path / "r5.md")


def test_write_refuses_a_folder(tmp_path):
    with pytest.raises(OutputError, match="is a folder"):
        write_output(tmp_path, "x")


def test_cli_writes_html_from_the_file_name_and_refuses_to_overwrite(tmp_path):
    runner = CliRunner()
    resume = str(resume_path("ml_scientist"))
    target = tmp_path / "report.html"
    done = runner.invoke(app, ["match", resume, "-n", "3", "-o", str(target)])
    assert done.exit_code == ExitCode.OK, done.output
    assert done.stdout == "" and f"Wrote {target}" in done.stderr
    assert target.read_text().count('<article class="match"') == 3
    other = tmp_path / "cv.html"
    other.write_text("<html>my cv</html>")
    refused = runner.invoke(app, ["match", resume, "-o", str(other)])
    assert refused.exit_code == ExitCode.BAD_INPUT
    assert (
        refused.stderr
        == f"Error: {other}: exists and is not a report matcher wrote; use --force to replace it\n"
    )
    assert other.read_text() == "<html>my cv</html>"


def test_the_readme_screenshot_is_kept():
    shot = ROOT / "docs" / "report.png"
    assert shot.read_bytes().startswith(b"\x89PNG")
    assert "docs/report.png" in (ROOT / "README.md").read_text()


def test_templates_ship_with_the_package():
    import matcher.render

    folder = Path(matcher.render.__file__).parent / "templates"
    assert (folder / "report.html.j2").is_file()
