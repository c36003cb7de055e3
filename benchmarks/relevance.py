"""Relevance of matcher's ranking on title_bench, side by side with TF-IDF and BM25 baselines.

Usage: python benchmarks/relevance.py [FOLDER] [--split dev] [--settings KEY=VALUE ...]
                                      [--no-baselines] [--resamples 2000] [--seed 0]

FOLDER (default ../shared/data/title_bench next to the repository) holds ``listings.jsonl``
(``{id, title, location, text}``) and ``queries_<split>.jsonl`` (``{id, category, title,
relevant: [listing ids], text}``); see ../shared/data/README.md. Every query's ``text`` (a resume)
is scored against every listing by:

- matcher, through its public API (``Matcher(listings, settings=...).scores(text)``), with
  ``Settings()`` unless ``--settings`` overrides fields, e.g. ``--settings sections=false``;
- scikit-learn ``TfidfVectorizer()`` defaults + cosine;
- the README's tuned ``TfidfVectorizer(sublinear_tf=True, stop_words="english",
  ngram_range=(1, 2))`` + cosine;
- bm25s (Lucene BM25, k1=1.5, b=0.75) with its English stop words and no stemming.

Listings are ranked by descending score, ties (and all-zero scores) in listing order. Per method it
prints MRR over the full ranking, Hit@1/5/10 and nDCG@10 with binary gains over ``relevant`` (the
ideal DCG has min(len(relevant), 10) ones), the seconds taken (index build plus scoring every
query), and then matcher minus each baseline for nDCG@10 and MRR with a paired bootstrap
confidence interval over queries.

The functions are meant for reuse when tuning, e.g.::

    listings, queries = load_benchmark(DEFAULT_FOLDER)
    scores = matcher_scores(listings, queries, settings=Settings(sections=False))
    metrics = rank_metrics(scores, queries, [row["id"] for row in listings])
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402

try:  # optional, for the BM25 baseline: pip install -e '.[bench]'
    import bm25s
except ModuleNotFoundError:
    bm25s = None

from matcher import Listing, Matcher, Settings, SkillVocabulary  # noqa: E402

DEFAULT_FOLDER = ROOT.parent / "shared" / "data" / "title_bench"
METRICS = ("MRR", "Hit@1", "Hit@5", "Hit@10", "nDCG@10")
DIFF_METRICS = ("nDCG@10", "MRR")
CONFIDENCE = 0.95

Record = dict[str, Any]
ScoreFunction = Callable[[Sequence[Record], Sequence[Record]], np.ndarray]


def read_jsonl(path: Path) -> list[Record]:
    """Return the JSON objects of a JSON Lines file, skipping blank lines."""
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def load_benchmark(folder: Path | str, split: str = "dev") -> tuple[list[Record], list[Record]]:
    """Return the listing records and the query records of a benchmark folder.

    Raises ``FileNotFoundError`` naming the missing file, and ``ValueError`` for duplicate listing
    ids or a query whose relevant ids are not all listings.
    """
    folder = Path(folder)
    paths = folder / "listings.jsonl", folder / f"queries_{split}.jsonl"
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(f"{path} not found")
    listings, queries = (read_jsonl(path) for path in paths)
    ids = [str(row["id"]) for row in listings]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{paths[0]}: listing ids are not unique")
    known = set(ids)
    for query in queries:
        unknown = [str(item) for item in query["relevant"] if str(item) not in known]
        if unknown:
            raise ValueError(f"{paths[1]}: query {query['id']} has unknown relevant ids {unknown}")
    return listings, queries


def as_read(
    listings: Sequence[Record], queries: Sequence[Record]
) -> tuple[list[Record], list[Record]]:
    """Return the records with their texts as matcher's readers would return them from files.

    Listings' descriptions go through markup conversion and normalisation (``load_listings``),
    resumes through normalisation (``read_resume`` of a ``.txt`` file).
    """
    from matcher.read import normalise
    from matcher.read.markup import markup_to_text

    return (
        [{**row, "text": normalise(markup_to_text(str(row["text"])))} for row in listings],
        [{**row, "text": normalise(str(row["text"]))} for row in queries],
    )


def to_listings(records: Sequence[Record]) -> list[Listing]:
    """Return matcher ``Listing`` objects for listing records (``text`` becomes the description)."""
    return [
        Listing(
            id=str(row["id"]),
            title=str(row.get("title") or ""),
            description=str(row["text"]),
            location=row.get("location"),
        )
        for row in records
    ]


def matcher_scores(
    listings: Sequence[Record],
    queries: Sequence[Record],
    settings: Settings | None = None,
    vocabulary: SkillVocabulary | None = None,
) -> np.ndarray:
    """Return matcher's cosine scores, one row per query and one column per listing."""
    matcher = Matcher(to_listings(listings), settings=settings or Settings(), vocabulary=vocabulary)
    return np.vstack([matcher.scores(str(query["text"])) for query in queries])


