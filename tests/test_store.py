"""Saved indexes: the same results as in memory, safe to load, atomic to write."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from matcher import Matcher, load_listings, read_resume
from matcher.errors import MatcherError
from matcher.matcher import add_files, index_files

from .conftest import LISTINGS, PROFILES, resume_path
from .test_cli import run

SEED_PAGES = sorted(LISTINGS.glob("*.txt"))


@pytest.fixture(scope="module")
def saved(tmp_path_factory, default_matcher):
    folder = tmp_path_factory.mktemp("saved") / "jobs.index"
    default_matcher.save(folder)
    return folder


def _texts():
    return [read_resume(resume_path(p)) for p in PROFILES]


def test_a_loaded_index_matches_exactly_as_the_one_in_memory(saved, default_matcher):
    loaded = Matcher.load(saved, verify=True)
    assert len(loaded.listings) == len(default_matcher.listings)
    for text in _texts():
        assert np.array_equal(loaded.scores(text), default_matcher.scores(text))
        assert loaded.match(text, top_k=19) == default_matcher.match(text, top_k=19)
        assert loaded.gaps(text, top=5) == default_matcher.gaps(text, top=5)


def test_querying_a_saved_index_imports_neither_scikit_learn_nor_scipy(saved):
    code = (
        "import sys; from matcher import Matcher; "
        f"m = Matcher.load({str(saved)!r}); m.match('python and sql for forecasting'); "
        "print(sorted(k for k in ('sklearn', 'scipy') if k in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_match_many_equals_match_for_each_resume(default_matcher):
    texts = _texts()
    for text, matches in zip(texts, default_matcher.match_many(texts, top_k=7), strict=True):
        single = default_matcher.match(text, top_k=7)
        assert [m.listing.id for m in matches] == [m.listing.id for m in single]
        assert [m.score for m in matches] == pytest.approx([m.score for m in single], abs=1e-12)
        assert [m.terms for m in matches] == [m.terms for m in single]


def test_candidates_rank_resumes_for_one_listing_with_match_scores(default_matcher):
    row = next(i for i, x in enumerate(default_matcher.listings) if x.title == "Economist III")
    named = list(zip(PROFILES, _texts(), strict=True))
    ranked = default_matcher.candidates(default_matcher.listings[row].id, named, top_k=4)
    assert ranked[0].resume == "economist"
    assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)
    for candidate in ranked:
        text = dict(named)[candidate.resume]
        assert candidate.score == pytest.approx(default_matcher.scores(text)[row], abs=1e-12)
        best = default_matcher.match(text, top_k=19)
        same = next(m for m in best if m.listing.id == default_matcher.listings[row].id)
        assert candidate.terms == same.terms and candidate.missing == same.missing


def test_adding_listings_equals_building_from_all_of_them(tmp_path):
    folder = tmp_path / "jobs.index"
    index_files([SEED_PAGES[0]], folder)
    added, duplicates = add_files(folder, [SEED_PAGES[1]])
    whole = Matcher(load_listings(SEED_PAGES))
    grown = Matcher.load(folder)
    assert added + len(load_listings([SEED_PAGES[0]])) == len(whole.listings)
    assert duplicates == 1
    by_id = {x.id: i for i, x in enumerate(grown.listings)}
    for text in _texts():
        theirs = whole.scores(text)
        ours = grown.scores(text)
        for row, listing in enumerate(whole.listings):
            assert ours[by_id[listing.id]] == pytest.approx(theirs[row], abs=1e-6)
    assert add_files(folder, SEED_PAGES) == (0, 20)  # nothing new: the index is left alone


def test_a_crash_while_writing_leaves_the_old_index_whole(tmp_path, monkeypatch, default_matcher):
    folder = tmp_path / "jobs.index"
    index_files([SEED_PAGES[0]], folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    calls = []

    def crash(path, array):
        calls.append(path)
        if len(calls) == 3:
            raise KeyboardInterrupt  # as if the process were stopped mid-write
        np.lib.format.write_array(open(path, "wb"), np.asanyarray(array))

    monkeypatch.setattr(np, "save", crash)
    with pytest.raises(KeyboardInterrupt):
        default_matcher.save(folder)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    # No temporary folder left; the lock file stays (removing one races with its next user).
    assert sorted(p.name for p in tmp_path.iterdir()) == [".jobs.index.lock", "jobs.index"]


def test_a_crash_between_the_two_renames_is_recovered(tmp_path, saved):
    folder = tmp_path / "jobs.index"
    import shutil

    shutil.copytree(saved, folder.with_name("jobs.index.previous"))
    loaded = Matcher.load(folder)  # read where it is: readers never move folders
    assert len(loaded.listings) == 19 and not folder.exists()
    index_files([SEED_PAGES[0]], folder)  # the next write puts it back, then replaces it
    assert sorted(p.name for p in tmp_path.iterdir()) == [".jobs.index.lock", "jobs.index"]


def _copy(saved, tmp_path):
    import shutil

    folder = tmp_path / "copy.index"
    shutil.copytree(saved, folder)
    return folder


def _reseal(folder, name):
    """Update meta.json's size and checksums for ``name``, as a careful tamperer would."""
    import hashlib

    from matcher.store import _meta_checksum

    meta = json.loads((folder / "meta.json").read_text())
    meta["files"][name]["bytes"] = (folder / name).stat().st_size
    meta["files"][name]["sha256"] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    meta["checksum"] = _meta_checksum(meta)
    (folder / "meta.json").write_text(json.dumps(meta))


