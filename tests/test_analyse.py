from __future__ import annotations

import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from matcher.analyse import (
    BOILERPLATE_WEIGHT,
    SECTION_WEIGHTS,
    Analyzer,
    is_repeated,
    repeated_shingles,
    sentence_spans,
    sentences,
)
from matcher.settings import Settings

LISTING = (
    "Acme builds rockets for everyone on earth and beyond. "
    "Key job responsibilities - Design guidance software in C++ - Run flight tests "
    "About the team We are a friendly group of engineers in Austin. "
    "Basic Qualifications: 5+ years of embedded software experience. "
    "Acme is an Equal Opportunity Employer and offers a total compensation package."
)


def _weights(text: str) -> dict[str, float]:
    return {s.text: s.weight for s in sentences(text, Settings())}


def test_sections_weight_requirements_above_intro_team_and_legal():
    weights = _weights(LISTING)
    assert (
        weights["Acme builds rockets for everyone on earth and beyond."] == SECTION_WEIGHTS["intro"]
    )
    assert weights["Design guidance software in C++"] == SECTION_WEIGHTS["responsibilities"]
    assert weights["We are a friendly group of engineers in Austin."] == SECTION_WEIGHTS["team"]
    assert weights["5+ years of embedded software experience."] == SECTION_WEIGHTS["requirements"]
    legal = "Acme is an Equal Opportunity Employer and offers a total compensation package."
    assert weights[legal] == BOILERPLATE_WEIGHT


def test_no_headings_means_whole_text_at_full_weight():
    assert set(_weights("Build models. Ship them to production.").values()) == {1.0}


@pytest.mark.parametrize(
    "text",
    [
        "Tell us about the team you led and what it shipped.",
        "We reward responsibilities taken on early. Qualifications matter less than drive.",
    ],
)
def test_heading_words_inside_sentences_are_not_headings(text):
    assert set(_weights(text).values()) == {1.0}


def test_capitalised_heading_without_punctuation_before_it():
    weights = _weights("You will own experiments end to end ABOUT AUDIBLE Audible is great.")
    assert weights["Audible is great."] == SECTION_WEIGHTS["company"]


@pytest.mark.parametrize(
    ("text", "sentence", "kind"),
    [
        (
            "Intro text here. BASIC QUALIFICATIONS - 3+ years of Python",
            "3+ years of Python",
            "requirements",
        ),
        ("We build things Requirements: Python and SQL", "Python and SQL", "requirements"),
        (
            "Our shop.\nWhat you'll do\nShip features weekly",
            "Ship features weekly",
            "responsibilities",
        ),
        (
            "Great job. ABOUT AMAZON LEO Amazon Leo is a satellite project.",
            "Amazon Leo is a satellite project.",
            "company",
        ),
    ],
)
def test_heading_forms(text, sentence, kind):
    found = {s.text: s.kind for s in sentences(text, Settings())}
    assert found[sentence] == kind


def test_sections_off_keeps_one_piece():
    assert [s.weight for s in sentences(LISTING, Settings(sections=False))] == [1.0]


def test_text_repeated_across_listings_is_found_even_when_edited():
    intro = (
        "Prime Video is a first stop entertainment destination offering customers a vast collection"
    )
    edited = intro.replace("vast", "huge")
    docs = [
        sentences(f"{text}. Key responsibilities: Build {topic} models for the team.", Settings())
        for text, topic in ((intro, "ranking"), (edited, "vision"), (intro, "forecasting"))
    ]
    repeated = repeated_shingles(docs, min_documents=3)
    assert [is_repeated(s, repeated) for s in docs[1]] == [True, False]
    # Text under "Tasks" is duties, which related listings share: never boilerplate.
    tasks = [sentences(f"Tasks: {intro}. Build models.", Settings()) for _ in range(3)]
    assert not any(is_repeated(s, repeated_shingles(tasks, 3)) for s in tasks[0])
    assert not any(is_repeated(s, repeated_shingles(docs, 4)) for d in docs for s in d)


def test_repeated_boilerplate_is_left_out_of_the_listing_terms():
    analyzer = Analyzer(Settings(skills=False, bigrams=False, plurals=False, generic_words=False))
    docs = [
        sentences(
            f"Acme makes reusable rockets for everyone on the whole earth. We need {skill} experts.",
            Settings(),
        )
        for skill in ("python", "rust", "fortran")
    ]
    weights, _ = analyzer.listing_terms(docs[0], repeated=repeated_shingles(docs, 3))
    assert set(weights) == {"need", "python", "experts"}


REPEATS = (
    "Requirements: Python and python, SQL and SQL; nice to have: Python python python. "
    "About the team: data data data and team team team. "
    "About us: care care care care care care here. "
    "Acme makes reusable rockets for everyone on the whole earth and beyond it."
)


@pytest.mark.parametrize("settings", [Settings(), Settings.plain(), Settings(bigrams=False)])
def test_listing_terms_at_spans_are_listing_terms_to_the_bit(settings):
    """The build's way (sentence spans, counted terms) gives the same floats in the same order,
    also where adding a weight n times is not n times the weight (0.1 six times)."""
    assert 0.1 + 0.1 + 0.1 + 0.1 + 0.1 + 0.1 != 0.1 * 6
    texts = [REPEATS, REPEATS.replace("Python", "Rust"), REPEATS.replace("SQL", "Fortran")]
    docs = [sentences(text, Settings()) for text in texts]
    repeated = repeated_shingles(docs, 3)
    assert repeated
    analyzer = Analyzer(settings)
    for text, doc in zip(texts, docs, strict=True):
        want = analyzer.listing_terms(doc, "Data Engineer", repeated)
        got = analyzer.listing_terms_at(text, sentence_spans(text), "Data Engineer", repeated)
        assert list(got[0].items()) == list(want[0].items())
        assert got[1] == want[1]
    assert want[0]["care"] == 0.1 + 0.1 + 0.1 + 0.1 + 0.1 + 0.1


def test_plain_terms_equal_scikit_learn_default_analyzer():
    text = "Python, R & SQL; machine-learning (ML) at 3x scale. Dr. O'Neil's e-mail: a.b@c.de"
    reference = TfidfVectorizer().build_analyzer()(text)
    assert Analyzer(Settings.plain()).terms(text) == reference


def test_stop_words_are_dropped_when_on():
    terms = Analyzer(Settings(skills=False, bigrams=False)).terms("The model and the data")
    assert terms == ["model", "data"]


def test_the_lead_of_a_resume_counts_twice():
    text = "statistician forecasting " + "gardening " * 10
    terms = Analyzer(Settings(skills=False, bigrams=False)).query_terms(text)
    assert terms.count("statistician") == 2 and 10 < terms.count("gardening") < 20
    no_lead = Analyzer(Settings(skills=False, bigrams=False, resume_lead=0.0))
    assert no_lead.query_terms(text).count("statistician") == 1
