"""The score kernels agree with a peer and with each other, on real resumes.

The peer is a dense matrix made from the index's postings, times the query vector: an
independent computation, equal to the kernels' scores within rounding. Numpy's kernel and,
where numba is installed, the compiled one must give the same floats bit for bit (each sums a
listing's products in the query's column order). That today's scores are those of before the
rearrangement is the golden test's to hold (``tests/test_golden.py``).
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


def dense(index: Index) -> np.ndarray:
    """Return the index as a dense (listings x terms) float64 matrix, from its postings."""
    matrix = np.zeros((len(index.listings), len(index.terms)), dtype=np.float64)
    columns = np.repeat(np.arange(len(index.terms)), np.diff(index.indptr))
    matrix[index.rows, columns] = index.weights
    return matrix


def _peer_scores(index: Index, columns: np.ndarray, values: np.ndarray) -> np.ndarray:
    return dense(index)[:, columns] @ values


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


def test_scores_are_a_dense_products(default_matcher, kernel):
    index = default_matcher.index_
    texts = _resumes()
    assert len(texts) >= 4
    for text in texts:
        columns, values = query_vector(index, default_matcher._analyzer.query_terms(text))
        peer = _peer_scores(index, columns, values)
        assert peer.max() > 0
        assert np.allclose(score.cosine_scores(index, columns, values), peer, rtol=1e-12, atol=1e-15)


def test_the_kernels_agree_bit_for_bit(default_matcher):
    accumulate = pytest.importorskip(
        "matcher.search.numba_kernel", reason="numba (the 'fast' extra) is not installed"
    ).accumulate
    index = default_matcher.index_
    compiled = score.NumbaKernel(accumulate)
    for text in _resumes():
        columns, values = query_vector(index, default_matcher._analyzer.query_terms(text))
        assert np.array_equal(compiled.scores(index, columns, values),
                              score.NUMPY.scores(index, columns, values))  # fmt: skip


def test_batch_and_scores_at_are_the_single_querys(default_matcher):
    index = default_matcher.index_
    queries = [query_vector(index, default_matcher._analyzer.query_terms(t)) for t in _resumes()]
    batch = score.batch_scores(index, queries)
    rows = np.arange(len(index.listings))[::-3]
    for i, (columns, values) in enumerate(queries):
        one = score.cosine_scores(index, columns, values)
        assert np.allclose(batch[i], one, rtol=1e-12, atol=1e-15)
        assert np.allclose(score.scores_at(index, rows, columns, values), one[rows],
                           rtol=1e-12, atol=1e-15)  # fmt: skip


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


def peer_weights_at(index: Index, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """Return ``index.weights_at(rows, columns)`` looked up in the dense matrix."""
    return dense(index)[np.ix_(rows, columns)].T


def test_weights_at_gives_the_stored_weights(default_matcher):
    index = default_matcher.index_
    for text in _resumes()[:10]:
        columns, values = query_vector(index, default_matcher._analyzer.query_terms(text))
        rows = np.argsort(-score.cosine_scores(index, columns, values))[:10].astype(np.int64)
        mine = index.weights_at(rows, columns)
        assert mine.any()
        assert np.array_equal(mine, peer_weights_at(index, rows, columns))


@pytest.mark.parametrize("block", [1, 3, 7])
def test_compiled_kernel_in_small_blocks_is_numpys(default_matcher, block):
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
        assert np.array_equal(scores, score.NUMPY.scores(index, columns, values))


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
