"""Words that mean nothing carry nothing (issue 20): advert language is weightless, whether it
is in the shipped list learned from two trades' postings or held by most of the pile's own
listings; skills stay evidence however many listings ask for them."""

from __future__ import annotations

import pytest

from matcher import Listing, Matcher, Settings
from matcher.analyse.words import Words, generic_words


def test_the_issue_s_generic_words_are_in_the_learned_list():
    assert {"experience", "year", "team", "skill", "strong", "ability", "full", "time"} <= (
        generic_words()
    )
    # ... and fields of work are not, however common in adverts.
    assert generic_words().isdisjoint({"care", "research", "data", "patient", "python"})


def test_generic_words_make_no_terms_nor_pairs():
    words = Words(Settings()).words("Strong experience: 5 years in a team. Causal inference.")
    assert words == ["causal", "inference", "causal inference"]
    assert "experience" in Words(Settings(generic_words=False)).words("Strong experience")


def _listings(n: int) -> list[Listing]:
    # Every listing says "hybrid" and asks for SQL; each has one word of its own.
    own = [f"quux{letter}" for letter in "abcdefghijkl"][:n]
    return [
        Listing(id=str(i), title="Analyst", description=f"Hybrid post. SQL reporting on {word}.")
        for i, word in enumerate(own)
    ]


def test_a_word_most_listings_hold_is_no_term_once_the_pile_is_large_enough():
    matcher = Matcher(_listings(12))
    terms = set(matcher.index_.terms.terms)
    assert "hybrid" not in terms
    assert "title:analyst" in terms  # the title names the job the pile shares
    assert "skill:sql" in terms  # evidence stays, though every listing asks for it
    assert "quuxa" in terms
    best = matcher.match("Analyst. Hybrid. SQL and quuxa.", top_k=1)[0]
    assert best.listing.description.endswith("quuxa.")
    assert {t.term for t in best.terms} == {"sql", "quuxa", "analyst"}
    assert sum(t.contribution for t in best.terms) == pytest.approx(best.score, abs=1e-12)


def test_a_small_pile_keeps_its_common_words():
    small = Matcher(_listings(5), settings=Settings(generic_min_listings=10))
    assert "hybrid" in set(small.index_.terms.terms)
    off = Matcher(_listings(12), settings=Settings(generic_share=1.0))
    assert "hybrid" in set(off.index_.terms.terms)
