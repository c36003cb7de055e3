"""Fuzzing every reader with a small budget: generated and mutated files give matcher errors only.

Hypothesis picks the seeds of ``tests/fuzz_readers.py``'s inputs; ``MATCHER_FUZZ_EXAMPLES``
raises the budget, and ``python benchmarks/fuzz_readers.py --n 10000`` runs a large one.
"""

from __future__ import annotations

import os
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from . import fuzz, fuzz_readers
from .test_fuzz import FUZZ as INDEX_FUZZ

# Ten readers: fewer examples each than the index's fuzzing, the same other settings.
FUZZ = settings(INDEX_FUZZ, max_examples=int(os.environ.get("MATCHER_FUZZ_EXAMPLES", "25")))


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    return fuzz_readers.readers(tmp_path_factory.mktemp("fuzz-readers"))


@pytest.mark.parametrize(
    "name", ["docx", "pdf", "text", "json", "jsonl", "csv", "tsv", "page", "markup", "schema"]
)
def test_every_reader_gives_matcher_errors_only(made, name):
    reader = made[name]()

    @FUZZ
    @given(st.integers(min_value=0, max_value=2**32))
    def check(seed):
        outcome = fuzz.Outcome()
        fuzz.run_one(reader, random.Random(seed), outcome, timeout=60)
        assert outcome.crashes == outcome.hangs == 0, "\n".join(outcome.example.values())

    check()


def test_the_reader_harness_counts_foreign_exceptions(made, monkeypatch):
    """The harness can fail: a reader that raises something other than a MatcherError is counted."""
    import matcher.read.listings as listings

    def broken(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded while decoding a JSON array")

    monkeypatch.setattr(listings, "json_records", broken)
    outcome = fuzz_readers.fuzz(made["json"](), n=20)
    assert outcome.inputs == 20 and outcome.crashes > 5
    assert set(outcome.kinds) == {"RecursionError"}  # the rest were refused with an error
