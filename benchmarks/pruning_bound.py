"""How much of a query exact pruning could skip at best, on a saved index (issue 12).

Usage: python benchmarks/pruning_bound.py INDEX_DIR [--queries 50] [--distinct N]

For each title_bench resume, with the k-th best score (k = 10) known in advance (no real
pruner knows it at the start, so these are bounds on what one could gain):

- block-max: listings cut into blocks of B; a block's bound is the sum over query terms of
  resume weight x the largest listing weight of that term in the block. Prints the share of
  blocks, and of the postings the query reads, in blocks whose bound reaches the k-th score:
  what a block-max scorer must still read; and the lowest block's bound over the k-th score.
- MaxScore: terms in order of resume weight x largest listing weight; the smallest ones whose
  bounds sum below the k-th score are "non-essential". Prints the share of postings in the
  essential terms, which are read in full (the others are then probed for their candidates).

With --distinct N (an index tiled by ``query1m.py`` from N listings), the k-th score is also
taken among the first N listings only, as if the copies' ties were absent.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESUMES = ROOT.parent / "shared" / "data" / "title_bench" / "queries_dev.jsonl"
BLOCKS = (128, 1024, 8192)
TOP_K = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--distinct", type=int, default=0)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from matcher import Matcher
    from matcher.search.kernels import cosine_scores
    from matcher.search.query import query_vector
    from matcher.search.topk import top_k

    matcher = Matcher.load(args.index, verify=False)
    index = matcher.index_
    n = len(index.listings)
    with RESUMES.open(encoding="utf-8") as handle:
        lines = zip(handle, range(args.queries), strict=False)
        texts = [json.loads(line)["text"] for line, _ in lines]
    kept: dict[tuple[str, int | str], list[tuple[float, float, float]]] = {}
    for text in texts:
        columns, values = query_vector(index, matcher._analyse([text])[0])
        scores = cosine_scores(index, columns, values)
        kths = {"k-th score": scores[top_k(scores, TOP_K)[-1]]}
        if args.distinct:
            kths["k-th distinct"] = scores[top_k(scores[: args.distinct], TOP_K)[-1]]
        lengths = np.diff(index.indptr)[columns]
        largest = np.zeros(len(columns))
        bounds = {size: np.zeros(-(-n // size)) for size in BLOCKS}
        counts = {size: np.zeros(-(-n // size)) for size in BLOCKS}
        for i, (column, value) in enumerate(zip(columns.tolist(), values.tolist(), strict=True)):
            start, end = index.indptr[column], index.indptr[column + 1]
            rows, weights = index.rows[start:end], index.weights[start:end]
            largest[i] = weights.max()
            for size in BLOCKS:
                block = rows // size
                firsts = np.flatnonzero(np.r_[True, block[1:] != block[:-1]])
                bounds[size][block[firsts]] += value * np.maximum.reduceat(weights, firsts)
                counts[size][block[firsts]] += np.diff(np.r_[firsts, len(block)])
        impact = values * largest
        order = np.argsort(impact)
        for name, kth in kths.items():
            for size in BLOCKS:
                reached = bounds[size] >= kth
                share = counts[size][reached].sum() / counts[size].sum()
                low = bounds[size].min() / kth
                kept.setdefault((name, size), []).append((reached.mean(), share, low))
            nonessential = order[np.cumsum(impact[order]) < kth]
            share = 1 - lengths[nonessential].sum() / lengths.sum()
            few = len(nonessential) / len(columns)
            kept.setdefault((name, "MaxScore"), []).append((few, share, np.nan))
    print(f"{len(texts)} resumes, {n:,} listings; medians (p10 in brackets)")
    for (name, size), figures in kept.items():
        a = np.array(figures)
        what = "non-essential terms" if size == "MaxScore" else f"blocks of {size} kept"
        print(
            f"  {name:13s} {size!s:>8}: {what} {np.median(a[:, 0]):.3f};"
            f" postings still read {np.median(a[:, 1]):.3f} ({np.percentile(a[:, 1], 10):.3f})"
            + ("" if size == "MaxScore" else f"; lowest bound / k-th {np.median(a[:, 2]):.2f}")
        )


if __name__ == "__main__":
    main()
