"""Where matcher's build and queries spend their time: cProfile of both, top functions printed.

Usage: python benchmarks/profiles.py [--listings 5000] [--queries 50] [--top 15]

Builds an index of the first --listings NHS postings (../shared/data/nhs_jobs) in one process
(workers=1, so the profile sees the analysis), then profiles --queries title_bench resumes
through ``Matcher.match(top_k=10)``. Figures are from one machine: read the shares.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    postings = DATA / "nhs_jobs" / "nhs_jobs_2020.jsonl"
    if not postings.exists():
        sys.exit(f"{postings}: not found (the NHS postings are needed)")
    from matcher import Listing, Matcher
    from matcher.analyse import Analyzer
    from matcher.engines.local import build_index
    from matcher.settings import Settings

    listings = []
    with postings.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            listings.append(Listing(str(row["id"]), row["title"] or "", row["description"] or ""))
            if len(listings) == args.listings:
                break
    analyzer = Analyzer(Settings())
    analyzer.vocabulary  # noqa: B018 - made outside the profile
    profile = cProfile.Profile()
    profile.runcall(build_index, listings, analyzer, None, 1)
    print(f"## build, {len(listings)} NHS postings, one process")
    pstats.Stats(profile).sort_stats("tottime").print_stats(args.top)

    matcher = Matcher(listings)
    queries = DATA / "title_bench" / "queries_dev.jsonl"
    texts = [json.loads(line)["text"] for line in queries.open(encoding="utf-8")][: args.queries]
    matcher.match(texts[0], top_k=10)
    profile = cProfile.Profile()
    profile.enable()
    for text in texts:
        matcher.match(text, top_k=10)
    profile.disable()
    print(f"## queries, {len(texts)} resumes, top 10 with explanations")
    pstats.Stats(profile).sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
