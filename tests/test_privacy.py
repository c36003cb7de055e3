"""Resumes are personal data: no network, no pickle, no resume text in logs or errors."""

from __future__ import annotations

import logging
import re
import socket
from pathlib import Path

import pytest

import matcher
from matcher import match_files
from matcher.cli import app

from .conftest import resume_path

PACKAGE = Path(matcher.__file__).parent


def test_matching_opens_no_network_connection(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("matcher tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    for fmt in ("pdf", "docx", "txt"):
        assert match_files(resume_path("ml_scientist", fmt), top_k=2).matches


def test_nothing_is_unpickled():
    pattern = re.compile(r"^\s*(import|from)\s+(pickle|cPickle|joblib|dill|shelve)\b", re.M)
    sources = list(PACKAGE.rglob("*.py"))
    assert sources
    assert [p.name for p in sources if pattern.search(p.read_text(encoding="utf-8"))] == []


def test_resume_text_never_reaches_the_logs(tmp_path, caplog):
    marker = "Zanzibar-Quetzal-7731"
    resume = tmp_path / "cv.txt"
    resume.write_text(f"{marker}\nPython, SQL and machine learning.\n")
    with caplog.at_level(logging.DEBUG):
        match_files(resume, top_k=3)
    assert all(marker not in record.getMessage() for record in caplog.records)


def test_tracebacks_never_show_local_variables():
    assert app.pretty_exceptions_show_locals is False


@pytest.mark.parametrize("name", ["resume.txt", "notes.md"])
def test_inputs_are_left_untouched(tmp_path, name):
    resume = tmp_path / name
    data = b"Python and SQL.\n"
    resume.write_bytes(data)
    before = resume.stat().st_mtime_ns
    match_files(resume, top_k=1)
    assert resume.read_bytes() == data and resume.stat().st_mtime_ns == before
