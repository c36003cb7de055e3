"""The query path's shortcuts give today's results exactly, on real resumes and a real index.

The index is title_bench's 1,016 O*NET listings (``../shared/data``); its score vectors are also
tiled, so that ``top_k`` sees a million-like run of ties and takes its sampled floor. The
references are independent: a full stable sort for ``top_k`` (score down, then row up), a
dense matrix of the postings for ``weights_at``. The same properties run without
``../shared`` in ``tests/test_build_properties.py``.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher import Listing, Matcher
from matcher.search import kernels as score
from matcher.search import topk
from matcher.search.explain import explain, explain_all
from matcher.search.query import query_vector

from .conftest import SHARED
from .test_score_kernels import peer_weights_at

BENCH = SHARED / "data" / "title_bench"
pytestmark = pytest.mark.skipif(
    not (BENCH / "listings.jsonl").is_file(), reason="../shared/data/title_bench is absent"
)


def _sorted_top(scores: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[int]:
    """The top k by a full sort: positive (and allowed) scores, highest first, ties by row."""
    rows = np.flatnonzero(scores > 0)
    if allowed is not None:
        rows = rows[allowed[rows]]
    return sorted(rows.tolist(), key=lambda r: (-scores[r], r))[:k]


def _jsonl(name: str, limit: int) -> list[dict]:
    with (BENCH / name).open(encoding="utf-8") as handle:
        return [json.loads(line) for line, _ in zip(handle, range(limit), strict=False)]


@pytest.fixture(scope="module")
def bench() -> Matcher:
    rows = _jsonl("listings.jsonl", 2000)
    return Matcher([Listing(id=r["id"], title=r["title"], description=r["text"]) for r in rows])


@pytest.fixture(scope="module")
def queries(bench: Matcher) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(columns, values, scores) of 30 real resumes."""
    out = []
    for row in _jsonl("queries_dev.jsonl", 30):
        columns, values = query_vector(bench.index_, bench._analyzer.query_terms(row["text"]))
        out.append((columns, values, score.cosine_scores(bench.index_, columns, values)))
    return out


@pytest.mark.parametrize("k", [1, 10, 57])
@pytest.mark.parametrize("copies", [1, 40])
def test_top_k_is_a_full_sort_on_real_scores(queries, k, copies):
    rng = np.random.default_rng(k)
    for _, _, scores in queries:
        tiled = np.tile(scores, copies)  # every score tied with its copies
        assert topk.top_k(tiled, k) == _sorted_top(tiled, k)
        allowed = rng.random(len(tiled)) < 0.3
        assert topk.top_k(tiled, k, allowed) == _sorted_top(tiled, k, allowed)


def test_top_k_takes_the_sampled_floor_on_large_runs(queries):
    scores = np.tile(queries[0][2], 40)
    floor = topk.above_floor(scores, 10, None)
    assert floor is not None and 10 <= len(floor) < (scores > 0).sum()


def test_top_k_with_few_allowed_rows_falls_back(queries):
    scores = np.tile(queries[0][2], 40)
    allowed = np.zeros(len(scores), dtype=bool)
    allowed[[5, 17, 900]] = True  # off the sampled rows: the sample is empty
    assert topk.top_k(scores, 10, allowed) == _sorted_top(scores, 10, allowed)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.75, 1.0]), min_size=0, max_size=3000),
    st.integers(1, 30),
    st.integers(0, 2**32 - 1),
)
def test_top_k_is_a_full_sort_with_ties_and_zeros(values, k, seed):
    scores = np.array(values, dtype=np.float64)
    allowed = np.random.default_rng(seed).random(len(scores)) < 0.5
    assert topk.top_k(scores, k) == _sorted_top(scores, k)
    assert topk.top_k(scores, k, allowed) == _sorted_top(scores, k, allowed)


def test_weights_at_is_the_stored_weights_on_top_rows_and_asked_skills(bench, queries):
    index = bench.index_
    for columns, _, scores in queries:
        rows = np.array(topk.top_k(scores, 10), dtype=np.int64)
        asked = np.unique(np.concatenate([index.asked(int(r)) for r in rows])).astype(np.int64)
        for wanted in (columns, asked, columns[:1]):
            mine = index.weights_at(rows, wanted)
            assert np.array_equal(mine, peer_weights_at(index, rows, wanted))
        assert index.weights_at(rows, columns).any()


def test_explain_all_is_explain_row_by_row(bench, queries):
    index = bench.index_
    for columns, values, scores in queries[:10]:
        rows = topk.top_k(scores, 10)
        together = explain_all(index, rows, columns, values, bench.kind_of)
        alone = [explain(index, row, columns, values, kind_of=bench.kind_of) for row in rows]
        assert together == alone
        assert any(e.missing for e in together)
        for row, why in zip(rows, together, strict=True):
            assert sum(t.contribution for t in why.terms) == pytest.approx(scores[row], abs=1e-9)
