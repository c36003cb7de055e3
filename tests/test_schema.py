"""Every command's JSON against matcher/schema/report.schema.json: one shape for one thing."""

from __future__ import annotations

import json

import pytest

from .conftest import LISTINGS, ROOT, resume_path
from .test_cli import run

jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is a test dependency")
SCHEMA = json.loads((ROOT / "matcher" / "schema" / "report.schema.json").read_text())


def _check(data: object, name: str) -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    validator = jsonschema.Draft202012Validator(
        {"$defs": SCHEMA["$defs"], "$ref": f"#/$defs/{name}"}
    )
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    # And the document is one of the shapes the schema allows, and only that one.
    jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft202012Validator)


def _json(*args: str) -> object:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("schema") / "jobs.index"
    assert run("index", "build", str(LISTINGS), "-o", str(folder), "-q").exit_code == 0
    return folder


def test_match(index):
    resume = str(resume_path("economist"))
    _check(_json("match", resume, "-f", "json"), "match_report")
    _check(_json("match", resume, "-i", str(index), "--remote", "-f", "json"), "match_report")


def test_gaps():
    _check(_json("gaps", str(resume_path("ml_scientist")), "-n", "5", "-f", "json"), "gap_report")


def test_match_many(index, tmp_path):
    missing = str(tmp_path / "nope.pdf")
    result = run("match-many", str(resume_path("economist")), missing, "-i", str(index), "-n", "2")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [("matches" in x, "error" in x) for x in lines] == [(True, False), (False, True)]
    for line in lines:
        _check(line, "match_many_line")


def test_candidates(index):
    listing = _json("match", str(resume_path("economist")), "-n", "1", "-f", "json")["matches"][0]
    data = _json("candidates", listing["listing"]["id"], str(resume_path("economist")),
                 str(resume_path("ml_scientist")), "-i", str(index), "-f", "json")  # fmt: skip
    _check(data, "candidates_report")
    # The same listing has the same shape in both commands.
    assert data["listing"] == listing["listing"]


def test_skills():
    _check(_json("skills", str(resume_path("economist", "md")), "-f", "json"), "skills_report")


def test_index_info(index):
    _check(_json("index", "info", str(index), "-f", "json"), "index_info")


def test_gaps_and_match_share_the_listings_summary():
    resume = str(resume_path("ml_scientist"))
    match = _json("match", resume, "-n", "3", "-f", "json")
    gaps = _json("gaps", resume, "-n", "3", "-f", "json")
    assert set(match["listings"]) == set(gaps["listings"])
    assert match["matches"] == gaps["matches"]


def test_the_schema_refuses_a_wrong_shape():
    data = _json("match", str(resume_path("economist")), "-n", "1", "-f", "json")
    data["listings"] = [data["listings"]]  # the old gaps shape: a list
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft202012Validator)
