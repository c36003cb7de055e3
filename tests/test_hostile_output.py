"""No control character from a listing reaches any output: table, Markdown, CSV, HTML, JSON,
error messages (issue 23)."""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace

import pytest
from typer.testing import CliRunner

from matcher.cli import ExitCode, app
from matcher.models import (
    Candidate,
    GapReport,
    Listing,
    Match,
    MatchReport,
    SkillContribution,
    SkillGap,
)
from matcher.render import FORMATS, render, render_candidates, render_gaps
from matcher.render.sanitise import clean, clean_data, clean_line, escape_json

from .conftest import resume_path

# What scraped listings were seen to carry, one of each kind.
HOSTILE = {
    "osc8 link": "\x1b]8;;http://evil.example/\x07click\x1b]8;;\x07",
    "clear screen": "\x1b[2J\x1b[H",
    "window title": "\x1b]0;owned\x07",
    "osc with ST": "\x1b]2;owned\x1b\\",
    "colour": "\x1b[31;1mred\x1b[0m",
    "8-bit CSI": "\x9b2J",
    "8-bit OSC": "\x9d0;owned\x9c",
    "DCS": "\x1bPq#0;2;0;0;0\x1b\\",
    "reset": "\x1bc",
    "bidi override": "\u202eevil\u202c",
    "bidi isolate": "\u2066x\u2069",
    "bell and backspace": "a\x07\x08b",
    "carriage return": "real\rfake",
    "NUL and DEL": "a\x00\x7fb",
    "C1 NEL": "a\x85b",
    "unended OSC": "\x1b]0;rest of the text",
}
# Every character a terminal acts on, but for the line feed (and tab) that reports are made of.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _controls(text: str) -> list[str]:
    return sorted({f"U+{ord(c):04X}" for c in _CONTROL.findall(text)})


@pytest.mark.parametrize("kind", HOSTILE)
def test_clean_leaves_no_control_character(kind):
    out = clean(f"Data {HOSTILE[kind]} Scientist")
    assert _controls(out) == []
    assert out.startswith("Data ") and out.endswith(" Scientist")


def test_clean_keeps_text_and_drops_payloads():
    assert clean("Acme\x1b]0;owned\x07 Ltd") == "Acme Ltd"
    assert clean("\x1b[31mred\x1b[0m") == "red"
    assert clean("\u202eevil\u202c") == "evil"
    # An unended string loses its introducer only: nothing after it is swallowed.
    assert clean("\x1b]0;rest") == "0;rest"
    assert clean("Zürich · 東京 · café") == "Zürich · 東京 · café"
    assert clean("a\r\nb\rc") == "a\nb\nc"
    assert clean_line("line one\nline\ttwo\x1b[2J") == "line one line two"


def test_clean_data_cleans_nested_fields_and_keeps_clean_objects():
    listing = Listing("j1", "Data\x1b[2J Scientist", "text\x1b[2J kept", company="\u202eAcme")
    cleaned = clean_data(listing)
    assert (cleaned.title, cleaned.company) == ("Data Scientist", "Acme")
    assert cleaned.description == listing.description  # sliced by offsets: cleaned on output
    plain = Listing("j2", "Analyst", "text")
    assert clean_data(plain) is plain


def test_escape_json_keeps_the_value():
    text = json.dumps({"t": "a\x9b2J\u202eb\u2028"}, ensure_ascii=False)
    escaped = escape_json(text)
    assert _controls(escaped) == [] and "\u2028" not in escaped
    assert json.loads(escaped) == json.loads(text)


FIELDS = ("title", "company", "location", "url")


def _report(field: str, value: str) -> MatchReport:
    listing = Listing(
        "j1",
        "Data Scientist",
        "Python and SQL.",
        company="Acme",
        location="Austin, TX",
        url="https://example.com/j1",
    )
    if field == "url":
        value = "https://example.com/" + value
    listing = replace(listing, **{field: value})
    match = Match(
        rank=1,
        score=0.5,
        listing=listing,
        matched=(SkillContribution("py\x1b[2Jthon", 0.3, 0.6, "tool", True),),
        parts={"skills": 0.3, "title": 0.1, "words": 0.1},
    )
    return MatchReport(matches=(match,), listings_count=1, listings_considered=1)


