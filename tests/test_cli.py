from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from matcher import read_resume
from matcher.cli import ExitCode, app

from .conftest import LISTINGS, PROFILES, ROOT, resume_path
from .test_read_listings import BAD_FILES
from .test_read_resume import BAD_RESUMES

runner = CliRunner()


def run(*args: str, stdin: str | None = None, columns: int = 100):
    return runner.invoke(
        app, list(args), input=stdin, catch_exceptions=False, env={"COLUMNS": str(columns)}
    )


def test_table_is_the_default_and_shows_ranked_listings():
    result = run("match", str(resume_path("ml_scientist")), "--top", "3")
    assert result.exit_code == ExitCode.OK, result.output
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "3 best of 19 listings; 1 duplicate dropped"
    ranks = [line.split()[0] for line in lines if line[:4].strip().isdigit()]
    assert ranks == ["1", "2", "3"]
    assert "Matched skills" in lines[2]
    assert any(line.startswith("Score (0 to 1): the sum of three parts") for line in lines)
    for part in ("skills", "title", "words"):  # the score's split, under each score
        assert sum(line[:16].strip().startswith(f"{part} ") for line in lines) == 3


def test_table_follows_the_terminal_width():
    result = run("match", str(resume_path("economist")), "--top", "1", columns=60)
    assert result.exit_code == ExitCode.OK
    assert result.stdout.splitlines()[2].startswith(" 1. ")
    assert max(len(line) for line in result.stdout.splitlines()) <= 60


@pytest.mark.parametrize("profile", PROFILES)
def test_json_output_is_complete_and_explanations_add_up(profile):
    result = run("match", str(resume_path(profile, "docx")), "--format", "json", "--top", "19")
    assert result.exit_code == ExitCode.OK
    assert result.stdout.endswith("}\n")
    data = json.loads(result.stdout)
    assert data["listings"]["count"] == 19 and data["listings"]["duplicates_dropped"] == 1
    assert [m["rank"] for m in data["matches"]] == list(range(1, len(data["matches"]) + 1))
    for match in data["matches"]:
        assert set(match["listing"]) >= {"id", "title", "company", "location", "url"}
        total = math.fsum(term["contribution"] for term in match["terms"])
        assert abs(total - match["score"]) < 1e-6
        assert abs(math.fsum(match["parts"].values()) - match["score"]) < 1e-6
        assert set(match["parts"]) == {"skills", "title", "words"}
        skills = math.fsum(s["contribution"] for s in match["matched"])
        assert abs(skills - match["parts"]["skills"]) < 1e-6
        assert all(
            set(s) == {"skill", "contribution", "share", "kind", "required"}
            for s in match["matched"]
        )
        assert all(set(s) == {"skill", "weight", "required", "kind"} for s in match["missing"])
        coverage = match["coverage"]
        assert coverage["asked"] - coverage["covered"] == len(match["missing"])
        assert coverage["text"].startswith(("covers ", "asks for no skills"))


def test_markdown_output_is_a_table():
    result = run("match", str(resume_path("economist", "md")), "-f", "markdown", "-n", "2")
    assert result.exit_code == ExitCode.OK
    lines = result.stdout.splitlines()
    assert lines[0] == "**2 best of 19 listings; 1 duplicate dropped**"
    assert lines[2].startswith("| Rank | Score | Parts | Title |")
    assert lines[-1].startswith("Score (0 to 1)")
    assert len([line for line in lines if line.startswith("| ")]) == 3


def test_stdin_resume_and_explicit_listings():
    text = resume_path("rf_systems_engineer").read_text()
    result = run("match", "-", str(LISTINGS), "--format", "json", "--top", "2", stdin=text)
    assert result.exit_code == ExitCode.OK
    titles = [m["listing"]["title"] for m in json.loads(result.stdout)["matches"]]
    assert titles == ["Systems Engineer", "Systems Engineer"]


def test_location_filter():
    result = run("match", str(resume_path("ml_scientist")), "-l", "gurugram", "-f", "json")
    data = json.loads(result.stdout)
    assert data["listings"]["considered"] == 2
    assert {m["listing"]["location"] for m in data["matches"]} == {"IN, HR, Gurugram"}


