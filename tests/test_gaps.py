"""The market-wide gap report: missing skills ranked by the exact score gain of adding them."""

from __future__ import annotations

import json

import numpy as np
import pytest

from matcher import Listing, Matcher, read_resume
from matcher.matcher import gap_files

from .conftest import LISTINGS, PROFILES, resume_path
from .test_cli import run


@pytest.mark.parametrize("profile", PROFILES)
def test_gains_equal_a_direct_rescore_with_the_skill_added(default_matcher, profile):
    text = read_resume(resume_path(profile))
    report = default_matcher.gaps(text, top=5)
    rows = [default_matcher.listings.index(m.listing) for m in report.matches]
    before = default_matcher.scores(text)[rows]
    assert report.gaps
    for gap in report.gaps:
        after = default_matcher.scores(f"{text}\n\n{gap.skill}")[rows]
        np.testing.assert_allclose(after - before, gap.gains, atol=1e-12)
        assert gap.gain == pytest.approx(float(np.mean(after - before)), abs=1e-12)
        skill = default_matcher._analyzer.vocabulary.get(gap.skill)
        assert skill is not None and gap.kind == skill.kind


def test_gaps_are_ranked_by_gain_and_counted_over_the_listings(default_matcher):
    text = read_resume(resume_path("economist"))
    report = default_matcher.gaps(text, top=6)
    assert len(report.matches) == 6
    gains = [g.gain for g in report.gaps]
    assert gains == sorted(gains, reverse=True)
    resume_skills = set(default_matcher._analyzer.skill_terms(text))
    for gap in report.gaps:
        asking = [m for m in report.matches if gap.skill in {s.skill for s in m.missing}]
        assert gap.asked_by == len(asking) > 0
        assert gap.skill not in resume_skills
    # every missing skill of the top listings is in the report, once
    missing = {s.skill for m in report.matches for s in m.missing}
    assert missing == {g.skill for g in report.gaps}


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


def test_gaps_cli_table_and_json():
    table = run("gaps", str(resume_path("ml_scientist")), "--top", "4")
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert lines[0].startswith("Skills missing from the resume's 4 best matches (of 19")
    data = json.loads(run("gaps", str(resume_path("ml_scientist")), "-n", "4", "-f", "json").stdout)
    report = gap_files(resume_path("ml_scientist"), [LISTINGS], top=4)
    assert [g["skill"] for g in data["gaps"]] == [g.skill for g in report.gaps]
    assert len(data["listings"]) == 4
    first = data["gaps"][0]
    assert f"{first['gain']:+.4f}" in table.stdout and f"{first['asked_by']} of 4" in table.stdout
    markdown = run("gaps", str(resume_path("ml_scientist")), "-n", "4", "-f", "markdown").stdout
    assert markdown.splitlines()[2] == "| # | Skill | Kind | Gain | Asked by |"


def test_gaps_cli_bad_resume_is_one_line(tmp_path):
    result = run("gaps", str(tmp_path / "missing.pdf"))
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"Error: {tmp_path / 'missing.pdf'}")
