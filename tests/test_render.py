from __future__ import annotations

import html
import json

import pytest

from matcher.models import (
    Coverage,
    Listing,
    Match,
    MatchReport,
    MissingSkill,
    SkillContribution,
    TermContribution,
)
from matcher.render import FORMATS, render, render_markdown, render_table, report_to_dict

LISTING = Listing(
    id="j1",
    title="Data Scientist",
    description="Causal inference in Python.",
    company="Acme | Co",
    location="Austin, TX",
    url="https://example.com/j1",
)
MATCH = Match(
    rank=1,
    score=0.5,
    listing=LISTING,
    matched=(
        SkillContribution("causal inference", 0.3, 0.6, "knowledge", True),
        SkillContribution("python", 0.125, 0.25, "tool", False),
    ),
    missing=(
        MissingSkill("sql", 0.4, True, "tool"),
        MissingSkill("spark", 0.2, False, "tool"),
        MissingSkill("teamwork", 0.1, True, "soft"),
    ),
    terms=(
        TermContribution("causal inference", 0.3, True, "skills"),
        TermContribution("python", 0.125, True, "skills"),
        TermContribution("data scientist", 0.05, False, "title"),
        TermContribution("inference", 0.025, False, "words"),
    ),
    parts={"skills": 0.425, "title": 0.05, "words": 0.025},
    coverage=Coverage(asked=5, covered=2, required=3, required_covered=1),
)
REPORT = MatchReport(
    matches=(MATCH,), listings_count=3, duplicates_dropped=1, listings_considered=3
)


def test_table_exact():
    assert render_table(REPORT, width=100) == (
        "1 best of 3 listings; 1 duplicate dropped\n"
        "\n"
        "  #        Score   Listing                                Matched skills         Missing skills\n"
        " ──────────────────────────────────────────────────────────────────────────────────────────────────\n"
        "  1        0.500   Data Scientist                         causal inference 60%   sql\n"
        "      skills 85%   Acme | Co · Austin, TX                 python 25%             spark (preferred)\n"
        "       title 10%   covers 2 of 5 asked skills (required                          +1 soft skill\n"
        "        words 5%   1 of 3)\n"
        "                   title: data scientist 10%; words:\n"
        "                   inference 5%\n"
        "\n"
        "Score (0 to 1): the sum of three parts, skills, title and words, each a cosine similarity times its\n"
        "weight; the parts' shares add up to the score. Matched skills and the largest other shared terms\n"
        "show their share of the score. Missing: asked-for skills the resume lacks, required first.\n"
        "\n"
        "Links to the postings:\n"
        "   1  https://example.com/j1\n"
    )


def test_narrow_terminals_get_blocks_instead_of_columns():
    assert render_table(REPORT, width=60) == (
        "1 best of 3 listings; 1 duplicate dropped\n"
        "\n"
        " 1. 0.500  Data Scientist\n"
        "    Acme | Co · Austin, TX\n"
        "    https://example.com/j1\n"
        "    score: skills 85%, title 10%, words 5%; covers 2 of 5\n"
        "             asked skills (required 1 of 3)\n"
        "    matched: causal inference 60%, python 25%\n"
        "    missing: sql, spark (preferred), +1 soft skill\n"
        "    also: title: data scientist 10%; words: inference 5%\n"
        "\n"
        "Score (0 to 1): the sum of three parts, skills, title and\n"
        "words, each a cosine similarity times its weight; the parts'\n"
        "shares add up to the score. Matched skills and the largest\n"
        "other shared terms show their share of the score. Missing:\n"
        "asked-for skills the resume lacks, required first.\n"
    )


def test_markdown_exact_and_escaped():
    assert render_markdown(REPORT) == (
        "**1 best of 3 listings; 1 duplicate dropped**\n"
        "\n"
        "| Rank | Score | Parts | Title | Company | Location | Coverage | Matched skills | Missing skills | Other words |\n"
        "|---:|---:|---|---|---|---|---|---|---|---|\n"
        "| 1 | 0.500 | skills 85%, title 10%, words 5% | [Data Scientist](https://example.com/j1) | Acme \\| Co | Austin, TX | covers 2 of 5 asked skills (required 1 of 3) | causal inference 60%, python 25% | sql, spark (preferred), +1 soft skill | title: data scientist 10%; words: inference 5% |\n"
        "\n"
        "Score (0 to 1): the sum of three parts, skills, title and words, each a cosine similarity times its weight; the parts' shares add up to the score. Matched skills and the largest other shared terms show their share of the score. Missing: asked-for skills the resume lacks, required first.\n"
    )


def test_numbers_are_never_cut():
    long = SkillContribution("x" * 40, 0.1, 0.2)
    report = MatchReport(
        matches=(Match(1, 0.5, LISTING, matched=(long,), parts={"skills": 0.5}),),
        listings_count=1,
        listings_considered=1,
    )
    assert "20%" in render_table(report, width=100)


