from __future__ import annotations

import json

import pytest

from matcher.models import (
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
    matched=(SkillContribution("causal inference", 0.3), SkillContribution("python", 0.125)),
    missing=(MissingSkill("sql", 0.4),),
    terms=(
        TermContribution("causal inference", 0.3, True),
        TermContribution("python", 0.125, True),
        TermContribution("inference", 0.075, False),
    ),
)
REPORT = MatchReport(
    matches=(MATCH,), listings_count=3, duplicates_dropped=1, listings_considered=3
)


def test_table_exact():
    assert render_table(REPORT, width=100) == (
        "1 best of 3 listings; 1 duplicate dropped\n"
        "\n"
        "  #   Score   Listing                  Matched skills           Missing skills\n"
        " ──────────────────────────────────────────────────────────────────────────────\n"
        "  1   0.500   Data Scientist           causal inference 0.300   sql\n"
        "              Acme | Co · Austin, TX   python 0.125\n"
        "\n"
        "Score: cosine similarity (0 to 1); each matched skill shows its share of it.\n"
    )


def test_narrow_terminals_get_blocks_instead_of_columns():
    assert render_table(REPORT, width=60) == (
        "1 best of 3 listings; 1 duplicate dropped\n"
        "\n"
        " 1. 0.500  Data Scientist\n"
        "    Acme | Co · Austin, TX\n"
        "    matched: causal inference 0.300, python 0.125\n"
        "    missing: sql\n"
        "\n"
        "Score: cosine similarity (0 to 1); each matched skill shows\n"
        "its share of it.\n"
    )


def test_markdown_exact_and_escaped():
    assert render_markdown(REPORT) == (
        "**1 best of 3 listings; 1 duplicate dropped**\n"
        "\n"
        "| Rank | Score | Title | Company | Location | Matched skills | Missing skills |\n"
        "|---:|---:|---|---|---|---|---|\n"
        "| 1 | 0.500 | [Data Scientist](https://example.com/j1) | Acme \\| Co | Austin, TX "
        "| causal inference 0.300, python 0.125 | sql |\n"
    )


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
    }
    assert match["matched"] == [
        {"skill": "causal inference", "contribution": 0.3},
        {"skill": "python", "contribution": 0.125},
    ]
    assert match["missing"] == [{"skill": "sql", "weight": 0.4}]
    assert sum(t["contribution"] for t in match["terms"]) == match["score"]
    assert data["listings"] == {
        "count": 3,
        "duplicates_dropped": 1,
        "empty_skipped": 0,
        "considered": 3,
        "location": None,
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_report_in_every_format(fmt):
    empty = MatchReport(matches=(), listings_count=3, location="Oslo", listings_considered=0)
    out = render(empty, fmt)
    if fmt == "json":
        assert json.loads(out)["matches"] == []
    else:
        assert "No listing's location contains 'Oslo'." in out


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="unknown format"):
        render(REPORT, "yaml")