def test_location_without_listings_says_so():
    result = run("match", str(resume_path("ml_scientist")), "--location", "Atlantis")
    assert result.exit_code == ExitCode.OK
    assert "No listing's location contains 'Atlantis'." in result.stdout


@pytest.mark.parametrize(
    ("files", "args", "expected"),
    [
        ({"jobs.json": b"[{"}, ["RESUME", "jobs.json"], "jobs.json: not valid JSON"),
        (
            {"jobs.csv": b"a,description\n1,x,y\n"},
            ["RESUME", "jobs.csv"],
            "jobs.csv: line 2 has 3 fields",
        ),
        (
            {"jobs.csv": b"title\nA\n"},
            ["RESUME", "jobs.csv"],
            "jobs.csv: no column named 'description'",
        ),
        ({"jobs.jsonl": b""}, ["RESUME", "jobs.jsonl"], "jobs.jsonl: the file is empty"),
        (
            {"jobs.json": b"\x00\x01"},
            ["RESUME", "jobs.json"],
            "jobs.json: looks like a binary file",
        ),
        (
            {"jobs.csv": b"description\n\x81\n"},
            ["RESUME", "jobs.csv"],
            "jobs.csv: undecodable byte",
        ),
        ({"cv.txt": b""}, ["cv.txt"], "cv.txt: the resume is empty"),
        ({"cv.pdf": b"%PDF-1.4 garbage"}, ["cv.pdf"], "cv.pdf: not a readable PDF"),
        ({"cv.docx": b"nope"}, ["cv.docx"], "cv.docx: not a readable DOCX file"),
        ({"cv.txt": b"\x00\xff"}, ["cv.txt"], "cv.txt: looks like a binary file"),
        ({}, ["missing.txt"], "missing.txt: no such file"),
        ({}, ["RESUME", "missing.json"], "missing.json: no such file or folder"),
    ],
)
def test_bad_input_gives_one_line_error_and_exit_code(tmp_path, files, args, expected):
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    argv = [str(resume_path("economist")) if a == "RESUME" else str(tmp_path / a) for a in args]
    result = run("match", *argv)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and expected in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    for name, data in files.items():  # nothing the user gave is changed
        assert (tmp_path / name).read_bytes() == data


BAD_INPUTS = {
    **{
        f"listings: {case}": (name, lambda d=data: d, why, True)
        for case, (name, data, why) in BAD_FILES.items()
    },
    **{
        f"resume: {case}": (name, make, why, False)
        for case, (name, make, why) in BAD_RESUMES.items()
    },
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_every_bad_file_fails_cleanly_through_the_cli(tmp_path, case):
    name, make, expected, is_listing = BAD_INPUTS[case]
    path = tmp_path / name
    path.write_bytes(make())
    args = [str(resume_path("economist")), str(path)] if is_listing else [str(path)]
    result = run("match", *args)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert result.stderr.startswith(f"Error: {path}: ") and expected in result.stderr
    assert result.stderr.count("\n") == 1 and result.stdout == ""


def test_usage_errors_exit_2():
    result = run("match", str(resume_path("economist")), "--top", "0")
    assert result.exit_code == ExitCode.USAGE


def test_help_shows_examples():
    assert "Examples:" in run("--help").stdout
    result = run("match", "--help")
    assert "matcher match resume.pdf" in result.stdout and "--location" in result.stdout


def test_version():
    assert run("--version").stdout.startswith("matcher ")


def test_python_dash_m_runs_the_cli():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "matcher",
            "match",
            str(resume_path("frontend_developer")),
            "--format",
            "json",
            "--top",
            "1",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["matches"]) == 1


