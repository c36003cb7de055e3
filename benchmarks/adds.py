"""What ``matcher index add`` costs, and how far a segmented index ranks from a full rebuild.

Usage: python benchmarks/adds.py [--base 100000] [--add 1000] [--shares 0.01,0.1,0.3,0.5]
                                 [--queries 50] [--skip-cost] [--skip-difference] [--seed 0]

Two measurements, one run:

- **Cost.** An index of --base real-like listings (NHS postings' sentences recombined, as
  ``benchmarks/speed.py --real-like`` makes them) is built and saved once (``matcher index
  build``'s library call); then --add other real-like listings are added as a segment
  (``add_files``, verifying the index first, as the command does) and, beside it, by the full
  rebuild ``--rebuild`` does. Seconds and peak RSS of each, and their ratio.
- **Difference.** On the real NHS postings (../shared/data/nhs_jobs), for each share s of
  --shares: an index fitted on the first (1 - s) of the postings with the rest added as a
  segment, against one built from all of them at once. For --queries title_bench resumes:
  how many of the full build's top 10 the segmented index also puts in its top 10, the
  Spearman correlation of the two rankings over the union of both top 10s, and the largest
  change of a top-10 score.

Figures are from one run on one machine (2 cores, other work running): compare the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from speed import read_postings, real_like  # noqa: E402

from matcher import Matcher  # noqa: E402
from matcher.api import add_files, index_files  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
NHS = SHARED / "nhs_jobs" / "nhs_jobs_2020.jsonl"
QUERIES = SHARED / "title_bench" / "queries_dev.jsonl"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_listings(path: Path, rows: list[tuple[str, str]], prefix: str) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for i, (title, description) in enumerate(rows):
            row = {"id": f"{prefix}{i}", "title": title, "description": description}
            handle.write(json.dumps(row) + "\n")


def cost(args: argparse.Namespace, postings: list[tuple[str, str]], work: Path) -> None:
    base = real_like(postings, args.base, args.seed)
    extra = real_like(postings, args.add, args.seed + 1)
    write_listings(work / "base.jsonl", base, "B")
    write_listings(work / "extra.jsonl", extra, "A")
    folder = work / "base.index"
    start = time.perf_counter()
    index_files([work / "base.jsonl"], folder)
    built = time.perf_counter() - start
    print(f"build of {args.base:,} listings: {built:.1f} s, peak RSS {peak_mb():,.0f} MB")
    copy = work / "copy.index"
    os.system(f"cp -r '{folder}' '{copy}'")
    start = time.perf_counter()
    result = add_files(folder, [work / "extra.jsonl"])
    segment = time.perf_counter() - start
    print(
        f"add {result.added:,} as a segment: {segment:.2f} s ({segment / built:.4f} of the build)"
        f"; {result.dropped} duplicates; peak RSS so far {peak_mb():,.0f} MB"
    )
    start = time.perf_counter()
    add_files(copy, [work / "extra.jsonl"], rebuild=True)
    rebuilt = time.perf_counter() - start
    ratio = segment / rebuilt
    print(f"add by full rebuild (--rebuild): {rebuilt:.1f} s; segment/rebuild {ratio:.4f}")


def difference(args: argparse.Namespace, work: Path) -> None:
    from matcher import load_listings

    listings = list(load_listings([NHS]))
    with QUERIES.open(encoding="utf-8") as lines:
        texts = [json.loads(line)["text"] for line in lines if line.strip()][: args.queries]
    whole = Matcher(listings)
    full = [whole.scores(text) for text in texts]
    print(f"{len(listings):,} NHS listings, {len(texts)} title_bench resumes")
    print("| added share | top-10 kept | Spearman, both top 10s | largest top-10 score change |")
    print("|---:|---:|---:|---:|")
    for share in args.shares:
        cut = int(round(len(listings) * (1 - share)))
        folder = work / f"share-{share}.index"
        fitted = Matcher(listings[:cut])
        fitted.save(folder)
        rest = work / f"rest-{share}.jsonl"
        with rest.open("w", encoding="utf-8") as handle:
            for listing in listings[cut:]:
                handle.write(json.dumps(listing.__dict__) + "\n")
        add_files(folder, [rest])
        grown = Matcher.load(folder)
        assert [x.id for x in grown.listings] == [x.id for x in listings], "order differs"
        kept, rhos, changes = [], [], []
        for text, theirs in zip(texts, full, strict=True):
            ours = grown.scores(text)
            top_theirs = np.argsort(-theirs, kind="stable")[:10]
            top_ours = np.argsort(-ours, kind="stable")[:10]
            kept.append(len(set(top_theirs) & set(top_ours)) / 10)
            union = np.union1d(top_theirs, top_ours)
            rhos.append(spearman(theirs[union], ours[union]))
            changes.append(float(np.abs(ours[top_theirs] - theirs[top_theirs]).max()))
        print(
            f"| {share:.0%} | {np.mean(kept):.3f} (min {np.min(kept):.1f}) | "
            f"{np.mean(rhos):.3f} | {np.max(changes):.4f} (mean {np.mean(changes):.4f}) |"
        )


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    ra, rb = np.argsort(np.argsort(-a)), np.argsort(np.argsort(-b))
    if len(a) < 2:
        return 1.0
    return float(np.corrcoef(ra, rb)[0, 1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", type=int, default=100_000)
    parser.add_argument("--add", type=int, default=1_000)
    parser.add_argument("--shares", default="0.01,0.1,0.3,0.5")
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-cost", action="store_true")
    parser.add_argument("--skip-difference", action="store_true")
    args = parser.parse_args()
    args.shares = [float(s) for s in args.shares.split(",")]
    if not NHS.is_file():
        sys.exit(f"{NHS}: not found (../shared/data must be beside the checkout)")
    with tempfile.TemporaryDirectory(prefix="matcher-adds-") as tmp:
        work = Path(tmp)
        if not args.skip_difference:
            difference(args, work)
        if not args.skip_cost:
            cost(args, read_postings(NHS), work)


if __name__ == "__main__":
    main()
