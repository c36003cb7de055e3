"""The market-wide gap report: missing skills ranked by the exact score gain of adding them."""

from __future__ import annotations

import html
import json

import numpy as np
import pytest

from matcher import Listing, Matcher, read_resume
from matcher.analyse import SKILL_PREFIX
from matcher.api import gap_files
from matcher.search.kernels import cosine_scores
from matcher.search.query import query_vector

from .conftest import LISTINGS, PROFILES, resume_path
from .test_cli import run


def _rescored(matcher: Matcher, text: str, rows: list[int], skill: str | None) -> np.ndarray:
    """Score ``rows`` from scratch, with the resume's terms plus the skill once."""
    terms = matcher._analyzer.query_terms(text) + ([SKILL_PREFIX + skill] if skill else [])
    return cosine_scores(matcher.index_, *query_vector(matcher.index_, terms))[rows]


@pytest.mark.parametrize("profile", PROFILES)
def test_gains_equal_a_direct_rescore_with_the_skill_added(default_matcher, profile):
    text = read_resume(resume_path(profile))
    report = default_matcher.gaps(text, top=5)
    rows = [default_matcher.listings.index(m.listing) for m in report.matches]
    before = _rescored(default_matcher, text, rows, None)
    assert report.gaps
    for gap in report.gaps:
        after = _rescored(default_matcher, text, rows, gap.skill)
        np.testing.assert_allclose(after - before, gap.gains, atol=1e-12)
        asking = [
            i for i, m in enumerate(report.matches) if gap.skill in {s.skill for s in m.missing}
        ]
        assert len(asking) == gap.asked_by
        assert gap.gain == pytest.approx(float(np.mean((after - before)[asking])), abs=1e-12)
        assert gap.gain > 0  # a skill that would not raise the scores is never advised
        skill = default_matcher._analyzer.vocabulary.get(gap.skill)
        assert skill is not None and gap.kind == skill.kind and gap.kind != "soft"


def test_gaps_are_ranked_by_gain_and_counted_over_the_listings(default_matcher):
    text = read_resume(resume_path("economist"))
    report = default_matcher.gaps(text, top=6)
    assert len(report.matches) == 6
    totals = [g.gain * g.asked_by for g in report.gaps]
    assert totals == sorted(totals, reverse=True)
    resume_skills = set(default_matcher._analyzer.skill_terms(text))
    for gap in report.gaps:
        asking = [m for m in report.matches if gap.skill in {s.skill for s in m.missing}]
        requiring = [
            m for m in asking if any(s.skill == gap.skill and s.required for s in m.missing)
        ]
        assert gap.asked_by == len(asking) > 0 and gap.required_by == len(requiring)
        assert gap.skill not in resume_skills
        for before, after in gap.moves:
            assert 1 <= after <= 6 and 1 <= before <= 6 and before != after
    # every missing skill of the top listings is in the report once, or counted as left out
    missing = {s.skill for m in report.matches for s in m.missing}
    assert {g.skill for g in report.gaps} <= missing
    assert len(missing) == len(report.gaps) + report.not_helping + report.kinds_left_out


def test_soft_skills_are_left_out_unless_asked_for(default_matcher):
    text = read_resume(resume_path("ml_scientist"))
    default = default_matcher.gaps(text, top=10)
    every = default_matcher.gaps(text, top=10, kinds={"tool", "knowledge", "practice", "soft"})
    assert all(g.kind != "soft" for g in default.gaps)
    soft = [g for g in every.gaps if g.kind == "soft"]
    assert default.kinds_left_out >= len(soft) and every.kinds_left_out == 0
    assert {g.skill for g in default.gaps} == {g.skill for g in every.gaps if g.kind != "soft"}


def test_a_skill_asked_by_more_listings_gains_more():
    listings = [
        Listing("1", "A", "Requirements: python, sql and docker."),
        Listing("2", "B", "Requirements: python and docker."),
        Listing("3", "C", "Requirements: python and tableau."),
    ]
    report = Matcher(listings).gaps("python", top=3)
    assert [(g.skill, g.asked_by) for g in report.gaps][0] == ("docker", 2)
    assert {g.skill for g in report.gaps} == {"docker", "sql", "tableau"}


