"""Properties of the part-based score and its explanation (issue 9: skills carry the score)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from matcher import Listing, Matcher, Settings, read_resume
from matcher.analyse import SKILL_PREFIX, Analyzer, lead_cut, singular, term_text
from matcher.models import UNTITLED
from matcher.search.kernels import cosine_scores
from matcher.search.query import query_vector

from .conftest import PROFILES, resume_path


def _scores_with(matcher: Matcher, terms: list[str]) -> np.ndarray:
    return cosine_scores(matcher.index_, *query_vector(matcher.index_, terms))


@pytest.mark.parametrize("profile", PROFILES)
def test_parts_and_terms_add_up_to_the_score(default_matcher, profile):
    for match in default_matcher.match(read_resume(resume_path(profile)), top_k=19):
        assert set(match.parts) == {"skills", "title", "words"}
        assert math.fsum(match.parts.values()) == pytest.approx(match.score, abs=1e-9)
        assert 0 < match.score <= 1
        for skill in match.matched:
            assert skill.share == pytest.approx(skill.contribution / match.score, abs=1e-12)
        skills = math.fsum(s.contribution for s in match.matched)
        assert skills == pytest.approx(match.parts["skills"], abs=1e-9)
        coverage = match.coverage
        assert coverage.asked - coverage.covered == len(match.missing)
        assert coverage.required - coverage.required_covered == sum(
            m.required for m in match.missing
        )


def test_part_weights_bound_each_part(default_matcher):
    weights = dict(zip(("skills", "title", "words"), Settings().part_weights(), strict=True))
    for profile in PROFILES:
        for match in default_matcher.match(read_resume(resume_path(profile)), top_k=19):
            for part, value in match.parts.items():
                assert value <= weights[part] + 1e-9  # a part's cosine is at most 1


def _contrast(matcher: Matcher) -> list[tuple[str, float, float]]:
    """(title, score of a resume holding only the title, score of one naming the asked skills
    under another title) for each bundled listing that asks for 4 or more skills."""
    index = matcher.index_
    out = []
    for row, listing in enumerate(matcher.listings):
        asked = [term_text(index.terms[c]) for c in index.asked(row).tolist()]
        if len(asked) < 4 or listing.title == UNTITLED:
            continue
        title_only = matcher.scores(listing.title)[row]
        skills = matcher.scores("Operations Coordinator\n\nSkills: " + ", ".join(asked))[row]
        out.append((listing.title, float(title_only), float(skills)))
    return out


def test_skills_under_another_title_beat_a_bare_title(default_matcher):
    cases = _contrast(default_matcher)
    assert len(cases) >= 10
    held = [title for title, bare, skilled in cases if skilled > bare]
    assert len(held) >= 0.9 * len(cases), [c for c in cases if c[0] not in held]


@pytest.mark.parametrize("profile", PROFILES)
def test_naming_a_required_skill_never_lowers_the_score(default_matcher, profile):
    text = read_resume(resume_path(profile))
    terms = default_matcher._analyzer.query_terms(text)
    before = _scores_with(default_matcher, terms)
    report = default_matcher.gaps(text, top=19)
    advised = {g.skill for g in report.gaps}
    lowered = []
    for row, match in enumerate(default_matcher.match(text, top_k=19)):
        row = default_matcher.listings.index(match.listing)
        for skill in (m.skill for m in match.missing if m.required):
            after = _scores_with(default_matcher, [*terms, SKILL_PREFIX + skill])[row]
            if after < before[row] - 1e-12:
                lowered.append(skill)
    # Where naming a skill would lower a score, gaps never advises it and says so by count.
    assert not (set(lowered) & advised) or report.not_helping > 0
    assert len(lowered) <= 0.05 * max(
        1, sum(len(m.missing) for m in default_matcher.match(text, 19))
    )


def test_preferred_skills_are_told_apart_from_required_ones():
    listing = Listing(
        "1",
        "Data Engineer",
        "Requirements:\n- Python and SQL\n- Apache Airflow\n\nPreferred qualifications:\n- Kubernetes\n"
        "- Terraform\n\nExperience with Tableau is a plus.",
    )
    match = Matcher([listing]).match("I know Python.", top_k=1)[0]
    missing = {m.skill: m.required for m in match.missing}
    assert missing["sql"] is True and missing["apache airflow"] is True
    assert missing["kubernetes"] is False and missing["terraform"] is False
    assert missing["tableau"] is False
    assert [m.required for m in match.missing] == sorted(
        (m.required for m in match.missing), reverse=True
    )
    assert match.coverage.asked == 6 and match.coverage.covered == 1
    assert match.coverage.required == 3 and match.coverage.required_covered == 1


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("coaches", "coach"),
        ("processes", "process"),
        ("businesses", "business"),
        ("boxes", "box"),
        ("caches", "cache"),
        ("databases", "database"),
        ("analysts", "analyst"),
        ("studies", "study"),
        ("courses", "course"),
        ("analysis", "analysis"),
    ],
)
def test_plural_folding(word, expected):
    assert singular(word) == expected


def test_names_with_a_capital_final_s_are_not_plurals():
    terms = Analyzer(Settings(skills=False, bigrams=False)).terms("Published at NeurIPS and ICLR")
    assert "neurips" in terms and "neurip" not in terms


@pytest.mark.parametrize("text", ["x" * 30, "abcdefghij klmnopqrstuvwxyz", "word " * 9])
def test_the_resume_lead_never_cuts_a_word(text):
    cut = lead_cut(text, 1 / 3)
    assert cut == len(text) or text[cut].isspace()
    assert 0 < cut <= len(text)


def test_a_unit_name_in_capitals_is_not_a_skill():
    # React is written "React": "REACT", a team's or service's name, is not the library.
    from matcher import extract_skills

    assert extract_skills("Community Nurse (REACT) in the east locality") == []
    found = [s.name for s in extract_skills("Skills: React (hooks), TypeScript")]
    assert "react.js" in found and "typescript" in found


def test_imported_codes_need_context_and_roman_numerals_go():
    from matcher.skills.taxonomy import sort_forms

    sure, ambiguous = sort_forms(["III", "Surface III", "ES", "NAV", "Microsoft Excel"])
    assert sure == ["Surface III", "Microsoft Excel"] and ambiguous == ["ES", "NAV"]
    assert sort_forms(["II", "IV"]) == ([], [])
    assert sort_forms(["Structured query language", "SQL"]) == (
        ["Structured query language", "SQL"],
        [],
    )