def test_python_dash_m_bad_input_has_no_traceback(tmp_path):
    bad = tmp_path / "cv.docx"
    bad.write_bytes(b"not a docx")
    result = subprocess.run(
        [sys.executable, "-m", "matcher", "match", str(bad)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == ExitCode.BAD_INPUT
    assert result.stderr == f"Error: {bad}: not a readable DOCX file\n"


def test_skills_shows_a_resume_with_spans():
    result = run("skills", str(resume_path("economist", "pdf")), "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["kind"] == "resume" and len(data["documents"]) == 1
    skills = {s["name"]: s for s in data["documents"][0]["skills"]}
    assert "econometrics" in skills and "stata" in skills
    text = read_resume(resume_path("economist", "pdf"))
    for skill in skills.values():
        for span in skill["spans"]:
            assert text[span["start"] : span["end"]] == span["text"]


def test_skills_shows_each_listing_of_a_listings_file():
    result = run("skills", str(LISTINGS / "amazon_science_related_000.txt"))
    assert result.exit_code == 0, result.output
    titles = [line for line in result.stdout.splitlines() if line.endswith(" skills")]
    assert len(titles) >= 9 and "Economist III" in result.stdout
    table = run("skills", str(resume_path("frontend_developer", "md"))).stdout
    assert table.splitlines()[0].endswith(" skills") and "react" in table


def test_skills_bad_file_is_one_line(tmp_path):
    bad = tmp_path / "resume.doc"
    bad.write_bytes(b"\xd0\xcf\x11\xe0")
    result = run("skills", str(bad))
    assert result.exit_code == 1 and result.stderr.startswith(f"Error: {bad}: unsupported")


def test_a_saved_page_of_listings_given_as_the_resume_is_refused():
    page = LISTINGS / "amazon_science_related_000.txt"
    result = run("match", str(page))
    assert result.exit_code == ExitCode.BAD_INPUT and result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "is a saved page of 10 listings, not a resume" in result.stderr


def test_a_saved_page_without_its_marker_line_given_as_the_resume_is_refused(tmp_path):
    # Only its location lines tell it from a resume (the check before reading it as listings).
    lines = (LISTINGS / "amazon_science_related_000.txt").read_text(encoding="utf-8").splitlines()
    start = lines.index("Related content") + 1
    page = tmp_path / "page.txt"
    page.write_text("\n".join(lines[start:]) + "\n", encoding="utf-8")
    result = run("match", str(page))
    assert result.exit_code == ExitCode.BAD_INPUT and result.stdout == ""
    assert "is a saved page of 10 listings, not a resume" in result.stderr


@pytest.mark.parametrize("first", ["match", "gaps", "match-many", "index", "skills"])
def test_a_run_builds_only_the_command_it_names_with_the_same_parser(first):
    from typer.main import get_command

    from matcher.cli import app, app_for

    full, only = get_command(app), get_command(app_for([first]))
    assert list(only.commands) == [first]  # type: ignore[attr-defined]
    mine, whole = only.commands[first], full.commands[first]  # type: ignore[attr-defined]
    assert [p.opts for p in mine.params] == [p.opts for p in whole.params]
    assert sorted(getattr(mine, "commands", {})) == sorted(getattr(whole, "commands", {}))


@pytest.mark.parametrize("first", [[], ["--help"], ["--version"], ["mach"]])
def test_anything_but_a_command_name_gets_the_whole_app(first):
    from matcher.cli import app, app_for

    assert app_for(first) is app


def test_an_empty_argument_is_refused_not_read_as_the_current_folder(tmp_path):
    (tmp_path / "notes.txt").write_text("Python developer wanted. " * 5)
    result = subprocess.run(
        [sys.executable, "-m", "matcher", "match", str(resume_path("economist")), ""],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == ExitCode.USAGE
    shown = resume_path("economist")
    assert result.stderr == f"Error: argument 3 is empty after '{shown}'; give a value\n"
    assert result.stdout == ""


def test_ctrl_c_exits_130_with_one_line(monkeypatch):
    from matcher import api

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(api, "match_files", stopped)
    result = run("match", str(resume_path("economist")))
    assert result.exit_code == ExitCode.INTERRUPTED == 130
    assert result.stderr == "Interrupted (Ctrl-C)\n" and result.stdout == ""


def test_an_unexpected_error_is_not_turned_into_a_one_line_error(monkeypatch):
    from matcher import api

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(api, "gap_files", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        run("gaps", str(resume_path("economist")))
