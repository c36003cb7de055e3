"""Choose the parts' weights: relevance on title_bench for a grid of (skills, title, words).

Usage: python benchmarks/parts.py [--grid 0.1] [--settings KEY=VALUE ...] [--top 15]

A score is ``sum(weight_p * cosine_p)`` over the parts (skills, title, words; see
``matcher.Settings``), and each part's cosine does not depend on the weights. So each part's
cosines are computed once (a matcher with only that part in use), and every weight triple of the
grid (steps of ``--grid``, summing to 1) is a weighted sum of the three score matrices: the
figures equal what ``benchmarks/relevance.py --settings skill_part=.. title_part=.. word_part=..``
prints for each triple. Prints nDCG@10 and MRR with matcher's bootstrap interval for the best
``--top`` triples and for a few named ones, best first.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from relevance import (  # noqa: E402
    DEFAULT_FOLDER,
    load_benchmark,
    matcher_scores,
    parse_settings,
    rank_metrics,
)

from matcher import Listing, Matcher, Settings, load_listings, read_resume  # noqa: E402
from matcher.analyse import term_text  # noqa: E402
from matcher.models import UNTITLED  # noqa: E402
from matcher.search.kernels import cosine_scores  # noqa: E402
from matcher.search.query import query_vector  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NHS = ROOT.parent / "shared" / "data" / "nhs_jobs" / "nhs_jobs_2020.jsonl"
PROFILES = ("ml_scientist", "economist", "rf_systems_engineer", "frontend_developer")

PARTS = ("skill_part", "title_part", "word_part")
NAMED = {
    "default": None,
    "skills only": (1, 0, 0),
    "title only": (0, 1, 0),
    "words only": (0, 0, 1),
}


def part_scores(listings: list, queries: list, base: Settings) -> list[np.ndarray]:
    """Return one queries-by-listings cosine matrix per part, that part alone in use."""
    out = []
    for i in range(3):
        weights = {name: float(i == j) for j, name in enumerate(PARTS)}
        out.append(matcher_scores(listings, queries, dataclasses.replace(base, **weights)))
    return out


def part_cosines(matcher: Matcher, text: str) -> np.ndarray:
    """Return each part's cosine of ``text`` with every listing: shape (3, listings).

    ``matcher`` must have every part in use (positive weights); its score is the weighted sum.
    """
    index = matcher.index_
    columns, values = query_vector(index, matcher._analyzer.query_terms(text))
    parts = index.parts[columns]
    out = np.zeros((3, len(matcher.listings)))
    for p in range(3):
        here = parts == p
        out[p] = cosine_scores(index, columns[here], values[here]) / index.part_weights[p]
    return out


def nhs_share(cosines: list[np.ndarray], triple: tuple[float, ...], k: int = 10) -> float:
    """Return the median share of a top-``k`` score that comes from skills, over resumes."""
    shares = []
    for c in cosines:
        scores = sum(w * c[p] for p, w in enumerate(triple))
        top = np.argsort(-scores, kind="stable")[:k]
        top = top[scores[top] > 0]
        shares += (triple[0] * c[0][top] / scores[top]).tolist()
    return float(np.median(shares)) if shares else 0.0


def contrast_cases(matcher: Matcher, min_skills: int = 4) -> list[tuple[int, str, str]]:
    """Return (row, title resume, skills resume) for each listing asking ``min_skills``+ skills.

    The title resume holds only the listing's title; the skills resume another title
    ("Operations Coordinator") and the skills the listing asks for.
    """
    index = matcher.index_
    cases = []
    for row, listing in enumerate(matcher.listings):
        asked = [term_text(index.terms[c]) for c in index.asked(row).tolist()]
        if len(asked) >= min_skills and listing.title != UNTITLED:
            skills = "Operations Coordinator\n\nSkills: " + ", ".join(asked)
            cases.append((row, listing.title, skills))
    return cases


def interval(values: np.ndarray, resamples: int = 2000, seed: int = 0) -> tuple[float, float]:
    """Return the 95% percentile bootstrap interval of the mean of ``values``."""
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(values), size=(resamples, len(values)))
    means = values[picks].mean(axis=1)
    return float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975))


def main(argv: Sequence[str] | None = None) -> int:
    """Print the grid's best weight triples on title_bench dev."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--grid", type=float, default=0.1, help="step of the weight grid")
    parser.add_argument("--settings", nargs="*", default=[], metavar="KEY=VALUE")
    parser.add_argument("--top", type=int, default=15, help="how many triples to print")
    parser.add_argument("--nhs", type=int, default=0, help="NHS postings to use (0: all)")
    args = parser.parse_args(argv)
    if not (args.folder / "listings.jsonl").is_file():
        print(f"{args.folder}: title_bench not found (see ../shared/data/README.md)")
        return 1
    listings, queries = load_benchmark(args.folder)
    base = parse_settings(args.settings)
    ids = [str(row["id"]) for row in listings]
    matrices = part_scores(listings, queries, base)
    steps = round(1 / args.grid)
    triples = [
        (a * args.grid, b * args.grid, (steps - a - b) * args.grid)
        for a, b in itertools.product(range(steps + 1), repeat=2)
        if a + b <= steps
    ]
    default = tuple(getattr(Settings(), name) for name in PARTS)
    named = {k: (v or default) for k, v in NAMED.items()}
    all_parts = dataclasses.replace(base, skill_part=1.0, title_part=1.0, word_part=1.0)
    bundled = Matcher(load_listings(ROOT / "fixtures" / "listings"), settings=all_parts)
    cases = contrast_cases(bundled)
    contrast = [
        (part_cosines(bundled, title)[:, row], part_cosines(bundled, skills)[:, row])
        for row, title, skills in cases
    ]
    nhs_cosines: list[np.ndarray] = []
    if NHS.is_file():
        import json

        with NHS.open(encoding="utf-8") as lines:
            records = [json.loads(line) for line in lines if line.strip()]
        if args.nhs:
            records = records[: args.nhs]
        postings = [
            Listing(str(r["id"]), str(r.get("title") or ""), str(r.get("description") or ""))
            for r in records
            if r.get("description")
        ]
        nhs = Matcher(postings, settings=all_parts)
        resumes = [read_resume(ROOT / "fixtures" / "resumes" / f"{p}.txt") for p in PROFILES]
        nhs_cosines = [part_cosines(nhs, text) for text in resumes]
    rows = []
    for triple in [*triples, *named.values()]:
        scores = sum(w * m for w, m in zip(triple, matrices, strict=True))
        metrics = rank_metrics(scores, queries, ids)
        held = sum(np.dot(triple, s) > np.dot(triple, t) for t, s in contrast)
        share = nhs_share(nhs_cosines, triple) if nhs_cosines else float("nan")
        rows.append(
            (triple, metrics["nDCG@10"], metrics["MRR"], held / max(1, len(contrast)), share)
        )
    rows_by = {row[0]: row[1:] for row in rows}
    best = sorted(rows[: len(triples)], key=lambda r: -float(r[1].mean()))[: args.top]
    print(f"{args.folder} (dev): {len(listings)} listings, {len(queries)} queries; base: {base}")
    print(
        f"contrast: {len(contrast)} bundled listings asking 4+ skills; NHS: "
        f"{len(nhs_cosines[0][0]) if nhs_cosines else 0} postings, {len(nhs_cosines)} resumes"
    )
    print()
    print("| skills | title | words | nDCG@10 [95% CI] | MRR | contrast held | NHS skill share |")
    print("|---:|---:|---:|---|---:|---:|---:|")
    feasible = [r for r in rows[: len(triples)] if r[3] >= 0.9 and r[4] >= 0.5]
    feasible = sorted(feasible, key=lambda r: -float(r[1].mean()))[: args.top]
    for label, triple in [
        *((f"{t}", t) for t, *_ in best),
        *((f"{t} feasible", t) for t, *_ in feasible),
        *named.items(),
    ]:
        ndcg, mrr, held, share = rows_by[triple]
        low, high = interval(ndcg)
        name = "" if label == str(triple) else f" ({label.replace(str(triple), '').strip()})"
        w = " | ".join(f"{x:.2f}" for x in triple)
        print(
            f"| {w}{name} | {ndcg.mean():.3f} [{low:.3f}, {high:.3f}] | {mrr.mean():.3f} "
            f"| {held:.0%} | {share:.2f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
