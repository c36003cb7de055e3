"""A sharded build (matcher/shards.py) gives, shard by shard, the rows of the single build."""

from __future__ import annotations

import json
from itertools import islice

import numpy as np
import pytest

from matcher import Matcher, load_listings
from matcher.analyse import Analyzer
from matcher.api import add_files, optimize_index
from matcher.engines.local import build_index, build_shards
from matcher.index.build import partition_bounds
from matcher.index.model import Index, Segments
from matcher.index.store import IndexFormatError, index_info, load_index, save_index
from matcher.render.table import render_index_info
from matcher.settings import Settings
from matcher.skills.taxonomy import load_vocabulary

from .conftest import LISTINGS, SHARED

NHS = SHARED / "data" / "nhs_jobs" / "nhs_jobs_2020.jsonl"
needs_nhs = pytest.mark.skipif(not NHS.is_file(), reason=f"{NHS} is not beside this checkout")

STATISTICS = ("idf", "parts", "part_weights", "query_floors", "listing_floors", "repeated")


def assert_same_rows(one: Index, sharded: Segments) -> None:
    """Every statistic equal, and each shard's arrays the single build's restricted to its rows
    and renumbered: bit for bit."""
    assert list(one.terms.terms) == list(sharded.terms.terms)  # type: ignore[attr-defined]
    for name in STATISTICS:
        a, b = getattr(one, name), getattr(sharded, name)
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes(), name
    whole = {name: np.concatenate([f[name] for f in [one.facts()]]) for name in one.facts()}
    for name, values in sharded.facts().items():
        assert values.tobytes() == whole[name].tobytes(), name
    for k, shard in enumerate(sharded.segments):
        start, end = int(sharded.starts[k]), int(sharded.starts[k + 1])
        assert list(shard.listings) == list(one.listings[start:end])
        for name in STATISTICS:
            assert getattr(shard, name).tobytes() == getattr(one, name).tobytes(), name
        inside = (one.rows >= start) & (one.rows < end)
        column_of = np.repeat(np.arange(len(one.terms)), np.diff(one.indptr))
        counts = np.bincount(column_of[inside], minlength=len(one.terms))
        assert np.array_equal(np.diff(shard.indptr), counts)
        assert shard.rows.dtype == one.rows.dtype
        assert np.array_equal(shard.rows, one.rows[inside] - start)
        assert shard.weights.tobytes() == one.weights[inside].tobytes()
        low, high = one.asked_indptr[start], one.asked_indptr[end]
        assert np.array_equal(shard.asked_indptr, one.asked_indptr[start : end + 1] - low)
        assert np.array_equal(shard.asked_columns, one.asked_columns[low:high])
        assert np.array_equal(shard.asked_required, one.asked_required[low:high])


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(Settings(), load_vocabulary([]))


@pytest.fixture(scope="module")
def nhs_listings(tmp_path_factory):
    """About 700 real postings: the first 700 lines of the NHS file (read from there)."""
    if not NHS.is_file():
        pytest.skip(f"{NHS} is not beside this checkout")
    first = tmp_path_factory.mktemp("nhs") / "nhs_700.jsonl"
    with NHS.open(encoding="utf-8") as lines:
        first.write_text("".join(islice(lines, 700)), encoding="utf-8")
    return list(load_listings([first]))


@pytest.mark.parametrize("partitions", [1, 2, 3, 7])
def test_sharded_build_equals_single_build_on_fixtures(analyzer, partitions):
    listings = list(load_listings(LISTINGS))
    one = build_index(listings, analyzer, workers=1)
    sharded = build_shards(listings, analyzer, partitions)
    assert len(sharded.segments) == min(partitions, len(listings)) == sharded.fitted
    assert_same_rows(one, sharded)


@pytest.mark.parametrize(
    "settings", [Settings(sections=False), Settings(sublinear_tf=False), Settings(skills=False)]
)
def test_sharded_build_equals_single_build_under_other_settings(settings):
    analyzer = Analyzer(settings, load_vocabulary([]) if settings.skills else None)
    listings = list(load_listings(LISTINGS))
    assert_same_rows(build_index(listings, analyzer, workers=1),
                     build_shards(listings, analyzer, 4))  # fmt: skip


@needs_nhs
def test_sharded_build_equals_single_build_on_real_postings(analyzer, nhs_listings):
    one = build_index(nhs_listings, analyzer, workers=1)
    sharded = build_shards(nhs_listings, analyzer, 3)
    assert len(one.repeated) > 1000  # real boilerplate, found across partitions
    assert_same_rows(one, sharded)


