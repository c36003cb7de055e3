"""JSON numbers are bounded like every other input (issue 23): a huge one is read as its text,
at any nesting level, and never ends in a traceback."""

from __future__ import annotations

import json
import math

import pytest
from typer.testing import CliRunner

from matcher.cli import ExitCode, app
from matcher.read import load_listings
from matcher.read.json import MAX_NUMBER_CHARS

from .conftest import resume_path

HUGE = "9" * 5000  # a salary written as 5,000 digits: over Python's 4,300-digit int limit
LONG_FLOAT = "1" * 400 + ".5"
BIG_EXPONENT = "1e99999"


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("number", [HUGE, LONG_FLOAT, BIG_EXPONENT, "-" + HUGE, "Infinity", "NaN"])
@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_a_huge_salary_is_no_salary(tmp_path, number, suffix):
    text = f'{{"title": "Analyst", "description": "SQL and Excel.", "min_amount": {number}}}'
    path = _write(tmp_path, "jobs" + suffix, text if suffix == ".jsonl" else f"[{text}]")
    [listing] = load_listings(path)
    assert listing.salary_min is None  # not a usable figure, and not infinity either


def test_huge_numbers_at_every_nesting_level(tmp_path):
    record = {
        "@type": "JobPosting",
        "title": "Analyst",
        "description": "SQL and Excel.",
        "baseSalary": {"currency": "GBP", "value": {"minValue": 0, "maxValue": 0}},
        "jobLocation": {"address": {"addressLocality": 0}},
        "identifier": {"value": [0, {"deeper": [0]}]},
    }
    text = json.dumps({"@graph": [record]})
    text = text.replace("0", HUGE)  # every number, at levels 3 to 7
    [listing] = load_listings(_write(tmp_path, "jobs.json", text))
    assert listing.salary_min is None and listing.salary_max is None
    assert listing.location == HUGE  # a number where text was expected: read as text


def test_numbers_within_the_bound_are_numbers(tmp_path):
    digits = "1" * MAX_NUMBER_CHARS
    text = f'[{{"title": "A", "description": "SQL.", "min_amount": 30000, "max_amount": {digits}}}]'
    [listing] = load_listings(_write(tmp_path, "jobs.json", text))
    assert listing.salary_min == 30000
    assert listing.salary_max is not None and math.isfinite(listing.salary_max)


def test_a_huge_id_is_kept_as_its_digits(tmp_path):
    text = f'[{{"id": {HUGE}, "title": "A", "description": "SQL."}}]'
    [listing] = load_listings(_write(tmp_path, "jobs.json", text))
    assert listing.id == HUGE


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_cli_with_a_huge_salary_runs_without_a_traceback(tmp_path, fmt):
    text = f'[{{"title": "Analyst", "description": "Python and SQL.", "min_amount": {HUGE}}}]'
    path = _write(tmp_path, "jobs.json", text)
    result = CliRunner().invoke(
        app,
        ["match", str(resume_path("ml_scientist")), str(path), "--format", fmt],
        catch_exceptions=False,
    )
    assert result.exit_code == ExitCode.OK, result.output
    assert "Traceback" not in result.output
    if fmt == "json":
        json.loads(result.stdout)  # valid JSON: no Infinity


def test_cli_salary_filter_over_huge_numbers(tmp_path):
    text = f'{{"title": "Analyst", "description": "Python and SQL.", "max_amount": {HUGE}}}'
    path = _write(tmp_path, "jobs.jsonl", text)
    result = CliRunner().invoke(
        app,
        ["match", str(resume_path("ml_scientist")), str(path), "--salary-min", "1000"],
        catch_exceptions=False,
    )
    assert result.exit_code == ExitCode.OK, result.output