@pytest.mark.parametrize("fmt", [*FORMATS, "table-links", "table-narrow"])
@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("kind", HOSTILE)
def test_no_control_character_in_any_format_from_any_field(fmt, field, kind):
    report = _report(field, f"x{HOSTILE[kind]}y")
    if fmt == "table-links":
        out = render(report, "table", width=120, links=True)
        # rich's own hyperlink codes are the only escapes: OSC 8 around the title, nothing else.
        out = re.sub(r"\x1b\]8;[^\x1b\x07]*(?:\x1b\\|\x07)", "", out)
        out = re.sub(r"\x1b\[[0-9;]*m", "", out)
    elif fmt == "table-narrow":
        out = render(report, "table", width=60)
    else:
        out = render(report, fmt, width=120)
    assert _controls(out) == [], out
    if fmt != "json":  # JSON keeps the value as read, its controls as \u escapes
        assert "owned" not in out  # an OSC string's payload (a window title) goes with it


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv", "json"])
def test_candidates_resume_name_is_cleaned(fmt):
    listing = Listing("j1", "Analyst\x1b]0;owned\x07", "text")
    found = Candidate(rank=1, score=0.5, resume="cv\x1b[2J.txt", parts={"skills": 0.5})
    out = render_candidates(listing, [found], fmt)
    assert _controls(out) == []


def test_gap_reports_are_clean():
    report = _report("title", "Data\x1b[2J")
    gaps = GapReport(
        gaps=(SkillGap("sq\x1b]0;owned\x07l", "tool", 0.1, 1, (0.2,), 1),),
        matches=report.matches,
        listings_count=1,
    )
    for fmt in FORMATS:
        assert _controls(render_gaps(gaps, fmt)) == [], fmt


runner = CliRunner()


@pytest.mark.parametrize("fmt", FORMATS)
def test_cli_match_output_is_clean(tmp_path, fmt):
    listings = tmp_path / "jobs.jsonl"
    rows = [
        {
            "title": "Data Scientist\x1b]0;owned\x07\x1b[2J",
            "company": "Acme\u202e Ltd",
            "location": "Austin\x9b2J",
            "url": "https://example.com/\x1b]8;;http://evil/\x07x",
            "description": "Python, SQL and machine learning.\x1b[2J",
        },
        {"title": "Analyst\x07", "description": "Excel and SQL reporting."},
    ]
    listings.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    result = runner.invoke(
        app,
        ["match", str(resume_path("ml_scientist")), str(listings), "--format", fmt],
        env={"COLUMNS": "100"},
    )
    assert result.exit_code == ExitCode.OK, result.output
    assert _controls(result.stdout) == []
    assert _controls(result.stderr) == []


def test_error_message_naming_a_hostile_file_is_clean(tmp_path):
    bad = tmp_path / "jobs\x1b]0;owned\x07.json"
    bad.write_text("{not json", encoding="utf-8")
    result = runner.invoke(app, ["match", str(resume_path("ml_scientist")), str(bad)])
    assert result.exit_code == ExitCode.BAD_INPUT
    assert result.stderr.startswith("Error: ")
    assert _controls(result.stderr) == []
    assert len(result.stderr.strip().splitlines()) == 1


def test_status_lines_naming_hostile_files_are_clean_even_on_a_colour_terminal(tmp_path):
    """Status lines echo the user's file names; click strips only colours, and only when not
    writing to a terminal (``color=True`` is a terminal here)."""
    from .conftest import LISTINGS

    name = "x\x1b[2J\x1b]0;owned\x07\u202e"
    report = tmp_path / f"r{name}.html"
    index = tmp_path / f"i{name}"
    taxonomy = tmp_path / f"t{name}.csv"
    taxonomy.write_text(
        "O*NET-SOC Code,Title,Example,Commodity Code,Commodity Title,Hot Technology,"
        "In Demand\n15-2051.00,Data Scientists,Apache Spark,43232605,Analytical software,Y,N\n",
        encoding="utf-8",
    )
    runs = [
        ["match", str(resume_path("ml_scientist")), "-n", "1", "-o", str(report)],
        ["index", "build", str(LISTINGS), "-o", str(index)],
        ["index", "add", str(index), str(LISTINGS)],
        ["index", "optimize", str(index)],
        ["index", "verify", str(index)],
        ["skills", "import", "onet", str(taxonomy)],
    ]
    for args in runs:
        result = runner.invoke(app, args, color=True)
        assert result.exit_code == ExitCode.OK, (args, result.output)
        said = result.stdout + result.stderr
        assert f"{tmp_path}{os.sep}" in said, said  # the file is named, cleaned
        assert _controls(said) == [], (args, said)
