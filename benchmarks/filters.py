"""Filters on a saved index beside reading every listing's fields, in one run.

Usage: python benchmarks/filters.py [--real PATH] [--size N] [--repeat 5]

Builds an index of N listings (default 3,000) from --real (JSON Lines; default the NHS postings
in ../shared/data/nhs_jobs/) in a temporary folder, loads it, and times, median of --repeat:

- ``Matcher.filter(Filters(...))`` on the loaded index: what ``--job-type``, ``--posted-since``,
  ``--remote`` and ``--salary-min`` cost a query (five stored arrays, no listing parsed);
- ``filters.listing_facts(matcher.listings)``: the same facts worked out by parsing every
  stored listing, as an index without the arrays would have to on every query;
- ``Filters(location=...)``, which still reads every listing's location, for scale.

Prints each in milliseconds and the ratio to the stored arrays.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from matcher import Matcher, load_listings
from matcher.filters import Filters, listing_facts

ROOT = Path(__file__).resolve().parent.parent
NHS = ROOT.parent / "shared" / "data" / "nhs_jobs" / "nhs_jobs_2020.jsonl"


def _median_ms(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--real", type=Path, default=NHS)
    parser.add_argument("--size", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not args.real.is_file():
        raise SystemExit(f"{args.real}: not found (give --real PATH, JSON Lines of listings)")
    with tempfile.TemporaryDirectory() as work:
        sample = Path(work) / "listings.jsonl"
        with args.real.open(encoding="utf-8") as source:
            lines = itertools.islice(source, args.size)
            sample.write_text("".join(lines), encoding="utf-8")
        Matcher(load_listings([sample])).save(Path(work) / "jobs.index")
        matcher = Matcher.load(Path(work) / "jobs.index")
        n = len(matcher.listings)
        facts = Filters.parse(job_types=["full-time"], posted_since="2020-06-01",
                              workplace="remote", salary_min="30k")  # fmt: skip
        stored = _median_ms(lambda: matcher.filter(facts), args.repeat)
        parsed = _median_ms(lambda: listing_facts(matcher.listings), args.repeat)
        located = _median_ms(lambda: matcher.filter(Filters(location="leeds")), args.repeat)
        kept = int(matcher.filter(facts).keep.sum())  # type: ignore[union-attr]
    print(f"{n:,} listings from {args.real.name}; the four filters keep {kept:,}")
    print(f"{'':42}{'ms':>10}{'ratio':>10}")
    for name, ms in (
        ("stored arrays (Matcher.filter)", stored),
        ("parsing every listing (listing_facts)", parsed),
        ("--location (reads every location)", located),
    ):
        print(f"{name:42}{ms:10.2f}{ms / stored:10.0f}x")


if __name__ == "__main__":
    main()
