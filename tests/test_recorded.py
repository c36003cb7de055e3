"""The build and the analysis give what they gave when recorded (``tests/recorded.py``).

These replace comparisons with copies of the package's earlier code: the copies could only
agree with what they were copied from; a recording made from the code holds it to what it
did, array for array, whatever is moved around it.
"""

from __future__ import annotations

import json

import pytest

from tests.recorded import NHS, RECORDED, bundled_cases, nhs_cases

BUNDLED = dict(bundled_cases())
ON_NHS = dict(nhs_cases())


def _same(name: str, got: object) -> None:
    want = json.loads((RECORDED / f"{name}.json").read_text(encoding="utf-8"))
    got = json.loads(json.dumps(got, sort_keys=True, ensure_ascii=False))
    if isinstance(want, dict):
        changed = sorted(k for k in {*want, *got} if want.get(k) != got.get(k))
        assert not changed, f"{name}: {', '.join(changed)} differ from the recording"
    assert got == want, f"{name} differs from its recording"


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_bundled_cases_are_as_recorded(name):
    _same(name, BUNDLED[name]())


@pytest.mark.skipif(not NHS.is_file(), reason="../shared/data/nhs_jobs is not beside this checkout")
@pytest.mark.parametrize("name", sorted(ON_NHS))
def test_nhs_cases_are_as_recorded(name):
    _same(name, ON_NHS[name]())


def test_every_recording_has_a_case():
    assert sorted(p.stem for p in RECORDED.iterdir()) == sorted({*BUNDLED, *ON_NHS})


def test_a_changed_build_is_caught():
    """The comparison can fail: one listing's text changed changes the recorded digests."""
    from matcher import Settings, builtin_vocabulary
    from matcher.analyse import Analyzer
    from matcher.engines.local import build_index
    from tests.recorded import _bundled, index_digests

    listings = _bundled()
    changed = [*listings[:-1], listings[-1].__class__(**{**vars(listings[-1]),
                                                         "description": "Requirements: Python."})]  # fmt: skip
    digests = index_digests(build_index(changed, Analyzer(Settings(), builtin_vocabulary()), workers=1))
    with pytest.raises(AssertionError, match="differ from the recording"):
        _same("build-bundled-default", digests)
