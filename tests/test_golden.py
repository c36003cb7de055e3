"""Issue 19's golden test: today's answers, byte for byte, after the package was rearranged.

The cases and how they are produced are in ``tests/golden.py``; the recorded answers in
``tests/data/golden``. A failing case prints the first line that differs.
"""

from __future__ import annotations

import difflib

import pytest

from tests.golden import GOLDEN, NHS, ROOT, bundled_cases, nhs_cases

BUNDLED = dict(bundled_cases())
ON_NHS = dict(nhs_cases())


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("golden")


def _same(name: str, got: str) -> None:
    want = (GOLDEN / name).read_text(encoding="utf-8")
    if got != want:
        diff = difflib.unified_diff(want.splitlines(), got.splitlines(), "recorded", "now",
                                    lineterm="", n=1)  # fmt: skip
        pytest.fail(f"{name} differs from its recording:\n" + "\n".join(list(diff)[:30]))


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_bundled_answers_are_as_recorded(name, work):
    _same(name, BUNDLED[name](work))


@pytest.mark.skipif(not (ROOT / NHS).is_file(), reason="../shared/data/nhs_jobs is not beside this checkout")
@pytest.mark.parametrize("name", sorted(ON_NHS))
def test_nhs_answers_are_as_recorded(name, work):
    _same(name, ON_NHS[name](work))


def test_every_recording_has_a_case():
    assert sorted(p.name for p in GOLDEN.iterdir()) == sorted({*BUNDLED, *ON_NHS})