def tfidf_scores(
    listings: Sequence[Record], queries: Sequence[Record], **options: Any
) -> np.ndarray:
    """Return cosine scores of ``TfidfVectorizer(**options)`` vectors, queries by listings."""
    vectorizer = TfidfVectorizer(**options)
    matrix = vectorizer.fit_transform([str(row["text"]) for row in listings])
    query_matrix = vectorizer.transform([str(query["text"]) for query in queries])
    return np.asarray((query_matrix @ matrix.T).toarray())


def bm25_scores(listings: Sequence[Record], queries: Sequence[Record]) -> np.ndarray:
    """Return bm25s scores (English stop words, no stemming), queries by listings."""
    if bm25s is None:
        raise ModuleNotFoundError("No module named 'bm25s'", name="bm25s")
    corpus = bm25s.tokenize(
        [str(row["text"]) for row in listings], stopwords="en", show_progress=False
    )
    retriever = bm25s.BM25()
    retriever.index(corpus, show_progress=False)
    tokens = bm25s.tokenize(
        [str(query["text"]) for query in queries],
        stopwords="en",
        return_ids=False,
        show_progress=False,
    )
    scores = np.zeros((len(queries), len(listings)))
    for row, words in enumerate(tokens):
        if words:  # bm25s.get_scores rejects an empty query
            scores[row] = retriever.get_scores(list(words))
    return scores


def rank_metrics(
    scores: np.ndarray | Sequence[np.ndarray], queries: Sequence[Record], ids: Sequence[str]
) -> dict[str, np.ndarray]:
    """Return per-query MRR, Hit@1/5/10 and nDCG@10 arrays for a queries-by-listings score matrix.

    ``ids`` are the listing ids in column order. Listings are ranked by descending score with ties
    in listing order, so a query whose scores are all equal ranks the listings in their order.
    """
    matrix = np.asarray(scores, dtype=float)
    if matrix.shape != (len(queries), len(ids)):
        raise ValueError(f"scores have shape {matrix.shape}, expected {(len(queries), len(ids))}")
    column = {str(item): index for index, item in enumerate(ids)}
    discounts = 1.0 / np.log2(np.arange(2, 12))
    result = {name: np.zeros(len(queries)) for name in METRICS}
    for row, query in enumerate(queries):
        relevant = sorted({column[str(item)] for item in query["relevant"]})
        if not relevant:
            continue
        order = np.argsort(-matrix[row], kind="stable")
        position = np.empty(len(order), dtype=np.int64)
        position[order] = np.arange(len(order))
        ranks = np.sort(position[relevant]) + 1  # 1-based ranks of the relevant listings
        first = int(ranks[0])
        result["MRR"][row] = 1.0 / first
        for k in (1, 5, 10):
            result[f"Hit@{k}"][row] = float(first <= k)
        top = ranks[ranks <= 10]
        ideal = discounts[: min(len(relevant), 10)].sum()
        result["nDCG@10"][row] = discounts[top - 1].sum() / ideal
    return result


def bootstrap_diff(
    a: np.ndarray,
    b: np.ndarray,
    resamples: int = 2000,
    seed: int = 0,
    confidence: float = CONFIDENCE,
) -> tuple[float, float, float]:
    """Return mean(a - b) and its paired percentile bootstrap interval over resampled queries."""
    diff = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    rng = np.random.default_rng(seed)
    samples = rng.integers(0, len(diff), size=(resamples, len(diff)))
    means = diff[samples].mean(axis=1)
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(means, [tail, 1.0 - tail])
    return float(diff.mean()), float(low), float(high)


def parse_value(text: str, default: Any) -> Any:
    """Return ``text`` as the type of ``default``: bool (true/false/yes/no/1/0), int, float."""
    lowered = text.strip().lower()
    if isinstance(default, bool) or (default is None and lowered in ("true", "false")):
        if lowered in ("true", "yes", "on", "1"):
            return True
        if lowered in ("false", "no", "off", "0"):
            return False
        raise ValueError(f"expected true or false, got {text!r}")
    if isinstance(default, int):
        return int(text)
    if isinstance(default, float):
        return float(text)
    if default is None:
        for kind in (int, float):
            try:
                return kind(text)
            except ValueError:
                pass
    return text


def parse_settings(pairs: Sequence[str], base: Settings | None = None) -> Settings:
    """Return ``base`` (default ``Settings()``) with ``KEY=VALUE`` overrides applied."""
    settings = base or Settings()
    fields = {field.name for field in dataclasses.fields(Settings)}
    changes: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or key not in fields:
            raise ValueError(
                f"bad --settings {pair!r}: expected KEY=VALUE with KEY one of {sorted(fields)}"
            )
        try:
            changes[key] = parse_value(value, getattr(settings, key))
        except ValueError as error:
            raise ValueError(f"bad --settings {pair!r}: {error}") from None
    return dataclasses.replace(settings, **changes)


