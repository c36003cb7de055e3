"""Adding listings as segments: weighed with the index's statistics, merged by optimize."""

from __future__ import annotations

import dataclasses
import json
import math
import os

import numpy as np
import pytest

from matcher import Matcher, load_listings, read_resume
from matcher.analyse import SKILL_PREFIX, Analyzer, sentences, term_part
from matcher.api import add_files, index_files, optimize_index
from matcher.engines.local import build_segment
from matcher.errors import MatcherError
from matcher.index.model import Segments
from matcher.index.store import check_replaceable, load_index
from matcher.models import PARTS, UNTITLED

from .conftest import LISTINGS, PROFILES, resume_path

SEED_PAGES = sorted(LISTINGS.glob("*.txt"))


def _texts() -> list[str]:
    return [read_resume(resume_path(p)) for p in PROFILES]


@pytest.fixture
def grown(tmp_path):
    """An index of the first seed page, with the second added as a segment."""
    folder = tmp_path / "jobs.index"
    index_files([SEED_PAGES[0]], folder)
    base = Matcher.load(folder)
    result = add_files(folder, [SEED_PAGES[1]])
    return folder, base, result


def _transformed(base: Matcher, listing) -> dict[int, float]:
    """The listing's vector as a fitted index weighs a new document, worked out by hand."""
    index, analyzer = base.index_, base._analyzer
    settings = analyzer.settings
    title = listing.title if listing.title and listing.title != UNTITLED else None
    repeated = set(index.repeated.tolist())
    weights, _ = analyzer.listing_terms(sentences(listing.description, settings), title, repeated)
    vector: dict[int, float] = {}
    for term, weight in weights.items():
        column = index.terms.column(term)
        if column is None:
            continue  # a term the index lacks: left out, as a fitted vectorizer does
        tf = 1.0 + math.log(weight) if weight >= 1.0 else weight
        vector[column] = tf * float(index.idf[column])
    for part in range(len(PARTS)):
        here = [c for c in vector if term_part(index.terms[c]) == part]
        norm = math.sqrt(sum(vector[c] ** 2 for c in here))
        norm = max(norm, float(index.listing_floors[part])) if norm else 0.0
        for c in here:
            vector[c] *= math.sqrt(float(index.part_weights[part])) / norm
    return vector


def test_an_added_segment_is_weighed_with_the_index_statistics(grown):
    folder, base, result = grown
    assert (result.added, result.dropped, result.segments) == (9, 1, 2)
    assert (result.fitted, result.total) == (10, 19)
    loaded = Matcher.load(folder)
    assert isinstance(loaded.index_, Segments)
    assert [s.nnz for s in loaded.index_.segments][0] == base.index_.nnz
    new_rows = range(len(base.listings), len(loaded.listings))
    assert len(new_rows) == 9
    every = np.arange(len(loaded.index_.terms))
    for row in new_rows:
        expected = _transformed(base, loaded.listings[row])
        got = loaded.index_.weights_at(np.array([row]), every)[:, 0]
        assert set(np.flatnonzero(got).tolist()) == set(expected)
        for column, weight in expected.items():
            assert got[column] == pytest.approx(weight, rel=1e-6)
    # Asked skills are the index's skill terms the new listing asks for.
    assert all(loaded.index_.is_skill[loaded.index_.asked(row)].all() for row in new_rows)


def test_an_add_leaves_the_listings_already_there_scored_as_before(grown):
    folder, base, _ = grown
    loaded = Matcher.load(folder)
    n = len(base.listings)
    for text in _texts():
        before, after = base.scores(text), loaded.scores(text)
        assert np.array_equal(after[:n], before)
        for match in loaded.match(text, top_k=19):
            assert sum(match.parts.values()) == pytest.approx(match.score, abs=1e-9)
            assert sum(t.contribution for t in match.terms) == pytest.approx(match.score)


