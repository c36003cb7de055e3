"""Top-10 query latency at 1M listings: matcher (numpy, numba) beside bm25s and tantivy, one run.

Usage: python benchmarks/query1m.py [--workdir DIR] [--copies 69] [--queries 50] [--rounds 1]
                                    [--compare CHECKOUT] [--only matcher,numba,bm25s,tantivy]

The corpus is the NHS postings (``../shared/data/nhs_jobs``, 14,517 after duplicates are
collapsed) tiled --copies times (69: 1,001,673 listings). matcher's index is built once on the
postings, then its arrays are tiled (each copy's rows shifted by the postings' count, idf
recomputed for the tiled document frequencies) and saved; bm25s tokenises the postings once and
indexes the token lists tiled; tantivy indexes the texts tiled. Everything is kept in --workdir
(default /tmp/matcher-query1m) and reused by later runs: building takes minutes, the queries
seconds. Tiling keeps each term's posting length x copies, so the work per query is that of a
1M index with NHS-like document frequencies, but every score is tied with its copies' (a
ties-heavy case for ``top_k``).

With --compare CHECKOUT, another checkout's matcher (say, main's) is timed on the same index
beside this one's. Each engine runs in a process of its own, one after another, over the same
--queries resumes from title_bench (after one warm-up), and prints p50 and p95 ms. For matcher
it also splits a query into resume analysis, query vector, scores, top-k and explanations, and
times ``match`` and ``.scores`` with ``MATCHER_KERNEL=numba``. Figures are from one run on one
machine: compare the ratios, not the milliseconds.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from speed import latencies  # this folder is on the path when run as a script

HERE = Path(__file__).resolve().parent.parent
DATA = HERE.parent / "shared" / "data"
# The checkout whose matcher is timed: this one, or --compare's (passed to the workers).
ROOT = Path(os.environ.get("QUERY1M_ROOT", HERE))
POSTINGS = DATA / "nhs_jobs" / "nhs_jobs_2020.jsonl"
RESUMES = DATA / "title_bench" / "queries_dev.jsonl"
TOP_K = 10


def resumes(count: int) -> list[str]:
    """Return ``count`` resume texts and one more, the warm-up."""
    with RESUMES.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return [row["text"] for row in rows[: count + 1]]


def postings() -> list[tuple[str, str]]:
    """Return the NHS postings as matcher reads them (duplicates collapsed): (title, text)."""
    sys.path.insert(0, str(ROOT))
    from matcher import load_listings

    return [(item.title, item.description) for item in load_listings(POSTINGS)]


# ----------------------------------------------------------------------------------------------
# matcher


def tile_index(index: Any, copies: int) -> Any:
    """Return ``index`` with its listings repeated ``copies`` times (ids suffixed ``~k``)."""
    from dataclasses import replace

    from matcher.weigh import smoothed_idf

    n = len(index.listings)
    lengths = np.diff(index.indptr)
    term_of = np.repeat(np.arange(len(lengths)), lengths)
    within = np.arange(index.nnz) - index.indptr[term_of]
    indptr = index.indptr * copies
    rows = np.empty(index.nnz * copies, dtype=np.int32)
    weights = np.empty(index.nnz * copies, dtype=np.float32)
    for k in range(copies):  # each term's postings: copy 0's rows, then copy 1's, ...
        at = indptr[term_of] + k * lengths[term_of] + within
        rows[at] = index.rows + k * n
        weights[at] = index.weights
    asked = np.diff(index.asked_indptr)
    asked_indptr = np.zeros(n * copies + 1, dtype=np.int64)
    asked_indptr[1:] = np.cumsum(np.tile(asked, copies))
    listings = tuple(
        replace(item, id=f"{item.id}~{k}") for k in range(copies) for item in index.listings
    )
    per_listing = {name: np.tile(values, copies) for name, values in index.facts().items()}
    return replace(
        index,
        listings=listings,
        idf=smoothed_idf(n * copies, lengths * copies),
        indptr=indptr,
        rows=rows,
        weights=weights,
        asked_indptr=asked_indptr,
        asked_columns=np.tile(index.asked_columns, copies),
        asked_required=np.tile(index.asked_required, copies),
        **per_listing,
    )


def matcher_prepare(workdir: Path, copies: int) -> Path:
    """Return the folder of the tiled matcher index, building and saving it when absent."""
    sys.path.insert(0, str(ROOT))
    from matcher import Listing, Matcher
    from matcher.index.store import save_index

    tiled = workdir / f"matcher_x{copies}"
    if tiled.exists():
        return tiled
    base = workdir / "matcher_nhs"
    if not base.exists():
        items = [
            Listing(id=str(i), title=title, description=text)
            for i, (title, text) in enumerate(postings())
        ]
        start = time.perf_counter()
        Matcher(items).save(base)
        print(f"matcher: NHS index built in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    loaded = Matcher.load(base)
    index = tile_index(loaded.index_, copies)
    save_index(index, loaded.settings, loaded._analyzer.vocabulary, tiled)
    return tiled


def matcher_worker(workdir: Path, copies: int, queries: int) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from matcher import Matcher
    from matcher.search.explain import explain_all
    from matcher.search.kernels import cosine_scores
    from matcher.search.query import query_vector
    from matcher.search.topk import top_k

    folder = matcher_prepare(workdir, copies)
    matcher = Matcher.load(folder, verify=False)
    index = matcher.index_
    texts = resumes(queries)
    out: dict[str, Any] = {"listings": len(index.listings), "nnz": index.nnz}
    assert Path(sys.modules["matcher"].__file__ or "").is_relative_to(ROOT), "wrong checkout"
    kernel = os.environ.get("MATCHER_KERNEL", "numpy")
    if ROOT != HERE:
        kernel += f" ({ROOT.name})"
    out[f"match {kernel}"] = latencies(lambda t: matcher.match(t, top_k=TOP_K), texts)
    out[f"scores {kernel}"] = latencies(lambda t: top_k(matcher.scores(t), TOP_K), texts)
    # Where a query goes: the same steps as Matcher._rank, timed one by one.
    steps: dict[str, list[float]] = {}

    def lap(name: str, start: float) -> float:
        now = time.perf_counter()
        steps.setdefault(name, []).append((now - start) * 1000)
        return now

    for text in texts[:-1]:
        start = time.perf_counter()
        terms = matcher._analyse([text])[0]
        start = lap("analyse", start)
        columns, values = query_vector(index, terms)
        start = lap("query vector", start)
        scores = cosine_scores(index, columns, values)
        start = lap("scores", start)
        rows = top_k(scores, TOP_K)
        start = lap("top-k", start)
        explain_all(index, rows, columns, values, matcher.kind_of)
        lap("explanations", start)
        steps.setdefault("query terms", []).append(len(columns))
        touched = np.diff(index.indptr)[columns].sum()
        steps.setdefault("postings touched", []).append(float(touched))
    out[f"steps {kernel}"] = {name: float(np.median(v)) for name, v in steps.items()}
    return out


# ----------------------------------------------------------------------------------------------
# bm25s and tantivy


def bm25s_worker(workdir: Path, copies: int, queries: int) -> dict[str, Any]:
    import bm25s

    folder = workdir / f"bm25s_x{copies}"
    if not folder.exists():
        texts = [f"{title}\n{text}" for title, text in postings()]
        tokens = bm25s.tokenize(texts, stopwords="en", show_progress=False)
        tiled = bm25s.tokenization.Tokenized(ids=tokens.ids * copies, vocab=tokens.vocab)
        retriever = bm25s.BM25(backend="numba")
        start = time.perf_counter()
        retriever.index(tiled, show_progress=False)
        print(f"bm25s: indexed in {time.perf_counter() - start:.0f} s", file=sys.stderr)
        retriever.save(str(folder))
    retriever = bm25s.BM25.load(str(folder), mmap=False)
    retriever.backend = "numba"

    def query(text: str) -> Any:
        words = bm25s.tokenize(text, stopwords="en", return_ids=False, show_progress=False)
        return retriever.retrieve(
            words, k=TOP_K, show_progress=False, backend_selection="numba", n_threads=1
        )

    return {"bm25s numba": latencies(query, resumes(queries))}


_WORD = re.compile(r"[^\W_]+")


def tantivy_worker(workdir: Path, copies: int, queries: int) -> dict[str, Any]:
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("body", stored=False, index_option="freq")
    schema = builder.build()
    folder = workdir / f"tantivy_x{copies}"
    fresh = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(schema, path=str(folder))
    if fresh:
        texts = [f"{title}\n{text}" for title, text in postings()]
        writer = index.writer(heap_size=1_000_000_000, num_threads=2)
        start = time.perf_counter()
        for _ in range(copies):
            for text in texts:
                writer.add_document(tantivy.Document(body=text))
        writer.commit()
        writer.wait_merging_threads()
        print(f"tantivy: indexed in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    index.reload()
    searcher = index.searcher()

    def query(text: str) -> Any:
        # The resume's distinct words OR-ed (BM25), split and lowercased as tantivy's default
        # tokenizer does; count=False lets tantivy prune (block-max WAND).
        words = dict.fromkeys(w.lower() for w in _WORD.findall(text) if len(w) <= 40)
        should = tantivy.Occur.Should
        terms = [(should, tantivy.Query.term_query(schema, "body", w, "freq")) for w in words]
        return searcher.search(tantivy.Query.boolean_query(terms), TOP_K, count=False).hits

    return {"tantivy": latencies(query, resumes(queries))}


WORKERS = {"matcher": matcher_worker, "bm25s": bm25s_worker, "tantivy": tantivy_worker}


def run(kind: str, args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    command = [sys.executable, __file__, "--worker", kind, "--workdir", str(args.workdir)]
    command += ["--copies", str(args.copies), "--queries", str(args.queries)]
    done = subprocess.run(command, env={**os.environ, **env}, stdout=subprocess.PIPE, text=True)
    if done.returncode:
        print(f"{kind}: failed (exit {done.returncode})", file=sys.stderr)
        return {}
    return dict(json.loads(done.stdout))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/matcher-query1m"))
    parser.add_argument("--copies", type=int, default=69)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--only", default="matcher,numba,bm25s,tantivy")
    parser.add_argument("--rounds", type=int, default=1, help="run every engine this many times")
    parser.add_argument(
        "--compare", type=Path, metavar="CHECKOUT", help="also time this checkout's matcher"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.worker:
        print(json.dumps(WORKERS[args.worker](args.workdir, args.copies, args.queries)))
        return
    results: dict[str, Any] = {}
    for round_ in range(1, args.rounds + 1):
        label = f" r{round_}" if args.rounds > 1 else ""
        for name in args.only.split(","):
            kind, env = ("matcher", {"MATCHER_KERNEL": "numba"}) if name == "numba" else (name, {})
            envs = [env]
            if kind == "matcher" and args.compare:
                envs.append({**env, "QUERY1M_ROOT": str(args.compare.resolve())})
            for one in envs:
                results.update({k + label: v for k, v in run(kind, args, one).items()})
    print(json.dumps(results, indent=1))
    print(f"\n{args.queries} resumes, top {TOP_K}; p50 / p95 ms")
    for name, value in results.items():
        if isinstance(value, dict) and "p50" in value:
            print(f"  {name:<16} {value['p50']:8.1f} {value['p95']:8.1f}")
    for name, value in results.items():
        if name.startswith("steps"):
            print(f"  {name} (medians): " + ", ".join(f"{k} {v:.1f}" for k, v in value.items()))


if __name__ == "__main__":
    main()
