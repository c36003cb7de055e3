"""What the integrity check of a saved index costs: ``Matcher.load`` with and without it.

Usage: python benchmarks/integrity.py [--sizes 100000,1000000] [--real PATH] [--repeats 3]

At each size it saves an index, then times, side by side in one run (best of --repeats, files
in the page cache):

- ``trusted``: ``Matcher.load(DIR, verify=False)``: meta.json (and its own checksum), sizes,
  types, offsets in order, idf against the postings: what every load does;
- ``verified``: ``Matcher.load(DIR)``, the default: the above plus every file's SHA-256 and every
  posting (rows inside the listings and in order, weights in [0, 1]);
- ``first query``: one ``match`` after a trusted load, for scale.

The real index is built from --real (default ../shared/data/nhs_jobs/nhs_jobs_2020.jsonl, about
15k postings). Larger sizes are synthetic arrays of the real one's shape (non-zeros per
listing, vocabulary growing as n^0.6), valid in every checked respect, saved by ``save_index``:
building 1M real listings takes half an hour and the check does not look at the words.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from matcher import Listing, Matcher, Settings, load_listings
from matcher.index.model import Index, TermTable
from matcher.index.store import save_index
from matcher.weigh import smoothed_idf

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "data" / "nhs_jobs" / "nhs_jobs_2020.jsonl"
RESUME = (ROOT / "fixtures" / "resumes" / "economist.txt").read_text(encoding="utf-8")


def synthetic(n: int, per_listing: int, terms: int, seed: int = 0) -> Index:
    """Return a valid index of ``n`` listings with about ``per_listing`` terms each."""
    rng = np.random.default_rng(seed)
    # Zipf-like term choice: a few terms in many listings, most in few.
    ranks = (rng.pareto(1.0, n * per_listing) * terms / 50).astype(np.int64) % terms
    keys = np.unique(np.repeat(np.arange(n, dtype=np.int64), per_listing) * terms + ranks)
    row_of, cols = (keys // terms).astype(np.int32), (keys % terms).astype(np.int32)
    del keys, ranks
    weights = rng.random(len(cols), dtype=np.float32) + np.float32(0.01)
    norms = np.sqrt(np.bincount(row_of, weights=weights.astype(np.float64) ** 2, minlength=n))
    weights = (weights / norms[row_of]).astype(np.float32)
    order = np.argsort(cols, kind="stable")  # term-major, listings in order within a term
    df = np.bincount(cols, minlength=terms)
    indptr = np.zeros(terms + 1, dtype=np.int64)
    indptr[1:] = np.cumsum(df)
    asked = np.zeros(n + 1, dtype=np.int64)
    listings = [
        Listing(id=f"s{i}", title="Synthetic", description=f"listing {i}") for i in range(n)
    ]
    return Index(
        listings=listings,
        terms=TermTable([f"t{c}" for c in range(terms)]),
        idf=smoothed_idf(n, df),
        indptr=indptr,
        rows=row_of[order],
        weights=weights[order],
        parts=np.full(terms, 2, dtype=np.uint8),  # every term an ordinary word
        asked_indptr=asked,
        asked_columns=np.zeros(0, dtype=np.int32),
        asked_required=np.zeros(0, dtype=bool),
        sublinear_tf=True,
        part_weights=np.array(Settings().part_weights(), dtype=np.float64),
        query_floors=np.full(3, 0.1, dtype=np.float64),
    )


def best(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(label: str, folder: Path, repeats: int) -> None:
    size = sum(p.stat().st_size for p in folder.iterdir())
    trusted = best(lambda: Matcher.load(folder, verify=False), repeats)
    verified = best(lambda: Matcher.load(folder), repeats)
    matcher = Matcher.load(folder, verify=False)
    query = best(lambda: matcher.match(RESUME, top_k=10), 1)
    print(
        f"| {label} | {size / 1e6:,.0f} MB | {trusted * 1e3:,.1f} ms | {verified * 1e3:,.0f} ms "
        f"| {verified / trusted:,.0f}x | {query * 1e3:,.0f} ms |",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--real", type=Path, default=REAL)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="integrity-"))
    try:
        print("| index | size | trusted load | verified load | ratio | first query |")
        print("|---|---:|---:|---:|---:|---:|")
        per_listing, terms_at = 150, 60_000
        if args.real.is_file():
            started = time.perf_counter()
            real = Matcher(load_listings([args.real]))
            built = time.perf_counter() - started
            real.save(work / "real.index")
            n = len(real.listings)
            per_listing, terms_at = real.index_.nnz // n, len(real.index_.terms)
            measure(f"{n:,} real (built in {built:.0f} s)", work / "real.index", args.repeats)
            scale = n
        else:
            scale = 15_000
        for n in (int(s) for s in args.sizes.split(",") if s):
            terms = int(terms_at * (n / scale) ** 0.6)
            folder = work / f"{n}.index"
            save_index(synthetic(n, per_listing, terms), Settings(), None, folder)
            measure(f"{n:,} synthetic", folder, args.repeats)
            shutil.rmtree(folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
