"""A progress bar on stderr while listings are analysed: count, rate, time spent and left.

The line is laid out here rather than by rich's columns, which share a narrow terminal out by
cutting every column (``18517…``, ``0:00:…``): the figures are what a user reads, so the bar
gives way first, then the rate, then the label, and a figure is never cut. Listings are
counted once, though they are analysed in two passes: the count and its total are listings,
``Analysing 14,517 listings`` over ``7,258/14,517``.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from .data import plural
from .sanitise import clean_line

# From this many listings, ``match`` without ``--index`` takes long enough to say how to save it.
HINT_LISTINGS = 4000
# The narrowest bar worth drawing; below it, the bar is left out.
_MIN_BAR = 10


def clock(seconds: float | None) -> str:
    """Return ``seconds`` as H:MM:SS (rich's style), or "-:--:--" when not known."""
    if seconds is None or seconds != seconds or seconds < 0 or seconds > 359_999:
        return "-:--:--"
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def progress_line(
    label: str,
    done: int,
    total: int | None,
    unit: str,
    elapsed: float,
    rate: float | None,
    width: int,
) -> str:
    """Return one progress line at most ``width - 1`` characters wide (a terminal's last
    column would wrap it), laid out as wide as fits.

    ``done`` of ``total`` (None: not known yet) ``unit``s, ``elapsed`` seconds so far, ``rate``
    in ``unit``s a second (None: not known). Fullest first: label, bar, count, rate, time
    spent and left; then without the bar, without the rate, with a short label, with the
    count and times alone. The count and the times are never shortened.
    """
    left = (total - done) / rate if total is not None and rate else None
    count = f"{done:,}/{total:,}" if total is not None else f"{done:,}"
    times = f"{clock(elapsed)} elapsed, {clock(left)} left"
    speed = ""
    if rate:
        speed = f"{rate:,.1f} {unit}/s" if rate < 10 else f"{rate:,.0f} {unit}/s"
    room = width - 1
    with_bar = [label, count, speed, times]
    # A bar: whatever room is left after the figures, when at least _MIN_BAR.
    rest = room - len("  ".join(p for p in with_bar if p)) - 2
    if total and rest >= _MIN_BAR:
        filled = min(rest, round(rest * done / total))
        bar = "\u2501" * filled + "\u2500" * (rest - filled)
        return "  ".join(p for p in (label, bar, count, speed, times) if p)
    for parts in (
        [label, count, speed, times],
        [label, count, times],
        [f"{count} {unit}", times],
        [count, times],
    ):
        line = "  ".join(p for p in parts if p)
        if len(line) <= room:
            return line
    return line  # narrower than any layout: the terminal wraps it, nothing is cut


class ProgressBar:
    """A live progress line on stderr while listings (or other steps) are worked through.

    Nothing when ``quiet`` or when the console (default: stderr's) is not a terminal.
    ``hint`` names the command that should say, once, how a saved index would spare the work.
    ``least``: fewer listings than this get no bar (it would only flash). ``unit``:
    "listings", told two steps per listing (two passes) and shown as listings, or what each
    step is ("resumes", "steps"), shown as steps. ``width``: the terminal's width in columns,
    read from the console at each refresh when None. ``console``: a rich ``Console`` to draw
    on (tests pass one writing to a buffer).
    """

    def __init__(
        self,
        quiet: bool,
        hint: str | None = None,
        least: int = 0,
        unit: str = "listings",
        width: int | None = None,
        console: Any = None,
    ) -> None:
        self._progress: Any = None
        self._unit = unit
        self._hint = hint
        self._least = least
        self._width = width
        self._started = False
        self._task: Any = None
        self._label = "Analysing listings" if unit == "listings" else unit.title()
        self._steps = 0
        self._total: int | None = None
        self._began = time.monotonic()
        if quiet:
            return
        if console is None:
            if not sys.stderr.isatty():
                return
            from rich.console import Console

            console = Console(stderr=True)
        elif not console.is_terminal:
            return
        from rich.progress import Progress, ProgressColumn
        from rich.text import Text

        bar = self

        class _Line(ProgressColumn):
            def render(self, task: Any) -> Text:
                return Text(bar.line(), no_wrap=True, overflow="ignore")

        self._console = console
        self._progress = Progress(_Line(), console=console, transient=True)

    def __enter__(self) -> ProgressBar:
        if self._least == 0:
            self._start()
        return self

    def _start(self) -> None:
        if self._progress is not None and not self._started:
            self._began = time.monotonic()
            self._progress.start()
            self._task = self._progress.add_task("", total=None)
            self._started = True

    def __exit__(self, *exc: object) -> None:
        if self._started:
            self._progress.stop()

    def _per_step(self) -> int:
        return 2 if self._unit == "listings" else 1

    def expect(self, total: int) -> None:
        """Learn the total: ``total`` steps (for listings, two per listing)."""
        self._total = total
        if self._unit != "listings":
            self._start()
            return
        listings = total // 2
        self._label = f"Analysing {plural(listings, 'listing')}"
        if listings >= self._least:
            self._start()
        if self._hint and listings >= HINT_LISTINGS:
            hint = (
                f"Analysing {plural(listings, 'listing')} on every run: save the work once with "
                f"'matcher index build LISTINGS... -o jobs.index', then '{self._hint} --index "
                "jobs.index' reads only what it needs."
            )
            if self._started:  # printed above the live line, not through it
                self._progress.console.print(hint, markup=False, highlight=False)
            else:
                print(hint, file=sys.stderr)

    def __call__(self, n: int) -> None:
        """Count ``n`` more steps done."""
        self._steps += n
        if self._started:
            self._progress.advance(self._task, n)

    def line(self, width: int | None = None) -> str:
        """Return the progress line as it stands, for ``width`` columns (default: the bar's)."""
        per = self._per_step()
        elapsed = time.monotonic() - self._began
        done = self._steps // per
        total = None if self._total is None else self._total // per
        rate = done / elapsed if done and elapsed > 0 else None
        if width is None:
            width = self._width or (self._console.width if self._progress is not None else 80)
        unit = "listings" if self._unit == "listings" else self._unit
        return progress_line(clean_line(self._label), done, total, unit, elapsed, rate, width)
