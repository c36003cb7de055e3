"""Analysis time grows linearly with the text: adversarial inputs of 5, 10, 20 and 40 KB.

Times are compared with each other in one run (ratios), never with a fixed number of seconds:
linear code takes about 8 times as long for 40 KB as for 5 KB, quadratic code 64 times.
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from matcher.analyse import Analyzer, headings, sentences
from matcher.read import guess_title
from matcher.settings import Settings
from matcher.skills import builtin_vocabulary

from .conftest import SHARED, resume_path

SIZES = (5_000, 10_000, 20_000, 40_000)
# Texts of n characters of the kinds that made a regular expression or a loop quadratic.
TEXTS = {
    "run of spaces": lambda n: "Requirements:" + " " * n + "Python",
    "spaces then a bullet": lambda n: "Build" + " " * n + "* tests",
    "spaces and newlines": lambda n: " \n" * (n // 2),
    "capital letters": lambda n: "A " * (n // 2),
    "one long capitalised word": lambda n: "ABOUT " + "X" * n,
    "capitalised words": lambda n: "Data Science Lead Role " * (n // 23),
    "no title cue": lambda n: ("we value care and good work every day " * n)[:n],
    "title cue then spaces": lambda n: "Job Title:" + " " * n + "x",
    "ambiguous skills": lambda n: ("Python R Go C and " * n)[:n],
}
FUNCTIONS = {
    "guess_title": guess_title,
    "headings": headings,
    "sentences": lambda text: sentences(text, Settings()),
    "skills": lambda text: builtin_vocabulary().find(text),
    "terms": lambda text: Analyzer(Settings()).terms(text),
}
# Seconds for 40 KB below which the ratio is not read: at a few milliseconds it is timer and
# cache noise (and a loaded machine), while the quadratic cases this guards against took
# 27-85 s at 20 KB.
FAST_ENOUGH = 0.25


def _best_time(function, text, repeats=3):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        function(text)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize("function", list(FUNCTIONS))
@pytest.mark.parametrize("kind", list(TEXTS))
def test_analysis_time_grows_linearly(kind, function):
    make, run = TEXTS[kind], FUNCTIONS[function]
    run(make(1000))  # warm up: the vocabulary, compiled patterns
    times = [_best_time(run, make(n)) for n in SIZES]
    if times[-1] < FAST_ENOUGH:
        return
    # Twice the text: about twice the time when linear, four times when quadratic. The two
    # largest sizes are read, where start-up costs and timer noise weigh least.
    ratio = times[-1] / max(times[-2], 1e-7)
    assert ratio < 3.2, f"{kind}: {function} took {ratio:.1f}x as long for 2x the text {times}"


@pytest.mark.skipif(
    not (SHARED / "reliability_cases").is_dir(), reason="../shared/reliability_cases is absent"
)
def test_a_listing_with_a_long_run_of_spaces_is_answered():
    case = SHARED / "reliability_cases" / "spaces_20KB.json"
    command = [sys.executable, "-m", "matcher", "match", str(resume_path("economist")), str(case)]
    # Quadratic, this took over a minute; the timeout turns a regression into a failure.
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.startswith("1 best of 1 listing\n")
