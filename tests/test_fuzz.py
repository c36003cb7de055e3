"""Fuzzing with a small budget: mutated index folders and taxonomy files never crash matcher.

Hypothesis picks the seeds of ``tests/fuzz.py``'s mutations; ``MATCHER_FUZZ_EXAMPLES`` raises
the budget, and ``python -m tests.fuzz --n 10000`` runs a large one with counts per target.
"""

from __future__ import annotations

import os
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from . import fuzz

EXAMPLES = int(os.environ.get("MATCHER_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the suite is repeatable; the on-demand runs explore
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def made(scratch):
    return fuzz.targets(scratch)


def _no_crash(target, seed):
    outcome = fuzz.Outcome()
    fuzz.run_one(target, random.Random(seed), outcome, timeout=30)
    assert outcome.crashes == outcome.hangs == 0, "\n".join(outcome.example.values())


@pytest.mark.parametrize("name", ["index", "esco", "esco-relations", "onet"])
def test_mutated_inputs_give_matcher_errors_only(made, name, monkeypatch, data_dir):
    target = made[name]()

    @FUZZ
    @given(st.integers(min_value=0, max_value=2**32))
    def check(seed):
        _no_crash(target, seed)

    monkeypatch.setenv("MATCHER_DATA_DIR", str(data_dir))
    check()


def test_the_harness_finds_crashes(made, monkeypatch):
    """The harness itself can fail: a target that raises a foreign exception is counted."""
    import matcher.skills.taxonomy as taxonomy

    def broken(records):
        raise AttributeError("'NoneType' object has no attribute 'split'")

    monkeypatch.setattr(taxonomy, "_onet_rows", broken)
    outcome = fuzz.fuzz(made["onet"](), n=20)
    assert outcome.inputs == 20 and outcome.crashes > 10
    assert set(outcome.kinds) == {"AttributeError"}  # the rest were refused with an error
