"""Terminal manners: help without type names, plurals, widths for pipes, the progress hint."""

from __future__ import annotations

import os
import re

import pytest

from matcher.commands import options
from matcher.render.progress import ProgressBar

from .conftest import LISTINGS, resume_path
from .test_cli import run

COMMANDS = [
    ["match"], ["gaps"], ["match-many"], ["candidates"], ["index", "build"], ["index", "add"],
    ["index", "verify"], ["index", "info"], ["skills", "show"], ["skills", "import"],
    ["skills", "remove"],
]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_shows_no_internal_type_names(command):
    result = run(*command, "--help", columns=200)
    assert result.exit_code == 0
    assert not re.search(r"<(str|int|path|list\[|Path)", result.stdout), result.stdout
    assert "{" not in result.stdout.splitlines()[0]  # "Usage: ... RESUME", not "{RESUME}"


def test_counts_are_said_in_the_right_number(tmp_path):
    one = tmp_path / "one.jsonl"
    one.write_text('{"id": "a", "title": "Analyst", "description": "SQL and Python daily."}\n')
    built = run("index", "build", str(one), "-o", str(tmp_path / "one.index"))
    assert built.stderr == f"Indexed 1 listing into {tmp_path / 'one.index'}\n"
    again = run("index", "add", str(tmp_path / "one.index"), str(one))
    assert again.stderr == f"Added 0 listings to {tmp_path / 'one.index'}; 1 was a duplicate\n"
    matched = run("match", str(resume_path("economist")), str(one))
    assert matched.stdout.startswith("1 best of 1 listing\n")


def test_width_follows_the_terminal_of_any_stream_else_is_wide(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)

    def no_terminal(fd):
        raise OSError("not a terminal")

    monkeypatch.setattr(os, "get_terminal_size", no_terminal)
    assert options.terminal_width() == options.NO_TERMINAL_WIDTH
    monkeypatch.setattr(os, "get_terminal_size", lambda fd: os.terminal_size((132, 40)))
    assert options.terminal_width() == 132
    monkeypatch.setenv("COLUMNS", "90")
    assert options.terminal_width() == 90


def test_piped_table_is_not_cut_to_100_columns(monkeypatch):
    # No $COLUMNS and no terminal (CliRunner's streams are not one): the table takes the room
    # its content needs, beyond 100 columns.
    monkeypatch.setattr(os, "get_terminal_size", lambda fd: (_ for _ in ()).throw(OSError()))
    result = run("match", str(resume_path("ml_scientist")), "-n", "3", columns=0)
    longest = max(len(line) for line in result.stdout.splitlines())
    assert 100 < longest <= options.NO_TERMINAL_WIDTH


def test_many_listings_without_an_index_say_how_to_save_the_work(capsys):
    with ProgressBar(quiet=True, hint="matcher match RESUME", least=500) as bar:
        bar.expect(2 * 3999)
        assert capsys.readouterr().err == ""
        bar.expect(2 * 4000)
        bar(10)
    said = capsys.readouterr().err
    assert said.count("\n") == 1 and "Analysing 4,000 listings on every run" in said
    assert "matcher index build LISTINGS... -o jobs.index" in said
    assert "matcher match RESUME --index jobs.index" in said


def test_bundled_listings_are_not_enough_to_hint():
    result = run("match", str(resume_path("ml_scientist")), str(LISTINGS), "-n", "1")
    assert result.exit_code == 0 and result.stderr == ""


def test_index_build_says_how_many_duplicates_it_merged(tmp_path):
    built = run("index", "build", str(LISTINGS), "-o", str(tmp_path / "all.index"))
    assert built.exit_code == 0
    assert built.stderr == f"Indexed 19 listings into {tmp_path / 'all.index'}; 1 duplicate merged\n"
