"""Both score kernels give today's scores, bit for bit, on real resumes.

The reference is the scorer as it stood before issue 12 (gather, repeat, multiply, bincount);
numpy's kernel and, where numba is installed, the compiled one must give the same floats.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from matcher import Matcher
from matcher.errors import MatcherError
from matcher.index.model import Index
from matcher.search import kernels as score
from matcher.search.query import query_vector

from .conftest import RESUMES, SHARED

QUERIES = SHARED / "data" / "title_bench" / "queries_dev.jsonl"


def _reference_scores(index: Index, columns: np.ndarray, values: np.ndarray) -> np.ndarray:
    n = len(index.listings)
    if len(columns) == 0:
        return np.zeros(n)
    starts = index.indptr[columns]
    ends = index.indptr[columns + 1]
    spans = list(zip(starts.tolist(), ends.tolist(), strict=True))
    rows = np.concatenate([index.rows[s:e] for s, e in spans])
    weights = np.concatenate([index.weights[s:e] for s, e in spans]) * np.repeat(
        values, ends - starts
    )
    return np.bincount(rows, weights=weights, minlength=n)


def _resumes() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(RESUMES.glob("*.txt"))]
    if QUERIES.is_file():
        with QUERIES.open(encoding="utf-8") as f:
            texts += [json.loads(line)["text"] for line, _ in zip(f, range(40), strict=False)]
    return texts


@pytest.fixture(params=["numpy", "numba"])
def kernel(request, monkeypatch):
    """Force one kernel whatever the index's size."""
    if request.param == "numba":
        pytest.importorskip("numba", reason="numba (the 'fast' extra) is not installed")
        monkeypatch.setattr(score, "COMPILED_MIN_NNZ", 0)
        monkeypatch.setenv("MATCHER_KERNEL", "numba")
    else:
        monkeypatch.delenv("MATCHER_KERNEL", raising=False)
    return request.param


def test_scores_are_todays_bit_for_bit(default_matcher, kernel):
    index = default_matcher.index_
    texts = _resumes()
    assert len(texts) >= 4
    for text in texts:
        columns, values = query_vector(index, default_matcher._analyzer.query_terms(text))
        reference = _reference_scores(index, columns, values)
        assert reference.max() > 0
        assert np.array_equal(score.cosine_scores(index, columns, values), reference)


def test_no_query_term_scores_zero(default_matcher, kernel):
    index = default_matcher.index_
    empty = (np.zeros(0, np.int64), np.zeros(0))
    assert not score.cosine_scores(index, *empty).any()


@pytest.mark.parametrize("row", [-3, 10_000])
def test_a_posting_outside_the_listings_is_an_error(default_matcher, kernel, row):
    index = default_matcher.index_
    rows = index.rows.copy()
    rows[0] = row
    damaged = dataclasses.replace(index, rows=rows)
    columns = np.array([0, 1], dtype=np.int64)
    with pytest.raises(MatcherError, match="postings point outside the listings"):
        score.cosine_scores(damaged, columns, np.array([0.5, 0.5]))


def test_small_indexes_stay_on_numpy(default_matcher, monkeypatch):
    monkeypatch.setenv("MATCHER_KERNEL", "numba")
    assert default_matcher.index_.nnz < score.COMPILED_MIN_NNZ
    assert score.kernel_for(default_matcher.index_) is score.NUMPY


def test_numpy_is_the_default_kernel(default_matcher, monkeypatch):
    monkeypatch.delenv("MATCHER_KERNEL", raising=False)
    monkeypatch.setattr(score, "COMPILED_MIN_NNZ", 0)
    assert score.kernel_for(default_matcher.index_) is score.NUMPY


def test_matches_are_the_same_with_either_kernel(default_matcher, monkeypatch):
    pytest.importorskip("numba", reason="numba (the 'fast' extra) is not installed")
    text = _resumes()[0]
    monkeypatch.delenv("MATCHER_KERNEL", raising=False)
    plain = default_matcher.match(text, top_k=10)
    monkeypatch.setenv("MATCHER_KERNEL", "numba")
    monkeypatch.setattr(score, "COMPILED_MIN_NNZ", 0)
    assert isinstance(score.kernel_for(default_matcher.index_), score.NumbaKernel)
    compiled = default_matcher.match(text, top_k=10)
    assert [(m.listing.id, m.score) for m in compiled] == [(m.listing.id, m.score) for m in plain]
    assert isinstance(default_matcher, Matcher)


def _reference_weights_at(index: Index, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    out = np.zeros((len(columns), len(rows)), dtype=np.float64)
    for i, column in enumerate(columns.tolist()):
        start, end = int(index.indptr[column]), int(index.indptr[column + 1])
        postings = index.rows[start:end]
        at = np.searchsorted(postings, rows)
        inside = at < len(postings)
        hit = np.zeros(len(rows), dtype=bool)
        hit[inside] = postings[at[inside]] == rows[inside]
        out[i, hit] = index.weights[start + at[hit]]
    return out


def test_weights_at_gives_todays_weights(default_matcher):
    index = default_matcher.index_
    for text in _resumes()[:10]:
        columns, values = query_vector(index, default_matcher._analyzer.query_terms(text))
        rows = np.argsort(-score.cosine_scores(index, columns, values))[:10].astype(np.int64)
        mine = index.weights_at(rows, columns)
        assert mine.any()
        assert np.array_equal(mine, _reference_weights_at(index, rows, columns))


@pytest.mark.parametrize("block", [1, 3, 7])
def test_compiled_kernel_in_small_blocks_is_todays(default_matcher, block):
    kernel = pytest.importorskip(
        "matcher.search.numba_kernel", reason="numba (the 'fast' extra) is not installed"
    )
    index = default_matcher.index_
    n = len(index.listings)
    assert n > 7  # several blocks
    for text in _resumes()[:10]:
        columns, values = query_vector(index, default_matcher._analyzer.query_terms(text))
        scores, inside = kernel.accumulate(
            index.indptr, index.rows, index.weights, columns, values, n, block
        )
        assert inside
        assert np.array_equal(scores, _reference_scores(index, columns, values))


@pytest.mark.parametrize("row", [-3, 10_000])
def test_compiled_kernel_in_blocks_finds_rows_outside(default_matcher, row):
    kernel = pytest.importorskip(
        "matcher.search.numba_kernel", reason="numba (the 'fast' extra) is not installed"
    )
    index = default_matcher.index_
    rows = index.rows.copy()
    last = int(index.indptr[1]) - 1  # the last posting of column 0
    rows[last] = row
    columns, values = np.array([0, 1], dtype=np.int64), np.array([0.5, 0.5])
    _, inside = kernel.accumulate(
        index.indptr, rows, index.weights, columns, values, len(index.listings), 7
    )
    assert not inside
