from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from matcher import Listing, Matcher, Settings, load_listings, match_files, read_resume
from matcher.analyse import STOP_WORDS, Analyzer

from .conftest import LISTINGS, PROFILES, resume_path

# Listing weights are stored as float32 (half the memory of float64): scores agree with a float64
# reference to about 1e-7.
FLOAT32 = 1e-6

WORDS = [
    "python",
    "sql",
    "machine",
    "learning",
    "ML",
    "causal",
    "inference",
    "stata",
    "react",
    "javascript",
    "JS",
    "k8s",
    "kubernetes",
    "payload",
    "antenna",
    "Go",
    "golang",
    "R",
    "the",
    "and",
    "team",
    "about",
    "experience",
    "C++",
    "Node.js",
    "A/B",
    "testing",
]
text = st.lists(st.sampled_from(WORDS), min_size=1, max_size=40).map(" ".join)


def _listings(texts: list[str]) -> list[Listing]:
    return [Listing(id=str(i), title=f"Job {i}", description=t) for i, t in enumerate(texts)]


def _reference_scores(descriptions: list[str], resume: str) -> np.ndarray:
    vectorizer = TfidfVectorizer()
    matrix = vectorizer.fit_transform(descriptions)
    return (matrix @ vectorizer.transform([resume]).T).toarray().ravel()


@pytest.mark.parametrize("profile", PROFILES)
def test_plain_settings_rank_exactly_like_tfidfvectorizer(fixture_listings, profile):
    resume = read_resume(resume_path(profile))
    matches = Matcher(fixture_listings, settings=Settings.plain()).match(resume, top_k=100)
    reference = _reference_scores([x.description for x in fixture_listings], resume)
    expected = sorted(
        (i for i in range(len(reference)) if reference[i] > 0), key=lambda i: (-reference[i], i)
    )
    assert [fixture_listings.listings.index(m.listing) for m in matches] == expected
    assert [m.score for m in matches] == pytest.approx(
        [reference[i] for i in expected], abs=FLOAT32
    )


@pytest.mark.parametrize("profile", PROFILES)
def test_skills_and_sections_off_equal_a_tfidfvectorizer_with_the_same_options(
    fixture_listings, profile
):
    resume = read_resume(resume_path(profile))
    ours = Matcher(
        fixture_listings,
        settings=Settings(
            skills=False,
            sections=False,
            bigrams=False,
            plurals=False,
            placeholders=False,
            title_part=0.0,
            query_pivot=0.0,
            resume_lead=0.0,
            generic_words=False,
            generic_share=1.0,
            personal=False,
        ),
    )
    vectorizer = TfidfVectorizer(
        sublinear_tf=True,
        stop_words=sorted(STOP_WORDS),
        token_pattern=r"(?u)\b(?!\d+\b)\w\w+\b",  # stop words take numbers too
    )
    matrix = vectorizer.fit_transform([x.description for x in fixture_listings])
    reference = (matrix @ vectorizer.transform([resume]).T).toarray().ravel()
    scores = {m.listing.id: m.score for m in ours.match(resume, top_k=100)}
    for listing, value in zip(fixture_listings, reference, strict=True):
        assert scores.get(listing.id, 0.0) == pytest.approx(value, abs=FLOAT32)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(docs=st.lists(text, min_size=1, max_size=8), resume=text)
def test_plain_settings_match_reference_on_random_text(docs, resume):
    try:
        reference = _reference_scores(docs, resume)
    except ValueError:  # scikit-learn refuses a corpus without a word of two letters
        assume(False)
    matcher = Matcher(_listings(docs), settings=Settings.plain())
    scores = {int(m.listing.id): m.score for m in matcher.match(resume, top_k=len(docs))}
    for i, value in enumerate(reference):
        assert scores.get(i, 0.0) == pytest.approx(value, abs=FLOAT32)


@settings(max_examples=80, deadline=None)
@given(docs=st.lists(text, min_size=1, max_size=8), resume=text, sections=st.booleans())
def test_contributions_add_up_to_the_score(docs, resume, sections):
    matcher = Matcher(_listings(docs), settings=Settings(sections=sections))
    for match in matcher.match(resume, top_k=10):
        assert 0.0 < match.score <= 1.0 + FLOAT32
        assert math.fsum(t.contribution for t in match.terms) == pytest.approx(
            match.score, abs=1e-9
        )
        assert all(t.contribution > 0 for t in match.terms)
        matched = {s.skill for s in match.matched}
        assert matched == {t.term for t in match.terms if t.is_skill}
        assert not matched & {s.skill for s in match.missing}


def test_matched_skills_are_in_both_texts_and_missing_ones_only_in_the_listing(default_matcher):
    resume = read_resume(resume_path("economist"))
    analyzer = default_matcher._analyzer
    resume_skills = set(analyzer.skill_terms(resume))
    for match in default_matcher.match(resume, top_k=5):
        listing_skills = set(analyzer.skill_terms(match.listing.description))
        for skill in match.matched:
            assert skill.skill in resume_skills and skill.skill in listing_skills
        for skill in match.missing:
            assert skill.skill in listing_skills and skill.skill not in resume_skills
        order = [(not s.required, -s.weight) for s in match.missing]
        assert order == sorted(order)  # required first, then by weight


def _rank_of(matches, words: tuple[str, ...]) -> list[int]:
    return [m.rank for m in matches if any(w in m.listing.description for w in words)]