def test_optimize_gives_what_building_from_every_listing_gives(grown, tmp_path):
    folder, _, _ = grown
    result = optimize_index(folder)
    assert (result.segments, result.total, result.fitted) == (1, 19, 19)
    merged = Matcher.load(folder)
    whole = Matcher(load_listings(SEED_PAGES))
    assert not isinstance(merged.index_, Segments)
    assert [x.id for x in merged.listings] == [x.id for x in whole.listings]
    for name in ("idf", "indptr", "rows", "weights", "asked_columns", "repeated"):
        assert np.array_equal(getattr(merged.index_, name), getattr(whole.index_, name)), name
    for text in _texts():
        assert merged.match(text, top_k=19) == whole.match(text, top_k=19)


def test_a_segmented_index_filters_explains_and_ranks_candidates(grown):
    folder, _, _ = grown
    loaded = Matcher.load(folder)
    facts = loaded.index_.facts()
    assert all(len(values) == 19 for values in facts.values())
    texts = _texts()
    for row in (0, 15):  # one listing of each segment
        named = [(str(i), t) for i, t in enumerate(texts)]
        by_resume = {c.rank: c.score for c in loaded.candidates(row, named, top_k=4)}
        expected = sorted((loaded.scores(t)[row] for t in texts), reverse=True)
        assert list(by_resume.values()) == pytest.approx([s for s in expected if s > 0])
    gaps = loaded.gaps(texts[0], top=3)
    assert gaps.listings_count == 19


def test_adding_what_the_index_holds_changes_nothing(grown):
    folder, _, _ = grown
    before = (folder / "meta.json").read_bytes()
    again = add_files(folder, SEED_PAGES)
    assert (again.added, again.dropped, again.segments) == (0, 20, 2)
    assert (folder / "meta.json").read_bytes() == before


def test_a_third_segment_and_a_taken_id(tmp_path, grown):
    folder, _, _ = grown
    source = load_listings([SEED_PAGES[0]])[0]
    page = tmp_path / "more.jsonl"
    page.write_text(
        json.dumps({"id": source.id, "title": "Data Wrangler", "description":
                    "Requirements: Python, SQL and dbt for data pipelines. " * 3}) + "\n"
    )  # fmt: skip
    result = add_files(folder, [page])
    assert (result.added, result.segments) == (1, 3)
    loaded = Matcher.load(folder)
    assert loaded.listings[19].id == source.id + "-2"  # as a build names it
    assert len({x.id for x in loaded.listings}) == 20
    assert sorted(p.name for p in folder.glob("s2.*"))  # the third segment's files


def test_a_damaged_segment_file_is_named(grown):
    folder, _, _ = grown
    target = folder / "s1.weights.npy"
    data = bytearray(target.read_bytes())
    data[-1] ^= 0x40
    target.write_bytes(bytes(data))
    with pytest.raises(MatcherError, match=r"s1\.weights\.npy: "):
        load_index(folder)


def test_a_crashed_add_leaves_the_index_whole_and_its_debris_is_swept(grown, monkeypatch):
    folder, _, _ = grown
    before = load_index(folder).checksum
    real = os.replace
    moved = []

    def crash(src, dst):
        moved.append(dst)
        if str(dst).endswith("meta.json"):
            raise KeyboardInterrupt  # stopped after the segment's files moved in
        real(src, dst)

    extra = load_listings([SEED_PAGES[0]])[:1]
    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        saved = load_index(folder)
        matcher = Matcher.from_saved(saved)
        from matcher.index.store import append_segment

        segment = build_segment(matcher.index_, [_renamed(extra[0])], matcher._analyzer)
        append_segment(folder, segment, expected=saved.checksum)
    monkeypatch.setattr(os, "replace", real)
    assert any(p.name.startswith("s2.") for p in folder.iterdir())  # debris, not listed
    assert load_index(folder).checksum == before  # readers see the index as it was
    check_replaceable(folder)  # debris of our own does not make the folder foreign
    page = folder.parent / "new.jsonl"
    page.write_text(json.dumps(dataclasses.asdict(_renamed(extra[0]))) + "\n")
    assert add_files(folder, [page]).segments == 3  # the next writer sweeps it, then adds
    listed = set(json.loads((folder / "meta.json").read_text())["files"])
    assert {p.name for p in folder.iterdir()} == listed | {"meta.json"}
    assert len(Matcher.load(folder).listings) == 20


