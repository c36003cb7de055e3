"""Each piece of a command's work is done once (issue 19): counted by wrapping the stages.

Before, ``matcher match --format html`` analysed the resume 3 times, scored and explained it
twice, computed the filter mask 4 times and built the ranking's query vector again for gaps;
a table computed the mask twice.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

import matcher.matcher as matcher_module
import matcher.search.explain as explain_module
from matcher.analyse import Analyzer
from matcher.filters import Filters

from .conftest import LISTINGS, resume_path
from .test_cli import run


@pytest.fixture
def calls(monkeypatch):
    """Count calls of the resume's analysis, the kernel, explanations, masks, query vectors."""
    counted: Counter[str] = Counter()

    def counting(owner, name, label):
        original = getattr(owner, name)

        def wrapper(*args, **kwargs):
            counted[label] += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, wrapper)

    counting(Analyzer, "query_terms", "analyse")
    counting(matcher_module, "cosine_scores", "score")
    counting(matcher_module, "explain_all", "explain")
    counting(Filters, "mask", "mask")
    counting(matcher_module, "query_vector", "query vector")
    counting(explain_module, "query_vector", "query vector with a skill")
    return counted


def test_an_html_report_analyses_scores_filters_and_explains_the_resume_once(calls, tmp_path):
    page = tmp_path / "matches.html"
    result = run("match", str(resume_path("ml_scientist")), str(LISTINGS), "-n", "5",
                 "--remote", "-o", str(page))  # fmt: skip
    assert result.exit_code == 0, result.output
    gains = calls.pop("query vector with a skill")
    assert calls == {"analyse": 1, "score": 1, "explain": 1, "mask": 1, "query vector": 1}
    # Gaps add one query vector per skill they weigh (the resume naming it once more), and
    # none for the ranking's own: it is reused.
    assert gains >= 1


def test_gaps_build_one_query_vector_per_skill_weighed_and_reuse_the_ranking(calls):
    result = run("gaps", str(resume_path("economist")), str(LISTINGS), "-n", "4", "-f", "json",
                 "--job-type", "full-time")  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["gaps"]
    weighed = {m["skill"] for match in report["matches"] for m in match["missing"]}
    assert calls.pop("query vector with a skill") == len(weighed)
    assert calls == {"analyse": 1, "score": 1, "explain": 1, "mask": 1, "query vector": 1}


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_a_report_computes_the_filter_mask_once(calls, fmt):
    result = run("match", str(resume_path("economist")), str(LISTINGS), "-n", "3", "-f", fmt,
                 "--workplace", "on-site")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert calls == {"analyse": 1, "score": 1, "explain": 1, "mask": 1, "query vector": 1}