def test_damaged_and_tampered_indexes_get_clear_errors(tmp_path, saved):
    folder = _copy(saved, tmp_path)
    weights = folder / "weights.npy"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    Matcher.load(folder, verify=False)  # same size: only the checksum can tell
    with pytest.raises(MatcherError, match="does not match its checksum"):
        Matcher.load(folder)

    weights.write_bytes(bytes(data[:-8]))
    with pytest.raises(MatcherError, match="wrong size; the index is truncated"):
        Matcher.load(folder)

    folder = _copy(saved, tmp_path / "b")
    rows = folder / "rows.npy"
    np.save(rows, np.array([object()] * 3, dtype=object), allow_pickle=True)
    _reseal(folder, "rows.npy")
    with pytest.raises(MatcherError, match="rows.npy: is not a plain numpy array"):
        Matcher.load(folder)

    folder = _copy(saved, tmp_path / "c")
    meta = json.loads((folder / "meta.json").read_text())
    meta["version"] = 99
    (folder / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(MatcherError, match="newer matcher"):
        Matcher.load(folder)

    folder = _copy(saved, tmp_path / "d")
    offsets = np.load(folder / "term_offsets.npy")
    offsets[-1] += 5
    np.save(folder / "term_offsets.npy", offsets)
    with pytest.raises(MatcherError, match="does not match the data it indexes"):
        Matcher.load(folder, verify=False)  # checked even for a trusted index

    with pytest.raises(MatcherError, match="no such index folder"):
        Matcher.load(tmp_path / "nothing.index")


def test_saving_never_overwrites_a_folder_that_is_not_an_index(tmp_path, default_matcher):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    with pytest.raises(MatcherError, match="is not a matcher index; not overwriting it"):
        default_matcher.save(folder)
    assert (folder / "notes.txt").read_text() == "keep me"


def test_cli_build_match_add_many_and_candidates(tmp_path):
    folder = tmp_path / "jobs.index"
    built = run("index", "build", str(SEED_PAGES[0]), "-o", str(folder), "--quiet")
    assert built.exit_code == 0 and built.stdout == "" and built.stderr == ""
    added = run("index", "add", str(folder), str(SEED_PAGES[1]))
    assert added.exit_code == 0 and "Added 9 listings" in added.stderr
    from_index = run("match", str(resume_path("economist")), "--index", str(folder), "-f", "json")
    from_files = run("match", str(resume_path("economist")), str(LISTINGS), "-f", "json")
    ours, theirs = json.loads(from_index.stdout), json.loads(from_files.stdout)
    assert [m["listing"]["id"] for m in ours["matches"]] == [
        m["listing"]["id"] for m in theirs["matches"]
    ]
    many = run("match-many", *(str(resume_path(p)) for p in PROFILES), "--index", str(folder))
    lines = [json.loads(line) for line in many.stdout.splitlines()]
    assert [line["resume"] for line in lines] == [str(resume_path(p)) for p in PROFILES]
    assert lines[1]["matches"] == ours["matches"][:10]
    best = ours["matches"][0]["listing"]["id"]
    ranked = run("candidates", best, *(str(resume_path(p)) for p in PROFILES), "-i", str(folder))
    assert ranked.exit_code == 0 and "economist.txt" in ranked.stdout.splitlines()[4]


def test_cli_index_errors(tmp_path):
    result = run("match", str(resume_path("economist")), "--index", str(tmp_path / "none"))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path / 'none'}: no such index folder\n"
    both = run("match", str(resume_path("economist")), str(LISTINGS), "--index", str(tmp_path))
    assert both.exit_code == 2
    unknown = run("candidates", "no-such-id", str(resume_path("economist")))
    assert unknown.exit_code == 1 and "no-such-id: no listing with this id" in unknown.stderr


def test_building_on_several_processes_gives_the_same_index(monkeypatch, fixture_listings):
    import matcher.index as index_module
    from matcher import Settings
    from matcher.analyse import Analyzer

    monkeypatch.setattr(index_module, "_CHUNK", 3)
    analyzer = Analyzer(Settings())
    one = index_module.build_index(fixture_listings, analyzer, workers=1)
    steps = []
    two = index_module.build_index(fixture_listings, analyzer, steps.append, workers=2)
    for name in ("idf", "indptr", "rows", "weights", "is_skill", "asked_indptr", "asked_columns"):
        assert np.array_equal(getattr(one, name), getattr(two, name)), name
    assert one.terms.terms == two.terms.terms
    assert sum(steps) == 2 * len(fixture_listings)


def test_match_many_on_many_resumes_uses_workers_and_agrees(default_matcher):
    texts = [text + f"\n\nextra {i}" for i, text in enumerate(_texts() * 20)]  # 80: parallel
    many = default_matcher.match_many(texts, top_k=3)
    for text, matches in zip(texts[::9], many[::9], strict=True):
        assert [m.listing.id for m in matches] == [
            m.listing.id for m in default_matcher.match(text, top_k=3)
        ]