def test_no_shared_terms_means_no_gaps():
    report = Matcher([Listing("1", "A", "Requirements: python.")]).gaps("knitting")
    assert report.gaps == () and report.matches == ()


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_a_gap_report_heading_names_the_filters_as_a_match_summary_does(fmt):
    resume = str(resume_path("ml_scientist"))
    filtered = run("gaps", resume, "-n", "3", "--location", "CA", "--remote", "-f", fmt)
    assert filtered.exit_code == 0, filtered.output
    said = run("match", resume, "-n", "3", "--location", "CA", "--remote", "-f", "json")
    listings = json.loads(said.stdout)["listings"]
    text = " ".join(html.unescape(filtered.stdout).split())
    assert f"(of {listings['considered']} listings in 'CA', 19 in all)" in text
    assert listings["filters"] and all(f in text for f in listings["filters"])
    plain = " ".join(run("gaps", resume, "-n", "3", "-f", fmt).stdout.split())
    assert "(of 19 listings)" in plain and "in all" not in plain


def test_a_gap_report_counts_what_reading_dropped_and_says_when_filters_left_nothing():
    resume = str(resume_path("economist"))
    matched = json.loads(run("match", resume, "-n", "3", "-f", "json").stdout)["listings"]
    gaps = json.loads(run("gaps", resume, "-n", "3", "-f", "json").stdout)["listings"]
    assert gaps == matched and gaps["duplicates_dropped"] == 1  # the bundled listings hold one
    assert "1 duplicate dropped" in " ".join(run("gaps", resume, "-n", "3").stdout.split())
    nothing = run("gaps", resume, "--location", "nowhere-at-all")
    assert nothing.exit_code == 0
    assert "No listing's location contains 'nowhere-at-all'." in nothing.stdout
    assert "shares a term" not in nothing.stdout
    filtered = run("gaps", resume, "--job-type", "internship", "--if-unknown", "drop")
    assert "No listing passes the filters." in filtered.stdout
    data = json.loads(run("gaps", resume, "--location", "nowhere-at-all", "-f", "json").stdout)
    assert data["listings"]["considered"] == 0


def test_gaps_cli_table_and_json():
    table = run("gaps", str(resume_path("ml_scientist")), "--top", "4")
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert lines[0].startswith("Skills missing from the resume's 4 best matches (of 19")
    data = json.loads(run("gaps", str(resume_path("ml_scientist")), "-n", "4", "-f", "json").stdout)
    report = gap_files(resume_path("ml_scientist"), [LISTINGS], top=4)
    assert [g["skill"] for g in data["gaps"]] == [g.skill for g in report.gaps]
    assert len(data["matches"]) == 4 and data["listings"]["count"] == 19
    first = data["gaps"][0]
    assert f"+{first['gain']:.3f} ({first['relative']:+.0%})" in table.stdout
    assert f"{first['asked_by']} of 4" in table.stdout
    assert "Left out:" in table.stdout and "soft skill" in table.stdout
    markdown = run("gaps", str(resume_path("ml_scientist")), "-n", "4", "-f", "markdown").stdout
    assert markdown.splitlines()[2] == "| # | Skill | Kind | Gain | Asked by | Moves |"
    soft = json.loads(
        run("gaps", str(resume_path("ml_scientist")), "-n", "4", "-f", "json", "-k", "soft").stdout
    )
    assert soft["gaps"] and {g["kind"] for g in soft["gaps"]} == {"soft"}


def test_gaps_cli_bad_resume_is_one_line(tmp_path):
    result = run("gaps", str(tmp_path / "missing.pdf"))
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"Error: {tmp_path / 'missing.pdf'}")


def test_gap_table_shows_twenty_rows_and_says_how_many_more():
    from matcher.render.table import SHOWN_GAPS

    result = run("gaps", str(resume_path("ml_scientist")), "--top", "10")
    data = json.loads(
        run("gaps", str(resume_path("ml_scientist")), "-n", "10", "-f", "json").stdout
    )
    assert len(data["gaps"]) > SHOWN_GAPS
    rows = [line for line in result.stdout.splitlines() if line[:4].strip().isdigit()]
    assert len(rows) == SHOWN_GAPS
    more = len(data["gaps"]) - SHOWN_GAPS
    assert f"+{more} more skills: --format json or markdown lists them all." in result.stdout


def test_gaps_on_a_narrow_terminal_are_blocks_with_whole_names():
    result = run("gaps", str(resume_path("economist")), "--top", "5", columns=60)
    assert result.exit_code == 0
    assert max(len(line) for line in result.stdout.splitlines()) <= 60
    data = json.loads(run("gaps", str(resume_path("economist")), "-n", "5", "-f", "json").stdout)
    first = data["gaps"][0]
    assert f"  1. {first['skill']} ({first['kind']})" in result.stdout
    assert "\u2026" not in result.stdout