def test_ml_scientist_ranks_science_above_satellite_payload_roles(default_matcher):
    matches = default_matcher.match(read_resume(resume_path("ml_scientist")), top_k=19)
    satellite = _rank_of(matches, ("Low Earth Orbit",))
    # A team blurb with no role in it ("Untitled listing") is left out of either side.
    titled = [m for m in matches if m.listing.title != "Untitled listing"]
    science = [m.rank for m in titled if "Scientist" in m.listing.title]
    assert len(satellite) == 2 and len(science) >= 11
    assert max(science) < min(satellite)


def test_rf_engineer_ranks_satellite_payload_roles_first(default_matcher):
    matches = default_matcher.match(read_resume(resume_path("rf_systems_engineer")), top_k=19)
    assert sorted(_rank_of(matches, ("Low Earth Orbit",))) == [1, 2]


def test_economist_ranks_economist_roles_first(default_matcher):
    matches = default_matcher.match(read_resume(resume_path("economist")), top_k=3)
    titles = [m.listing.title for m in matches]
    assert "Economist III" in titles[:2] and "Manager III, Economist" in titles


def test_boilerplate_only_overlap_scores_low(fixture_listings):
    prime = [x for x in fixture_listings if x.description.startswith("Prime Video is")]
    assert len(prime) == 3
    # The company intro the three Prime Video listings share, and nothing else.
    intro = prime[0].description.split("Key job responsibilities")[0]
    intro = intro[: intro.index("With global opportunities")]
    scores = {
        name: {
            m.listing.id: m.score for m in Matcher(fixture_listings, settings=s).match(intro, 19)
        }
        # Titles are not boilerplate: "Prime Video Technologist" may share words with the intro.
        for name, s in (("matcher", Settings(title_part=0.0)), ("plain", Settings.plain()))
    }
    for listing in prime:
        assert scores["plain"][listing.id] > 0.7  # what boilerplate does to plain TF-IDF
        assert scores["matcher"].get(listing.id, 0.0) < 0.2


def test_location_filter_is_a_case_insensitive_substring(default_matcher):
    resume = read_resume(resume_path("ml_scientist"))
    matches = default_matcher.match(resume, top_k=19, location="seattle")
    assert matches and all("seattle" in m.listing.location.lower() for m in matches)
    assert [m.rank for m in matches] == list(range(1, len(matches) + 1))
    assert default_matcher.match(resume, location="Atlantis") == []


def test_top_k_and_ordering(default_matcher):
    resume = read_resume(resume_path("frontend_developer"))
    five = default_matcher.match(resume, top_k=5)
    assert len(five) == 5
    scores = [m.score for m in default_matcher.match(resume, top_k=19)]
    assert scores == sorted(scores, reverse=True)
    assert [m.score for m in five] == scores[:5]


def test_no_shared_terms_means_no_matches():
    matcher = Matcher(_listings(["Python and SQL daily."]))
    assert matcher.match("Knitting, baking, gardening.") == []


def test_ties_keep_listing_order():
    matcher = Matcher(_listings(["python sql", "python sql", "python sql"]))
    assert [m.listing.id for m in matcher.match("python", top_k=2)] == ["0", "1"]


def test_results_are_frozen(default_matcher):
    match = default_matcher.match("machine learning and python")[0]
    with pytest.raises(AttributeError):
        match.score = 1.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("listings", "error"),
    [("fixtures/listings", TypeError), ([], ValueError), (["not a listing"], TypeError)],
)
def test_matcher_refuses_wrong_input(listings, error):
    with pytest.raises(error):
        Matcher(listings)


def test_match_refuses_bad_arguments(default_matcher):
    with pytest.raises(ValueError, match="top_k"):
        default_matcher.match("python", top_k=0)
    with pytest.raises(TypeError, match="str"):
        default_matcher.match(b"python")  # type: ignore[arg-type]


def test_match_files_defaults_to_bundled_listings():
    report = match_files(resume_path("ml_scientist", "pdf"), top_k=3)
    assert len(report.matches) == 3
    assert report.listings_count == len(load_listings(LISTINGS)) == 19
    assert report.duplicates_dropped == 1


@pytest.mark.parametrize("profile", PROFILES)
def test_scores_agree_with_match(default_matcher, profile):
    text = read_resume(resume_path(profile, "txt"))
    scores = default_matcher.scores(text)
    assert scores.shape == (len(default_matcher.listings),)
    for match in default_matcher.match(text, top_k=5):
        row = default_matcher.listings.index(match.listing)
        assert scores[row] == pytest.approx(match.score, abs=1e-12)


def test_bigrams_are_neighbouring_words_within_a_sentence():
    from sklearn.feature_extraction.text import CountVectorizer

    analyzer = Analyzer(Settings(skills=False, sections=False, plurals=False, placeholders=False))
    text = "Build the financial statements and audit reports for clients"
    reference = CountVectorizer(ngram_range=(1, 2), stop_words=sorted(STOP_WORDS)).build_analyzer()
    assert sorted(analyzer.terms(text)) == sorted(reference(text))
    assert "excel managed" not in analyzer.terms("Advanced Excel.\nManaged a team")
    assert "model managed" in Analyzer(Settings(bigrams=True)).terms("Model managed")


def test_plurals_fold_on_both_sides():
    listings = [Listing("1", "Accountants and Auditors", "Examine the records of clients.")]
    match = Matcher(listings).match("Accountant; examined a client record")[0]
    assert {t.term for t in match.terms} == {"accountant", "client"}  # "record" is generic