def _renamed(listing):
    return dataclasses.replace(listing, id="new", description=listing.description + " Extra.")


def test_a_segment_needs_its_index_settings(default_matcher):
    from matcher.settings import Settings

    other = Analyzer(Settings(skill_part=0.5, title_part=0.1, word_part=0.4))
    with pytest.raises(ValueError, match="its index's settings"):
        build_segment(default_matcher.index_, list(default_matcher.listings[:1]), other)


def test_terms_a_fitted_index_lacks_are_left_out(default_matcher):
    listing = _renamed(default_matcher.listings[0])
    listing = type(listing)(
        id="x",
        title="Zyxwv Engineer",
        description="Requirements: zyxwv, qwxyz and Python for data pipelines. " * 4,
    )
    segment = build_segment(default_matcher.index_, [listing], default_matcher._analyzer)
    assert segment.nnz == len(segment.rows)
    terms = {default_matcher.index_.terms[c] for c in range(len(default_matcher.index_.terms))
             if segment.indptr[c + 1] > segment.indptr[c]}  # fmt: skip
    assert terms == {"title:engineer", SKILL_PREFIX + "python", SKILL_PREFIX + "data pipelines"}
    assert not any("zyxwv" in t or "qwxyz" in t for t in terms)
    assert SKILL_PREFIX + "zyxwv" not in terms


def test_listings_weighed_again_with_their_own_index_statistics_are_the_same(default_matcher):
    """With the statistics they were fitted in, a segment reproduces the build bit for bit."""
    index = default_matcher.index_
    cut = 12
    segment = build_segment(index, list(default_matcher.listings[cut:]), default_matcher._analyzer)
    every = np.arange(len(index.terms))
    rows = np.arange(cut, len(default_matcher.listings))
    assert np.array_equal(segment.weights_at(rows - cut, every), index.weights_at(rows, every))
    start = index.asked_indptr[cut]
    assert np.array_equal(segment.asked_columns, index.asked_columns[start:])
    assert np.array_equal(segment.asked_required, index.asked_required[start:])


def test_a_mistyped_index_or_a_folder_of_photos_leaves_no_lock_file_and_a_file_is_named_as_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(MatcherError, match="no such index folder"):
        load_index("no-such.index")
    page = tmp_path / "jobs.jsonl"
    page.write_text('{"id": "1", "title": "Nurse", "description": "Care for patients."}\n')
    with pytest.raises(MatcherError, match="jobs.jsonl: is a file, not an index folder"):
        add_files(page, [page])
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "a.jpg").write_bytes(b"\xff\xd8")
    for folder in ("photos", tmp_path / "photos"):
        with pytest.raises(MatcherError, match="is not a matcher index"):
            load_index(folder)
        with pytest.raises(MatcherError, match="is not a matcher index"):
            add_files(folder, [page])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jobs.jsonl", "photos"]


def test_a_folder_of_listings_holding_an_index_reads_only_the_listings(tmp_path):
    folder = tmp_path / "jobs"
    folder.mkdir()
    page = folder / "jobs.txt"
    page.write_text(SEED_PAGES[0].read_text(encoding="utf-8"), encoding="utf-8")
    index_files([folder], folder / "jobs.index")
    assert len(load_listings([folder])) == len(load_listings([page]))
    assert add_files(folder / "jobs.index", [folder]).added == 0  # nothing new, no error
    with pytest.raises(MatcherError, match="is a saved matcher index, not listings"):
        load_listings([folder / "jobs.index"])
