"""Build and query cost of matcher's core, side by side with plain scikit-learn, in one run.

Usage: python benchmarks/core.py [--listings N] [--queries Q] [--data PATH]

Reads the first N real postings of ../shared/data/nhs_jobs/nhs_jobs_2020.jsonl (or PATH, JSON
Lines with a "description" field), builds matcher's index with its default settings, with skills
off, and with Settings.plain(), and a scikit-learn TfidfVectorizer over the same texts; then
ranks Q resumes (the fixtures, cycled) against each. Prints seconds and ratios to scikit-learn.
Figures are from one run on this machine: compare the ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402

from matcher import Listing, Matcher, Settings, read_resume  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "nhs_jobs" / "nhs_jobs_2020.jsonl"


def load(path: Path, n: int) -> list[Listing]:
    listings = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row.get("description"):
                listings.append(
                    Listing(
                        id=str(row.get("id", len(listings))),
                        title=str(row.get("title")),
                        description=row["description"],
                    )
                )
            if len(listings) == n:
                break
    return listings


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=3000)
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    if not args.data.exists():
        sys.exit(f"benchmarks/core.py: {args.data} not found (pass --data PATH)")
    listings = load(args.data, args.listings)
    resumes = [read_resume(p) for p in sorted((ROOT / "fixtures" / "resumes").glob("*.txt"))]
    queries = [resumes[i % len(resumes)] for i in range(args.queries)]
    texts = [item.description for item in listings]

    vectorizer = TfidfVectorizer()
    matrix, sk_build = timed(vectorizer.fit_transform, texts)

    def sk_query(text: str) -> None:
        scores = (matrix @ vectorizer.transform([text]).T).toarray().ravel()
        scores.argsort()[::-1][:10]

    sk_times = [timed(sk_query, q)[1] for q in queries]
    rows = [("scikit-learn TfidfVectorizer + cosine", sk_build, statistics.median(sk_times))]
    for name, settings in (
        ("matcher, default settings", Settings()),
        ("matcher, skills off", Settings(skills=False)),
        ("matcher, Settings.plain()", Settings.plain()),
    ):
        matcher, build = timed(Matcher, listings, settings=settings)
        times = [timed(matcher.match, q, top_k=10)[1] for q in queries]
        rows.append((name, build, statistics.median(times)))

    base_build, base_query = rows[0][1], rows[0][2]
    print(f"{len(listings)} listings ({args.data.name}), {len(queries)} queries, top 10")
    print(f"{'method':40} {'build s':>8} {'x sk':>6} {'docs/s':>8} {'query ms':>9} {'x sk':>6}")
    for name, build, query in rows:
        print(
            f"{name:40} {build:8.2f} {build / base_build:6.1f} {len(listings) / build:8.0f}"
            f" {query * 1000:9.2f} {query / base_query:6.1f}"
        )
    print("query = median over queries of resume analysis + scoring + top 10 (+ explanations).")


if __name__ == "__main__":
    main()
