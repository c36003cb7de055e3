"""A resume's name and contact lines are personal data, never evidence (issue 20): no term of
the query vector holds a word of the candidate's name, an e-mail or a telephone number."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher import Listing, Matcher, Settings
from matcher.analyse import Analyzer
from matcher.read.personal import without_person

ROOT = Path(__file__).resolve().parent.parent
RESUMES = sorted((ROOT / "fixtures" / "resumes").glob("*.txt"))


def _words(terms: list[str]) -> set[str]:
    return {word for term in terms for word in term.split(":", 1)[-1].split()}


@pytest.mark.parametrize("path", RESUMES, ids=lambda p: p.stem)
def test_no_term_of_a_bundled_resume_holds_its_name(path):
    text = path.read_text()
    name = text.splitlines()[0].lower().replace("-", " ").split()
    words = _words(Analyzer(Settings()).query_terms(text))
    assert words, "the resume made no terms at all"
    assert words.isdisjoint(name)
    assert not any("@" in w or "555" in w or "0101" in w for w in words)


def test_a_first_name_that_is_also_a_word_is_blanked_only_where_written_as_a_name():
    text = "Leo Hart\nleo@example.com | +1 555 0101\n\nSummary\nLeo built the LEO constellation.\n"
    blanked, names = without_person(text)
    assert names == {"leo", "hart"}
    assert len(blanked) == len(text)
    assert "Leo" not in blanked and "Hart" not in blanked
    assert "LEO constellation" in blanked  # low Earth orbit, not the candidate
    assert "Summary" in blanked and "555" not in blanked


def test_a_name_never_carries_a_score():
    # The one word the resume shares with the listing is the candidate's first name.
    listings = [
        {"id": "a", "title": "Staff Nurse", "description": "Dana ward, adult care, patients."},
        {"id": "b", "title": "Analyst", "description": "Reporting in SQL for finance."},
    ]
    matcher = Matcher([Listing(**row) for row in listings])
    resume = "Dana Whitfield\ndana@example.com\n\nSummary\nData analyst: SQL and reporting.\n"
    matches = matcher.match(resume, top_k=2)
    assert [m.listing.id for m in matches] == ["b"]  # the nurse post shares nothing else
    assert all("dana" not in t.term for m in matches for t in m.terms)


def test_a_text_without_a_name_line_is_left_as_it_is():
    text = "Summary\nData analyst with SQL.\n"
    assert without_person(text) == (text, frozenset())
