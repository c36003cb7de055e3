"""Properties of the one build path, on listings hypothesis makes (no ``../shared`` needed).

- a sharded build holds the whole build's rows, bit for bit, whatever the partitions;
- a build, then an added segment, then ``optimize`` is the build of everything, array for array;
- a saved index loads back with the same arrays and the same answers;
- the top k is a full sort's first k (score down, then row up), filters included.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher import Listing, Matcher, Settings, builtin_vocabulary
from matcher.analyse import Analyzer
from matcher.api import add_files, index_files, optimize_index
from matcher.engines.local import build_index, build_shards
from matcher.index.model import Index, Segments
from matcher.index.store import load_index
from matcher.search.topk import SAMPLE_STEP, top_k

WORDS = ["design", "build", "team", "data", "model", "customer", "report", "clinical", "care",
         "budget", "network", "field", "test", "service", "plan", "review", "safety", "deliver"]  # fmt: skip
SKILLS = ["Python", "SQL", "project management", "machine learning", "Kubernetes", "Excel",
          "patient care", "forecasting", "JavaScript", "communication"]  # fmt: skip
# A company intro many listings share: boilerplate once three listings hold it.
INTRO = "About us: We are a growing company that values every colleague and our community."
HEADINGS = ["Requirements:", "Responsibilities:", "Nice to have:", "Benefits:"]

sentence = st.lists(st.sampled_from(WORDS + SKILLS), min_size=3, max_size=12).map(
    lambda words: " ".join(words).capitalize() + "."
)
section = st.tuples(st.sampled_from(HEADINGS), st.lists(sentence, min_size=1, max_size=3)).map(
    lambda pair: pair[0] + "\n" + "\n".join(pair[1])
)


@st.composite
def listings(draw: st.DrawFn, min_size: int = 1, max_size: int = 24) -> list[Listing]:
    count = draw(st.integers(min_size, max_size))
    out = []
    for i in range(count):
        parts = draw(st.lists(section, min_size=1, max_size=3))
        if draw(st.booleans()):
            parts.insert(0, INTRO)
        title = " ".join(draw(st.lists(st.sampled_from(WORDS + SKILLS), min_size=1, max_size=3)))
        out.append(Listing(id=f"L{i}", title=title.title(), description="\n\n".join(parts)))
    return out


PROPERTY = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])  # fmt: skip


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(Settings(), builtin_vocabulary())


def _rows(index: Index | Segments) -> dict[str, object]:
    """Return every listing's vector and asked skills as plain data, by row over all segments:
    {row: sorted [(term, weight)], ...} and the shared statistics, for exact comparison."""
    segments = index.segments if isinstance(index, Segments) else (index,)
    first = segments[0]
    vectors: dict[int, list[tuple[str, float]]] = {}
    asked: dict[int, list[tuple[str, bool]]] = {}
    base = 0
    for segment in segments:
        for column in range(len(segment.terms)):
            start, end = segment.indptr[column], segment.indptr[column + 1]
            for row, weight in zip(segment.rows[start:end].tolist(),
                                   segment.weights[start:end].tolist(), strict=True):  # fmt: skip
                vectors.setdefault(base + row, []).append((segment.terms[column], weight))
        for row in range(len(segment.listings)):
            asked[base + row] = [(segment.terms[c], bool(r)) for c, r in zip(
                segment.asked(row).tolist(), segment.required(row).tolist(), strict=True)]  # fmt: skip
        base += len(segment.listings)
    return {
        "terms": list(first.terms),
        "vectors": {row: sorted(v) for row, v in vectors.items()},
        "asked": asked,
        **{name: getattr(first, name).tolist() for name in
           ("idf", "parts", "part_weights", "query_floors", "listing_floors", "repeated")},
    }  # fmt: skip


@PROPERTY
@given(docs=listings(), partitions=st.integers(1, 5))
def test_a_sharded_build_holds_the_whole_builds_rows(analyzer, docs, partitions):
    whole = build_index(docs, analyzer, workers=1)
    sharded = build_shards(docs, analyzer, partitions)
    assert len(sharded.segments) == min(partitions, len(docs)) == sharded.fitted
    assert _rows(sharded) == _rows(whole)
    for name, facts in whole.facts().items():
        assert np.array_equal(sharded.facts()[name], facts, equal_nan=True), name


def _write(folder: Path, name: str, docs: list[Listing]) -> Path:
    path = folder / name
    with path.open("w", encoding="utf-8") as f:
        for doc in docs:
            f.write(json.dumps({"id": doc.id, "title": doc.title, "description": doc.description})
                    + "\n")  # fmt: skip
    return path


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.too_slow,
                                 HealthCheck.function_scoped_fixture])  # fmt: skip
@given(docs=listings(min_size=2, max_size=20), cut=st.floats(0.1, 0.9))
def test_add_then_optimize_is_the_build_of_everything(tmp_path_factory, docs, cut):
    work = tmp_path_factory.mktemp("adds")
    at = max(1, min(len(docs) - 1, int(len(docs) * cut)))
    first, rest = _write(work, "first.jsonl", docs[:at]), _write(work, "rest.jsonl", docs[at:])
    everything = _write(work, "all.jsonl", docs)
    grown, built = work / "grown.index", work / "built.index"
    index_files([first], grown)
    added = add_files(grown, [rest])
    assert added.segments == (2 if added.added else 1)
    optimize_index(grown)
    index_files([everything], built)
    one, other = load_index(grown), load_index(built)
    assert _rows(one.index) == _rows(other.index)
    assert [x.id for x in one.index.listings] == [x.id for x in other.index.listings]


@PROPERTY
@given(docs=listings(max_size=16), resume=st.lists(sentence, min_size=1, max_size=4))
def test_a_saved_index_loads_back_the_same(tmp_path_factory, docs, resume):
    matcher = Matcher(docs)
    folder = matcher.save(tmp_path_factory.mktemp("saved") / "jobs.index")
    for verify in (True, False):
        loaded = Matcher.load(folder, verify=verify)
        assert _rows(loaded.index_) == _rows(matcher.index_)
        text = "\n".join(resume)
        assert loaded.match(text, top_k=5) == matcher.match(text, top_k=5)


def _sorted_top(scores: np.ndarray, k: int, allowed: np.ndarray | None) -> list[int]:
    rows = [r for r in range(len(scores)) if scores[r] > 0 and (allowed is None or allowed[r])]
    return sorted(rows, key=lambda r: (-scores[r], r))[:k]


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.sampled_from([0.0, 0.0, 0.1, 0.25, 0.25, 0.5, 0.9]), min_size=1,
                    max_size=SAMPLE_STEP * 40),  # fmt: skip
    k=st.integers(1, 12),
    seed=st.integers(0, 2**16),
    masked=st.booleans(),
)
def test_top_k_is_a_full_sorts_first_k(values, k, seed, masked):
    scores = np.array(values, dtype=np.float64)
    rng = np.random.default_rng(seed)
    scores = scores + rng.integers(0, 3, len(scores)) * 1e-3 * (scores > 0)  # more ties, some apart
    allowed = rng.random(len(scores)) < 0.7 if masked else None
    assert top_k(scores, k, allowed) == _sorted_top(scores, k, allowed)