def test_partition_bounds_cover_every_row_once():
    assert partition_bounds(10, 3) == [(0, 3), (3, 6), (6, 10)]
    assert partition_bounds(2, 5) == [(0, 1), (1, 2)]
    with pytest.raises(ValueError, match="at least 1"):
        partition_bounds(10, 0)
    with pytest.raises(ValueError, match="at least one listing"):
        partition_bounds(0, 2)


@pytest.fixture
def saved_shards(tmp_path, analyzer):
    listings = list(load_listings(LISTINGS))
    folder = tmp_path / "jobs.index"
    save_index(build_shards(listings, analyzer, 3), analyzer.settings, analyzer.vocabulary, folder)
    return folder, listings


def test_a_saved_sharded_index_says_so_and_matches_as_the_single_build(saved_shards, analyzer):
    folder, listings = saved_shards
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["fitted"] == 3 and len(meta["segments"]) == 3
    loaded = load_index(folder).index
    assert isinstance(loaded, Segments) and loaded.fitted == 3
    info = index_info(folder)
    assert info.fitted == 3
    assert f"listings:   {len(listings)} in 3 shards\n" in render_index_info(info)
    single = Matcher(listings, vocabulary=analyzer.vocabulary)
    text = "Python machine learning engineer with SQL, statistics and cloud experience."
    sharded = Matcher.load(folder).match(text, top_k=5)
    expected = single.match(text, top_k=5)
    assert [m.listing.id for m in sharded] == [m.listing.id for m in expected]
    assert [m.score for m in sharded] == pytest.approx([m.score for m in expected], abs=1e-9)


def test_the_idf_check_counts_every_fitted_shard(saved_shards):
    folder, _ = saved_shards
    meta = json.loads((folder / "meta.json").read_text())
    meta["fitted"] = 1  # as if fitted on the first shard alone: the idf no longer fits
    meta.pop("checksum")
    from matcher.index.store import meta_checksum

    meta["checksum"] = meta_checksum(meta)
    (folder / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(IndexFormatError, match="idf.npy: does not fit the postings"):
        load_index(folder, verify=False)


def test_adding_to_a_sharded_index_keeps_its_fitted_shards(saved_shards, tmp_path):
    folder, listings = saved_shards
    extra = tmp_path / "more.jsonl"
    extra.write_text(json.dumps({"id": "new-1", "title": "Data engineer", "description":
                                 "We need a data engineer with Spark, Kafka and Python."}) + "\n")  # fmt: skip
    result = add_files(folder, [extra])
    assert (result.fitted, result.segments, result.total) == (len(listings), 4, len(listings) + 1)
    info = index_info(folder, verify=True)
    assert (info.fitted, len(info.segments)) == (3, 4)
    assert "in 3 shards in 4 segments (1 added" in render_index_info(info)


def test_optimize_leaves_fitted_shards_alone_and_refits_after_an_add(saved_shards, tmp_path):
    folder, listings = saved_shards
    before = (folder / "meta.json").read_bytes()
    result = optimize_index(folder)
    assert (folder / "meta.json").read_bytes() == before  # nothing to refit: not rewritten
    assert (result.segments, result.fitted) == (3, len(listings))
    extra = tmp_path / "more.jsonl"
    extra.write_text(json.dumps({"id": "new-1", "title": "Data engineer", "description":
                                 "We need a data engineer with Spark, Kafka and Python."}) + "\n")  # fmt: skip
    add_files(folder, [extra])
    optimize_index(folder)
    info = index_info(folder)
    assert (info.segments, info.fitted) == ((len(listings) + 1,), 1)


def test_a_format_5_index_reads_as_fitted_on_its_first_segment(tmp_path, analyzer):
    from matcher.index.store import meta_checksum

    listings = list(load_listings(LISTINGS))
    folder = tmp_path / "old.index"
    save_index(build_index(listings, analyzer, workers=1), analyzer.settings, analyzer.vocabulary,
               folder)  # fmt: skip
    meta = json.loads((folder / "meta.json").read_text())
    meta["version"] = 5
    del meta["fitted"], meta["checksum"]
    meta["checksum"] = meta_checksum(meta)
    (folder / "meta.json").write_text(json.dumps(meta))
    info = index_info(folder, verify=True)
    assert (info.version, info.fitted, info.segments) == (5, 1, (len(listings),))
