"""Saved indexes: the same results as in memory, safe to load, atomic to write."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import numpy as np
import pytest

from matcher import Matcher, load_listings, read_resume
from matcher.api import add_files, index_files
from matcher.errors import MatcherError
from matcher.index.store import VERSION

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


# Libraries `matcher match RESUME.txt --index DIR` has no use for: imported, each would add
# to its start-up (issue 12), so each is imported by the code that needs it (pydantic: by
# typer 0.29 and later, which pyproject.toml rules out; Dask: by --dask alone).
_HEAVY = (
    "dask", "distributed", "docx", "jinja2", "markdown_it", "pdfminer", "pydantic", "rich", "scipy", "sklearn",
    # matcher's own modules a query does not run: listing readers, taxonomy imports, the
    # other formats' renderers; and what only an index build or a PDF needs.
    "matcher.read.listings", "matcher.read.docx", "matcher.read.markup", "matcher.read.titles",
    "matcher.read.tables", "matcher.read.quiet", "matcher.skills.taxonomy", "matcher.render.csv",
    "matcher.render.html", "matcher.render.markdown", "multiprocessing", "importlib.resources",
    "html.parser",
)  # fmt: skip
_CLI_IMPORTS = (
    "import sys; from matcher.cli import main\n"
    "sys.argv = ['matcher', *sys.argv[1:]]\n"
    "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
    "print(sorted(k for k in {heavy!r} if k in sys.modules), file=sys.stderr)"
)


@pytest.mark.parametrize(("fmt", "imported"), [("json", []), ("table", ["rich"])])
def test_matching_a_text_resume_on_a_saved_index_imports_only_what_the_format_needs(
    saved, fmt, imported
):
    code = _CLI_IMPORTS.format(heavy=_HEAVY)
    resume = str(resume_path("economist"))
    command = [sys.executable, "-c", code, "match", resume, "--index", str(saved), "-f", fmt]
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    assert out.stderr.strip().splitlines()[-1] == str(imported)
    assert "Economist" in out.stdout


def test_the_suffixes_refused_as_resumes_are_the_listing_suffixes_but_txt():
    # matcher.api spells them out so that a query need not import the listing readers.
    from matcher.api import LISTINGS_ONLY
    from matcher.read import LISTING_SUFFIXES

    assert set(LISTINGS_ONLY) == set(LISTING_SUFFIXES) - {".txt"}


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
    added, duplicates, *_ = dataclasses.astuple(
        add_files(folder, [SEED_PAGES[1]], rebuild=True)
    )
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
    again = add_files(folder, SEED_PAGES)
    assert (again.added, again.dropped) == (0, 20)  # nothing new: the index is left alone


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

    from matcher.index.store import meta_checksum

    meta = json.loads((folder / "meta.json").read_text())
    meta["files"][name]["bytes"] = (folder / name).stat().st_size
    meta["files"][name]["sha256"] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    meta["checksum"] = meta_checksum(meta)
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
    assert "run: matcher index optimize" in added.stderr  # 9 of 20 weighed without a fit
    optimized = run("index", "optimize", str(folder))
    assert optimized.exit_code == 0 and "merged and refitted: 19 listings" in optimized.stderr
    again = run("index", "optimize", str(folder))
    assert "already one segment; nothing to do: 19 listings" in again.stderr
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
    import matcher.engines.local as index_module
    from matcher import Settings
    from matcher.analyse import Analyzer

    monkeypatch.setattr(index_module, "CHUNK", 3)
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


# ------------------------------------------------------------- writes that cannot destroy


def test_a_folder_with_a_stray_meta_json_is_never_replaced(tmp_path, default_matcher):
    folder = tmp_path / "project"
    (folder / "figures").mkdir(parents=True)
    (folder / "meta.json").write_text('{"name": "my-app", "version": "1.0.0"}')
    (folder / "results.csv").write_text("a,b\n1,2\n")
    with pytest.raises(MatcherError, match="meta.json that is not a matcher index's"):
        default_matcher.save(folder)
    assert (folder / "results.csv").read_text() == "a,b\n1,2\n" and (folder / "figures").is_dir()


def test_an_index_holding_a_file_of_the_users_is_not_replaced(tmp_path, saved, default_matcher):
    folder = _copy(saved, tmp_path)
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(MatcherError, match=r"holds files that are not part of .*notes\.txt"):
        default_matcher.save(folder)
    assert (folder / "notes.txt").read_text() == "mine"


def test_an_index_of_a_newer_format_is_replaced_only_when_asked(tmp_path, saved, default_matcher):
    folder = _copy(saved, tmp_path)
    meta = json.loads((folder / "meta.json").read_text())
    meta["version"] = 99
    (folder / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(MatcherError, match="newer format"):
        default_matcher.save(folder)
    assert json.loads((folder / "meta.json").read_text())["version"] == 99
    default_matcher.save(folder, replace_newer=True)
    assert len(Matcher.load(folder).listings) == len(default_matcher.listings)


def test_debris_of_crashed_writes_is_swept_and_nothing_else(tmp_path, saved, default_matcher):
    import fcntl
    import os
    import shutil

    folder = tmp_path / "jobs.index"
    shutil.copytree(saved, folder)
    crashed = tmp_path / ".jobs.index.k3j2l1x9.tmp"  # a writer killed mid-write
    crashed.mkdir()
    (crashed / "idf.npy").write_bytes(b"partial")
    deleting = tmp_path / ".jobs.index.0a1b2c3d.old"  # killed while deleting the old index
    shutil.copytree(saved, deleting)
    live = tmp_path / ".jobs.index.livelive.tmp"  # a writer at work: it holds its flock
    live.mkdir()
    hold = os.open(live, os.O_RDONLY)
    fcntl.flock(hold, fcntl.LOCK_EX)
    mine = tmp_path / ".jobs.index.backup.tmp"  # named alike, but the user's
    mine.mkdir()
    (mine / "thesis.tex").write_text("keep")
    previous = tmp_path / "jobs.index.previous"  # killed while removing NAME.previous
    shutil.copytree(saved, previous)
    (previous / "weights.npy").unlink()
    try:
        default_matcher.save(folder)
    finally:
        os.close(hold)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted([".jobs.index.lock", "jobs.index", live.name, mine.name])
    assert (mine / "thesis.tex").read_text() == "keep"


def test_a_users_folder_named_like_the_backup_stops_the_write_cleanly(tmp_path, saved):
    import shutil

    folder = tmp_path / "jobs.index"
    shutil.copytree(saved, folder)
    (tmp_path / "jobs.index.previous").mkdir()
    (tmp_path / "jobs.index.previous" / "mine.txt").write_text("keep")
    with pytest.raises(MatcherError, match="jobs.index.previous: is in the way"):
        Matcher.load(folder).save(folder)
    assert (tmp_path / "jobs.index.previous" / "mine.txt").read_text() == "keep"
    assert len(Matcher.load(folder).listings) == 19


def test_a_loaded_index_keeps_its_vocabulary_when_the_folder_is_rebuilt(tmp_path):
    folder = tmp_path / "jobs.index"
    index_files([LISTINGS], folder)
    loaded = Matcher.load(folder)
    text = read_resume(resume_path("ml_scientist"))
    expected = Matcher.load(folder).scores(text)
    tiny = tmp_path / "tiny.csv"
    tiny.write_text("name,kind,category,aliases,ambiguous,context\npython,tool,lang,Python,,\n")
    index_files([LISTINGS], folder, vocabulary=[str(tiny)])  # a rebuild after loading
    assert np.array_equal(loaded.scores(text), expected)


def test_add_refuses_when_another_write_replaced_the_index_meanwhile(tmp_path, default_matcher):
    from matcher.index.store import save_index

    folder = tmp_path / "jobs.index"
    index_files([SEED_PAGES[0]], folder)
    loaded = Matcher.load(folder)
    index_files([SEED_PAGES[1]], folder)  # another writer
    with pytest.raises(MatcherError, match="replaced by another write"):
        save_index(loaded.index_, loaded.settings, None, folder, expected=loaded._checksum)


# ------------------------------------------------------------------ indexes you can trust


def _tamper(folder, name, change, reseal=True):
    """Apply ``change`` to the array ``name`` and, if ``reseal``, fix every checksum."""
    path = folder / f"{name}.npy"
    array = np.load(path).copy()
    change(array)
    np.save(path, array)
    if reseal:
        _reseal(folder, f"{name}.npy")


def _set(at, value):
    def change(array):
        array[at] = value

    return change


@pytest.mark.parametrize(
    ("name", "change", "message"),
    [
        ("weights", _set(0, np.nan), "weights.npy: holds weights outside"),
        ("weights", _set(1, np.inf), "weights.npy: holds weights outside"),
        ("weights", _set(2, 1.5), "weights.npy: holds weights outside"),
        ("rows", _set(0, 10_000), "rows.npy: points outside the listings"),
        ("rows", _set(1, -3), "rows.npy: points outside the listings"),
        ("idf", _set(0, 1.337), "idf.npy: does not fit the postings"),
        ("indptr", _set(5, 0), "indptr.npy: has offsets out of order"),
        ("listing_offsets", _set(3, 1), "listing_offsets.npy: has offsets out of order"),
        ("term_hashes", _set(0, 2**63), "term_hashes.npy: is not in order"),
    ],
)
def test_damage_a_tamperer_resealed_is_found_before_any_result(
    tmp_path, saved, name, change, message
):
    folder = _copy(saved, tmp_path)
    _tamper(folder, name, change)
    with pytest.raises(MatcherError, match=message):
        Matcher.load(folder)


def test_rows_out_of_order_within_a_term_are_found(tmp_path, saved):
    folder = _copy(saved, tmp_path)
    indptr = np.load(folder / "indptr.npy")
    start = next(int(s) for s, e in zip(indptr[:-1], indptr[1:], strict=True) if e - s >= 2)
    _tamper(
        folder,
        "rows",
        lambda rows: rows.__setitem__(
            slice(start, start + 2), rows[start : start + 2][::-1].copy()
        ),
    )
    with pytest.raises(MatcherError, match="rows.npy: is out of order"):
        Matcher.load(folder)


@pytest.mark.parametrize("name", ["weights.npy", "idf.npy", "listings.jsonl", "terms.txt"])
def test_flipped_bytes_of_the_same_size_are_found_by_default(tmp_path, saved, name):
    folder = _copy(saved, tmp_path)
    data = bytearray((folder / name).read_bytes())
    for at in (len(data) - 1, len(data) // 2, len(data) // 3, len(data) - 40):
        data[at] ^= 0x10
    (folder / name).write_bytes(bytes(data))
    with pytest.raises(MatcherError, match=f"{name}: does not match its checksum"):
        Matcher.load(folder)


def test_a_changed_setting_in_meta_json_is_found(tmp_path, saved):
    folder = _copy(saved, tmp_path)
    text = (folder / "meta.json").read_text()
    (folder / "meta.json").write_text(text.replace('"title_part": 0.15', '"title_part": 0.3'))
    with pytest.raises(MatcherError, match="meta.json: does not match its own checksum"):
        Matcher.load(folder, verify=False)  # meta.json is small: always checked


def test_a_trusted_damaged_index_gives_an_error_at_the_query_never_a_wrong_score(tmp_path, saved):
    folder = _copy(saved, tmp_path)
    _tamper(folder, "weights", lambda w: w.__setitem__(slice(None), np.float32(3e35)), reseal=False)
    trusted = Matcher.load(folder, verify=False)
    text = read_resume(resume_path("economist"))
    with pytest.raises(MatcherError, match="not a cosine in"):
        trusted.match(text)
    with pytest.raises(MatcherError, match="not a cosine in"):
        trusted.match_many([text])


def test_a_bad_term_table_is_an_error_at_the_query_not_a_crash(tmp_path, saved):
    folder = _copy(saved, tmp_path)
    data = bytearray((folder / "terms.txt").read_bytes())
    data[:4] = b"\xff\xfe\xff\xfe"
    (folder / "terms.txt").write_bytes(bytes(data))
    trusted = Matcher.load(folder, verify=False)
    with pytest.raises(MatcherError, match="terms.txt: term 0 is not UTF-8"):
        for column in range(len(trusted.index_.terms)):
            trusted.index_.terms[column]


def test_add_never_seals_damaged_text_under_fresh_checksums(tmp_path):
    folder = tmp_path / "jobs.index"
    index_files([SEED_PAGES[0]], folder)
    data = bytearray((folder / "listings.jsonl").read_bytes())
    data[100] ^= 0x01
    (folder / "listings.jsonl").write_bytes(bytes(data))
    with pytest.raises(MatcherError, match="listings.jsonl: does not match its checksum"):
        add_files(folder, [SEED_PAGES[1]])
    assert (folder / "listings.jsonl").read_bytes() == bytes(data)


# ------------------------------------------------------------------- the CLI around them


def test_cli_verify_and_info(tmp_path):
    folder = tmp_path / "jobs.index"
    run("index", "build", str(SEED_PAGES[0]), "-o", str(folder), "--quiet")
    verified = run("index", "verify", str(folder))
    assert verified.exit_code == 0
    assert (
        verified.stdout == f"{folder}: OK (10 listings, {_terms(folder):,} terms, 27 files checked)\n"
    )
    info = json.loads(run("index", "info", str(folder), "-f", "json").stdout)
    assert (info["listings"], info["version"], info["format"]) == (10, VERSION, "matcher-index")
    assert info["skills"] > 100 and info["settings"]["title_part"] == 0.15
    assert info["bytes"] == sum(p.stat().st_size for p in folder.iterdir())
    table = run("index", "info", str(folder)).stdout
    assert "listings:   10\n" in table and f"format:     matcher-index {VERSION}" in table
    data = bytearray((folder / "listings.jsonl").read_bytes())
    data[data.index(b" and ") + 1] ^= 0x04  # "and" -> "end": still valid JSON
    (folder / "listings.jsonl").write_bytes(bytes(data))
    broken = run("index", "verify", str(folder))
    assert broken.exit_code == 1 and broken.stdout == ""
    assert (
        broken.stderr
        == f"Error: {folder / 'listings.jsonl'}: does not match its checksum; the index was "
        "changed (build it again: matcher index build LISTINGS... -o DIR)\n"
    )
    resume = str(resume_path("economist"))
    refused = run("match", resume, "--index", str(folder))
    assert refused.exit_code == 1 and refused.stderr == broken.stderr
    trusted = run("match", resume, "--index", str(folder), "--trust", "-f", "json")
    assert trusted.exit_code == 0 and json.loads(trusted.stdout)["matches"]


def _terms(folder):
    return json.loads((folder / "meta.json").read_text())["terms"]


def test_cli_build_refuses_a_folder_that_is_not_an_index_before_any_work(tmp_path):
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "meta.json").write_text("{}")
    (folder / "index.html").write_text("<p>mine</p>")
    result = run("index", "build", str(SEED_PAGES[0]), "-o", str(folder), "--quiet")
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"Error: {folder}: has a meta.json that is not a matcher index's; not overwriting it\n"
    )
    assert sorted(p.name for p in folder.iterdir()) == ["index.html", "meta.json"]


def test_cli_build_replaces_a_newer_format_only_with_the_option(tmp_path):
    folder = tmp_path / "jobs.index"
    run("index", "build", str(SEED_PAGES[0]), "-o", str(folder), "--quiet")
    meta = json.loads((folder / "meta.json").read_text())
    meta["version"] = 7
    (folder / "meta.json").write_text(json.dumps(meta))
    refused = run("index", "build", str(SEED_PAGES[1]), "-o", str(folder), "--quiet")
    assert (
        refused.exit_code == 1
        and f"newer format (7; this matcher writes {VERSION})" in refused.stderr
    )
    forced = run("index", "build", str(SEED_PAGES[1]), "-o", str(folder), "-q", "--replace-newer")
    assert (
        forced.exit_code == 0
        and json.loads((folder / "meta.json").read_text())["version"] == VERSION
    )


def test_cli_batches_go_on_past_a_bad_resume_and_fail_at_the_end(tmp_path, saved):
    missing = str(tmp_path / "gone.pdf")
    good = [str(resume_path(p)) for p in PROFILES[:2]]
    many = run("match-many", good[0], missing, good[1], "--index", str(saved))
    assert many.exit_code == 1
    lines = [json.loads(line) for line in many.stdout.splitlines()]
    assert [line["resume"] for line in lines] == [good[0], missing, good[1]]
    assert lines[1] == {"resume": missing, "error": "no such file"}
    assert lines[0]["matches"] and lines[2]["matches"]
    assert many.stderr == f"Error: {missing}: no such file\n"
    best = lines[0]["matches"][0]["listing"]["id"]
    ranked = run("candidates", best, good[0], missing, good[1], "-i", str(saved), "-f", "json")
    assert ranked.exit_code == 1 and ranked.stderr == many.stderr
    data = json.loads(ranked.stdout)
    assert [c["resume"] for c in data["candidates"]] == sorted(good, key=lambda r: r != good[0])[
        :2
    ] or len(data["candidates"]) == 2
    assert data["errors"] == [{"resume": missing, "error": "no such file"}]


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".csv", ".tsv", ".ndjson"])
def test_a_listings_file_given_as_the_resume_is_refused_with_a_hint(tmp_path, suffix):
    jobs = tmp_path / f"jobs{suffix}"
    jobs.write_text('[{"description": "python"}]')
    result = run("match", str(jobs))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {jobs}: is a listings file ({suffix}), not a resume (.txt .md .pdf .docx); "
        "give the resume first: matcher match RESUME LISTINGS...\n"
    )


def test_a_listings_path_the_system_refuses_exits_1_with_one_line(tmp_path):
    name = str(tmp_path / ("a" * 300 + ".jsonl"))  # longer than any file name may be
    result = run("match", str(resume_path("economist")), name)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "File name too long" in result.stderr


# ------------------------------------------------------------------------ real processes


def test_kill_9_at_random_moments_never_breaks_the_index(tmp_path):
    from . import kill9

    report = kill9.kills(6, tmp_path, seed=11)  # `python -m tests.kill9 --kills 300`: more
    assert report.kills == report.whole == 6, report.broken
    assert report.orphans == report.tracebacks == 0
    assert report.left_at_end == []


def test_readers_racing_two_writers_always_see_one_whole_index(tmp_path):
    from . import kill9

    report = kill9.race(8, tmp_path, seed=3)
    assert report.loads > 5 and report.writes >= 8
    assert report.wrong == [] and report.bad_writes == []


def test_looking_terms_up_at_once_finds_what_one_at_a_time_finds(saved):
    terms = Matcher.load(saved).index_.terms
    every = [terms[c] for c in range(len(terms))]
    asked = [*every, "no such term", "", "skill:no such skill", every[0] + " "]
    expected = [c if c is not None else -1 for c in map(terms.column, asked)]
    assert terms.columns(asked).tolist() == expected
    assert expected[: len(every)] == list(range(len(every)))
    assert terms.columns([]).tolist() == []
