"""Compiled skill vocabularies: the same matches as the CSV, refused when they do not fit it."""

from __future__ import annotations

import hashlib
import io
import json

import numpy as np
import pytest

from matcher import Matcher, load_listings, read_resume
from matcher.errors import IndexFormatError
from matcher.index.store import meta_checksum
from matcher.skills import SkillVocabulary, builtin_vocabulary
from matcher.skills.compiled import (
    CompiledVocabularyError,
    StaleCompiledVocabulary,
    compiled_bytes,
    csv_sha256,
    read_compiled,
)
from matcher.skills.taxonomy import builtin_rows, compiled_dir, load_vocabulary

from .conftest import LISTINGS, PROFILES, RESUMES, resume_path

TINY_CSV = (
    "name,kind,category,aliases,ambiguous,context\n"
    "python,tool,language,Python|py3,,\n"
    "r,tool,language,R language,R,statistics|rstudio\n"
    "stata,tool,language,Stata,,\n"
)


def _texts() -> list[str]:
    resumes = [read_resume(path) for path in sorted(RESUMES.glob("*.txt"))]
    return resumes + [listing.description for listing in load_listings(LISTINGS)]


def _compiled_copy(vocabulary: SkillVocabulary, text: str) -> SkillVocabulary:
    data = compiled_bytes(vocabulary, csv_sha256(text))
    assert data is not None
    return read_compiled(data, csv_sha256(text), lambda: vocabulary.rows, "test.npz")


def _found(vocabulary: SkillVocabulary, text: str) -> list[tuple]:
    hits = vocabulary.find(text)
    return [(h.skill, h.start, h.end, vocabulary.implied(h, text)) for h in hits]


def test_a_compiled_vocabulary_finds_what_the_csv_finds_in_every_fixture():
    csv_built = builtin_vocabulary()
    loaded = _compiled_copy(csv_built, csv_built.to_csv())
    assert loaded.compiled == csv_built.compiled and len(loaded) == len(csv_built)
    texts = _texts()
    assert len(texts) > 20
    total = 0
    for text in texts:
        expected = _found(csv_built, text)
        assert _found(loaded, text) == expected
        total += len(expected)
    assert total > 500  # the fixtures name many skills: the comparison is not of empty lists
    assert loaded.get("python") == csv_built.get("python") and loaded.get("nope") is None
    assert loaded.rows == csv_built.rows and loaded.to_csv() == csv_built.to_csv()


