"""The progress line fits 80 and 60 columns with its figures whole, and counts listings once
(issue 23)."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from matcher.render.progress import ProgressBar, clock, progress_line

NHS = 14_517  # the NHS postings: what made the old bar cut its figures at 80 columns


def _bar(width: int, least: int = 0) -> ProgressBar:
    console = Console(file=io.StringIO(), force_terminal=True, width=width)
    return ProgressBar(False, least=least, console=console)


@pytest.mark.parametrize("width", [120, 100, 80, 60, 50])
@pytest.mark.parametrize("done", [0, 7_258, NHS])
def test_the_line_fits_and_keeps_its_figures_whole(width, done):
    line = progress_line(
        f"Analysing {NHS:,} listings", done, NHS, "listings", 3725.5, 1234.5, width
    )
    assert len(line) <= width - 1
    assert f"{done:,}/{NHS:,}" in line
    assert "1:02:05 elapsed" in line
    left = clock((NHS - done) / 1234.5)
    assert f"{left} left" in line
    assert "\u2026" not in line  # nothing cut


def test_the_bar_goes_first_then_the_rate():
    wide = progress_line("Analysing 14,517 listings", 100, NHS, "listings", 5, 20.0, 120)
    assert "\u2500" in wide and "20 listings/s" in wide
    at_80 = progress_line("Analysing 14,517 listings", 100, NHS, "listings", 5, 20.0, 80)
    assert "\u2501" not in at_80 and "\u2500" not in at_80
    assert at_80 == "Analysing 14,517 listings  100/14,517  0:00:05 elapsed, 0:12:00 left"
    at_90 = progress_line("Analysing 14,517 listings", 100, NHS, "listings", 5, 20.0, 90)
    assert "20 listings/s" in at_90 and "\u2500" not in at_90
    at_60 = progress_line("Analysing 14,517 listings", 100, NHS, "listings", 5, 20.0, 60)
    assert "listings/s" not in at_60
    assert at_60 == "100/14,517 listings  0:00:05 elapsed, 0:12:00 left"


def test_unknown_total_and_rate():
    line = progress_line("Analysing listings", 0, None, "listings", 0.2, None, 60)
    assert line == "Analysing listings  0  0:00:00 elapsed, -:--:-- left"


@pytest.mark.parametrize("width", [80, 60])
def test_listings_are_counted_once_under_their_label(width):
    with _bar(width) as bar:
        bar.expect(2 * NHS)  # two passes, two steps a listing
        for _ in range(NHS):  # the first pass
            bar(1)
        half = bar.line()
        for _ in range(NHS):  # the second
            bar(1)
        end = bar.line()
    assert f"{NHS // 2:,}/{NHS:,}" in half
    assert f"{NHS:,}/{NHS:,}" in end and f"{2 * NHS:,}" not in end
    assert len(end) <= width - 1
    assert re.search(r"\d:\d\d:\d\d elapsed, \d:\d\d:\d\d left", end)


def test_what_the_terminal_is_shown_fits_60_columns():
    console = Console(file=io.StringIO(), force_terminal=True, width=60)
    with ProgressBar(False, console=console) as bar:
        bar.expect(2 * NHS)
        bar(NHS)
        bar._progress.refresh()
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", console.file.getvalue())
    lines = [line for line in re.split(r"[\r\n]", shown) if line.strip()]
    assert lines and all(len(line) <= 59 for line in lines), lines
    assert any(f"{NHS // 2:,}/{NHS:,}" in line for line in lines)


def test_steps_that_are_not_listings_count_as_steps():
    console = Console(file=io.StringIO(), force_terminal=True, width=60)
    with ProgressBar(False, unit="resumes", console=console) as bar:
        bar.expect(30)
        bar(3)
        assert re.fullmatch(
            r"Resumes  3/30  (?:[\d.,]+ resumes/s  )?0:00:00 elapsed, 0:00:0\d left", bar.line()
        )


def test_no_bar_off_a_terminal_or_when_quiet():
    off = ProgressBar(False, console=Console(file=io.StringIO(), force_terminal=False))
    with off as bar:
        bar.expect(2 * NHS)
        bar(10)
    assert off._progress is None
    assert ProgressBar(True)._progress is None