def describe(settings: Settings) -> str:
    """Return the fields of ``settings`` that differ from ``Settings()``, or "default settings"."""
    default = Settings()
    changed = [
        f"{field.name}={getattr(settings, field.name)}"
        for field in dataclasses.fields(Settings)
        if getattr(settings, field.name) != getattr(default, field.name)
    ]
    return ", ".join(changed) if changed else "default settings"


def timed(
    function: ScoreFunction, listings: Sequence[Record], queries: Sequence[Record]
) -> tuple[np.ndarray, float]:
    """Return ``function(listings, queries)`` and the seconds it took."""
    start = time.perf_counter()
    scores = function(listings, queries)
    return scores, time.perf_counter() - start


def methods(settings: Settings, baselines: bool) -> list[tuple[str, ScoreFunction]]:
    """Return (name, score function) for matcher and, if ``baselines``, the baselines."""
    chosen: list[tuple[str, ScoreFunction]] = [
        (f"matcher ({describe(settings)})", lambda ls, qs: matcher_scores(ls, qs, settings))
    ]
    if baselines:
        chosen += [
            ("TfidfVectorizer() defaults + cosine", tfidf_scores),
            (
                "TfidfVectorizer(sublinear_tf, English stop words, 1-2 grams) + cosine",
                lambda ls, qs: tfidf_scores(
                    ls, qs, sublinear_tf=True, stop_words="english", ngram_range=(1, 2)
                ),
            ),
            ("bm25s, English stop words", bm25_scores),
        ]
    return chosen


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark from the command line and print its tables; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--split", default="dev", help="queries file is queries_<split>.jsonl")
    parser.add_argument(
        "--settings",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a matcher.Settings field; repeatable",
    )
    parser.add_argument("--no-baselines", action="store_true", help="score matcher only")
    parser.add_argument("--resamples", type=int, default=2000, help="bootstrap resamples")
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    parser.add_argument(
        "--raw",
        action="store_true",
        help="rank the texts as stored, without the normalisation matcher's readers apply",
    )
    args = parser.parse_args(argv)

    try:
        settings = parse_settings(args.settings)
    except ValueError as error:
        parser.error(str(error))
    if not args.folder.is_dir():
        print(f"benchmarks/relevance.py: {args.folder} not found", file=sys.stderr)
        return 1
    try:
        listings, queries = load_benchmark(args.folder, args.split)
    except (FileNotFoundError, ValueError) as error:
        print(f"benchmarks/relevance.py: {error}", file=sys.stderr)
        return 1
    if not args.raw:
        listings, queries = as_read(listings, queries)
    ids = [str(row["id"]) for row in listings]

    results: list[tuple[str, dict[str, np.ndarray], float]] = []
    for name, function in methods(settings, not args.no_baselines):
        try:
            scores, seconds = timed(function, listings, queries)
        except ModuleNotFoundError as error:
            print(
                f"benchmarks/relevance.py: {error} "
                "(pip install -e '.[bench]', or pass --no-baselines)",
                file=sys.stderr,
            )
            return 1
        results.append((name, rank_metrics(scores, queries, ids), seconds))

    print(f"{args.folder} (split {args.split}): {len(listings)} listings, {len(queries)} queries")
    print()
    print("| method | " + " | ".join(METRICS) + " | seconds |")
    print("|---|" + "---:|" * (len(METRICS) + 1))
    for name, metrics, seconds in results:
        cells = " | ".join(f"{metrics[metric].mean():.3f}" for metric in METRICS)
        print(f"| {name} | {cells} | {seconds:.1f} |")

    first_name, first, _ = results[0]
    intervals = []
    for metric in DIFF_METRICS:
        mean, low, high = bootstrap_diff(
            first[metric], np.zeros_like(first[metric]), args.resamples, args.seed
        )
        intervals.append(f"{metric} {mean:.3f} [{low:.3f}, {high:.3f}]")
    print()
    print(f"{first_name}, {CONFIDENCE:.0%} bootstrap interval over queries:", "; ".join(intervals))

    if len(results) > 1:
        matcher_metrics = results[0][1]
        print()
        print(
            "matcher minus baseline, mean over queries "
            f"[{CONFIDENCE:.0%} paired bootstrap interval, {args.resamples} resamples, "
            f"seed {args.seed}]"
        )
        print()
        print("| baseline | " + " | ".join(f"Δ {metric}" for metric in DIFF_METRICS) + " |")
        print("|---|" + "---:|" * len(DIFF_METRICS))
        for name, metrics, _ in results[1:]:
            diffs = []
            for metric in DIFF_METRICS:
                mean, low, high = bootstrap_diff(
                    matcher_metrics[metric], metrics[metric], args.resamples, args.seed
                )
                diffs.append(f"{mean:+.3f} [{low:+.3f}, {high:+.3f}]")
            print(f"| {name} | " + " | ".join(diffs) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