def test_a_compiled_file_of_another_csv_or_damaged_is_refused():
    vocabulary = SkillVocabulary(_rows(TINY_CSV))
    data = compiled_bytes(vocabulary, csv_sha256(TINY_CSV))
    assert data is not None
    other = csv_sha256(TINY_CSV + "sql,tool,query,SQL,,\n")
    with pytest.raises(CompiledVocabularyError, match="compiled from another skills CSV"):
        read_compiled(data, other, lambda: [], "skills.npz")
    with pytest.raises(CompiledVocabularyError, match="is not a compiled skill vocabulary"):
        read_compiled(data[: len(data) // 2], csv_sha256(TINY_CSV), lambda: [], "skills.npz")
    # An archive holding a pickled object is never unpickled.
    out = io.BytesIO()
    np.savez(out, header=np.array([object()], dtype=object))
    with pytest.raises(CompiledVocabularyError, match="not a compiled skill vocabulary"):
        read_compiled(out.getvalue(), csv_sha256(TINY_CSV), lambda: [], "skills.npz")


def test_a_compiled_file_whose_numbers_point_outside_is_refused():
    vocabulary = SkillVocabulary(_rows(TINY_CSV))
    archive = dict(np.load(io.BytesIO(compiled_bytes(vocabulary, csv_sha256(TINY_CSV)))))
    groups = int(archive["header"][2])
    archive["numbers"] = archive["numbers"].copy()
    archive["numbers"][groups + 1] = 99  # the first form's skill
    out = io.BytesIO()
    np.savez(out, **archive)
    with pytest.raises(CompiledVocabularyError, match="names a skill that does not exist"):
        read_compiled(out.getvalue(), csv_sha256(TINY_CSV), lambda: [], "skills.npz")


def test_a_compiled_file_of_another_compiler_version_is_stale():
    vocabulary = SkillVocabulary(_rows(TINY_CSV))
    archive = dict(np.load(io.BytesIO(compiled_bytes(vocabulary, csv_sha256(TINY_CSV)))))
    archive["header"] = archive["header"].copy()
    archive["header"][0] += 1
    out = io.BytesIO()
    np.savez(out, **archive)
    with pytest.raises(StaleCompiledVocabulary, match="another version of matcher"):
        read_compiled(out.getvalue(), csv_sha256(TINY_CSV), lambda: [], "skills.npz")


def _rows(text: str) -> list[dict[str, str]]:
    import csv

    return list(csv.DictReader(io.StringIO(text)))


# ------------------------------------------------------------------------- in a saved index


@pytest.fixture(scope="module")
def saved(tmp_path_factory, default_matcher):
    folder = tmp_path_factory.mktemp("compiled") / "jobs.index"
    default_matcher.save(folder)
    return folder


def _rewrite(folder, name: str, data: bytes | None) -> None:
    """Replace (or, with None, delete) an index file and re-seal meta.json around it."""
    meta = json.loads((folder / "meta.json").read_text())
    if data is None:
        (folder / name).unlink()
        del meta["files"][name]
    else:
        (folder / name).write_bytes(data)
        meta["files"][name] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    meta["checksum"] = meta_checksum(meta)
    (folder / "meta.json").write_text(json.dumps(meta))


def _matches(matcher: Matcher) -> list:
    return [matcher.match(read_resume(resume_path(p)), top_k=10) for p in PROFILES]


def test_an_index_carries_its_vocabulary_compiled_and_matches_as_in_memory(saved, default_matcher):
    meta = json.loads((saved / "meta.json").read_text())
    assert "skills.npz" in meta["files"]
    loaded = Matcher.load(saved)
    assert _matches(loaded) == _matches(default_matcher)
    vocabulary = loaded._analyzer.vocabulary
    assert vocabulary is not None
    assert vocabulary.compiled == default_matcher._analyzer.vocabulary.compiled


def test_an_index_saved_without_the_compiled_file_still_loads(saved, tmp_path, default_matcher):
    import shutil

    folder = tmp_path / "old.index"
    shutil.copytree(saved, folder)
    _rewrite(folder, "skills.npz", None)
    assert _matches(Matcher.load(folder)) == _matches(default_matcher)


@pytest.mark.parametrize("verify", [True, False])
def test_an_index_whose_compiled_file_does_not_fit_its_csv_is_refused(saved, tmp_path, verify):
    import shutil

    folder = tmp_path / "tampered.index"
    shutil.copytree(saved, folder)
    other = compiled_bytes(SkillVocabulary(_rows(TINY_CSV)), csv_sha256(TINY_CSV))
    assert other is not None
    if verify:  # swapped behind meta.json's back: the checksum says so
        (folder / "skills.npz").write_bytes(other)
        meta = json.loads((folder / "meta.json").read_text())
        meta["files"]["skills.npz"]["bytes"] = len(other)
        meta["checksum"] = meta_checksum(meta)
        (folder / "meta.json").write_text(json.dumps(meta))
        message = "skills.npz: does not match its checksum"
    else:  # sealed in, as a hostile index would be: the CSV's checksum inside says so
        _rewrite(folder, "skills.npz", other)
        message = "skills.npz: was compiled from another skills CSV"
    with pytest.raises(IndexFormatError, match=message):
        Matcher.load(folder, verify=verify).match("Python and R for statistics")


# ------------------------------------------------------------------- in the user data folder


def test_the_run_vocabulary_is_compiled_once_into_the_data_folder(data_dir):
    first = load_vocabulary(["builtin", str(_custom(data_dir))])
    stored = sorted(compiled_dir().glob("*.npz"))
    assert len(stored) == 1 and compiled_dir().is_relative_to(data_dir)
    again = load_vocabulary(["builtin", str(_custom(data_dir))])
    assert again is not first and again.compiled == first.compiled
    text = "Python, R and Stata for statistics; Kubernetes on AWS"
    assert _found(again, text) == _found(first, text)
    assert again.rows == first.rows


def test_a_damaged_compiled_file_in_the_data_folder_is_compiled_again(data_dir):
    first = load_vocabulary(["builtin", str(_custom(data_dir))])
    (stored,) = compiled_dir().glob("*.npz")
    stored.write_bytes(b"PK\x03\x04 not a zip")
    again = load_vocabulary(["builtin", str(_custom(data_dir))])
    assert again.compiled == first.compiled
    assert stored.read_bytes()[:2] == b"PK" and len(stored.read_bytes()) > 100


def _custom(folder):
    path = folder / "custom.csv"
    path.write_text(TINY_CSV.replace("python,", "pythonic,").replace("Python|py3", "Pythonic"))
    return path


def test_builtin_rows_read_from_the_package():
    assert [row["name"] for row in builtin_rows()] == [
        row["name"] for row in builtin_vocabulary().rows
    ]