def test_json_carries_every_field():
    data = json.loads(render(REPORT, "json"))
    assert data == report_to_dict(REPORT)
    (match,) = data["matches"]
    assert match["listing"] == {
        "id": "j1",
        "title": "Data Scientist",
        "company": "Acme | Co",
        "location": "Austin, TX",
        "url": "https://example.com/j1",
        "remote": None,
        "employment_type": None,
        "date_posted": None,
        "salary": None,
    }
    assert match["matched"] == [
        {
            "skill": "causal inference",
            "contribution": 0.3,
            "share": 0.6,
            "kind": "knowledge",
            "required": True,
        },
        {
            "skill": "python",
            "contribution": 0.125,
            "share": 0.25,
            "kind": "tool",
            "required": False,
        },
    ]
    assert match["missing"][0] == {"skill": "sql", "weight": 0.4, "required": True, "kind": "tool"}
    assert sum(t["contribution"] for t in match["terms"]) == match["score"]
    assert sum(match["parts"].values()) == match["score"]
    assert match["coverage"] == {
        "asked": 5,
        "covered": 2,
        "required": 3,
        "required_covered": 1,
        "text": "covers 2 of 5 asked skills (required 1 of 3)",
    }
    assert data["listings"] == {
        "count": 3,
        "duplicates_dropped": 1,
        "empty_skipped": 0,
        "considered": 3,
        "location": None,
        "filters": [],
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_report_in_every_format(fmt):
    empty = MatchReport(matches=(), listings_count=3, location="Oslo", listings_considered=0)
    out = render(empty, fmt)
    if fmt == "json":
        assert json.loads(out)["matches"] == []
    elif fmt == "csv":
        assert out.count("\n") == 1 and out.startswith("rank,score,listing_id,title,")
    elif fmt == "html":
        assert "No listing's location contains 'Oslo'." in html.unescape(out)
    else:
        assert "No listing's location contains 'Oslo'." in out


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="unknown format"):
        render(REPORT, "yaml")


# ------------------------------------------------------------------------ terminal manners

LONG = Match(
    rank=1,
    score=0.5,
    listing=Listing("j2", "Principal Machine Learning Research Scientist, Generative Models", "."),
    matched=(
        SkillContribution("natural language processing and computational linguistics", 0.2, 0.4),
        SkillContribution("difference-in-differences", 0.1, 0.2),
    ),
    missing=(MissingSkill("high performance computing infrastructure engineering", 0.3),),
    parts={"skills": 0.3, "title": 0.1, "words": 0.1},
)


@pytest.mark.parametrize("width", [88, 100, 120, 200])
def test_figures_are_never_cut_names_are(width):
    report = MatchReport(matches=(LONG,), listings_count=1, listings_considered=1)
    out = render_table(report, width=width)
    assert "40%" in out and "20%" in out and "0.500" in out
    if width >= 200:
        assert "difference-in-differences 20%" in out
    assert all(len(line) <= width for line in out.splitlines())
    if width < 130:  # no room for the whole names: shortened, with a mark, before the figure
        assert "\u2026 40%" in out and "\u2026" in out.split("Missing skills")[1]


def test_columns_are_as_wide_as_their_content():
    short = Match(1, 0.5, Listing("j3", "Analyst", "."), parts={"skills": 0.5})
    out = render_table(MatchReport((short,), 1, listings_considered=1), width=200)
    header = out.splitlines()[2]
    assert header.split() == ["#", "Score", "Listing", "Matched", "skills", "Missing", "skills"]
    assert len(header.rstrip()) < 100  # not stretched to the 200 columns available


def test_titles_are_terminal_hyperlinks_only_when_asked():
    plain = render_table(REPORT, width=100)
    assert "\x1b" not in plain
    linked = render_table(REPORT, width=100, links=True)
    assert "\x1b]8;" in linked and "https://example.com/j1" in linked
    assert "\x1b[" not in linked.replace("\x1b]8;", "")  # a link, and no colour or bold


def test_csv_has_one_row_per_match_and_defuses_formulas():
    import csv
    import io

    evil = Match(2, 0.25, Listing("j9", '=HYPERLINK("x")', "."), parts={"skills": 0.25})
    out = render(MatchReport((MATCH, evil), 2, listings_considered=2), "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["rank"] for r in rows] == ["1", "2"]
    assert float(rows[0]["score"]) == 0.5 and rows[0]["url"] == "https://example.com/j1"
    assert rows[0]["matched"] == "causal inference (60.0%); python (25.0%)"
    assert rows[0]["missing"] == "sql; spark (preferred); teamwork"
    assert rows[1]["title"] == '\'=HYPERLINK("x")'
