"""matcher on Dask: 1 vs 2 local workers, threads vs processes, beside one machine's match_many.

Usage: python benchmarks/distributed.py [--listings 100000] [--resumes 1000] [--shards 2]
                                        [--keep DIR] [--seed 0] [--top 10]

Listings are real-like (``benchmarks/speed.py --real-like``: the NHS postings' sentences
recombined, from ../shared/data/nhs_jobs/nhs_jobs_2020.jsonl); resumes are title_bench's dev
queries, cycled. The index is built once, sharded, on a local cluster of 2 worker processes
(``build_sharded``), and kept in --keep DIR (default: a folder in the system's temporary
folder) for the next run: building 100k listings takes minutes. Then, in one run, the same
--resumes resumes x the index:

- ``Matcher.load(DIR).match_many(texts)`` in this process (the one-machine reference);
- ``matcher.engines.dask.match_many`` on local clusters: 1 worker process (1 thread), 2 worker
  processes (1 thread each), 1 worker process of 2 threads, 2 workers as threads of this process.

Each cluster first runs one block, so that its workers have mapped the index and parsed the
vocabulary (a job's fixed cost, timed apart as "warm-up"); every run's matches are checked
equal to the reference's. The workers' CPU seconds are printed beside the wall-clock ones: on
a machine other work shares, they say what the job cost where seconds alone cannot. Needs the
'dask' extra. Figures: "Dask" in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Run as a script, this file's folder comes first on sys.path, where this file would shadow
# Dask's own ``distributed``; speed.py is loaded by its path instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
NHS = ROOT.parent / "shared" / "data" / "nhs_jobs" / "nhs_jobs_2020.jsonl"
QUERIES = ROOT.parent / "shared" / "data" / "title_bench" / "queries_dev.jsonl"


def corpus(listings: int, seed: int) -> list:
    """Return ``listings`` real-like Listing objects (speed.py's recombination)."""
    import importlib.util

    from matcher.models import Listing

    spec = importlib.util.spec_from_file_location("speed", HERE / "speed.py")
    assert spec is not None and spec.loader is not None
    speed = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(speed)
    made = speed.real_like(speed.read_postings(NHS), listings, seed)
    return [Listing(id=f"L{i}", title=title, description=text)
            for i, (title, text) in enumerate(made)]  # fmt: skip


def resumes(count: int) -> list[str]:
    with QUERIES.open(encoding="utf-8") as lines:
        texts = [json.loads(line)["text"] for line in lines if line.strip()]
    return [texts[i % len(texts)] for i in range(count)]


def build(folder: Path, listings: int, shards: int, seed: int) -> str:
    """Build the index into ``folder`` unless one of that size is there; say what was done."""
    meta = folder / "meta.json"
    if meta.is_file() and json.loads(meta.read_text())["listings"] == listings:
        return f"reused {folder}"
    from distributed import Client, LocalCluster

    from matcher.engines.dask import build_sharded
    from matcher.skills.taxonomy import load_vocabulary

    start = time.perf_counter()
    made = corpus(listings, seed)
    made_s = time.perf_counter() - start
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster, \
            Client(cluster) as client:  # fmt: skip
        start = time.perf_counter()
        build_sharded(made, folder, client, partitions=shards, vocabulary=load_vocabulary([]))
        built_s = time.perf_counter() - start
    return (f"built {folder}: corpus {made_s:.0f} s, sharded build on 2 worker processes "
            f"{built_s:.0f} s ({listings / built_s:,.0f} listings/s)")  # fmt: skip


def cpu_seconds() -> tuple[int, float]:
    """This process's id and CPU seconds so far (user + system): run on every worker."""
    import resource

    used = resource.getrusage(resource.RUSAGE_SELF)
    return os.getpid(), used.ru_utime + used.ru_stime


def workers_cpu(client) -> float:
    """CPU seconds of the workers' processes (threads of one process counted once)."""
    return sum(dict(client.run(cpu_seconds).values()).values())


def same(got: list, want: list) -> bool:
    return [[(m.listing.id, round(m.score, 12)) for m in ms] for ms in got] == [
        [(m.listing.id, round(m.score, 12)) for m in ms] for ms in want
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--resumes", type=int, default=1000)
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    if not NHS.is_file() or not QUERIES.is_file():
        sys.exit(f"needs {NHS} and {QUERIES}")
    from distributed import Client, LocalCluster

    from matcher import Matcher
    from matcher.engines.dask import match_many

    folder = args.keep or Path(tempfile.gettempdir()) / f"matcher-bench-dask-{args.listings}"
    print(build(folder, args.listings, args.shards, args.seed), flush=True)
    texts = resumes(args.resumes)
    print(f"{len(texts):,} resumes x {args.listings:,} listings in {args.shards} shards, "
          f"top {args.top}; {os.cpu_count()} cores", flush=True)  # fmt: skip

    matcher = Matcher.load(folder)
    start, cpu = time.perf_counter(), cpu_seconds()[1]
    want = matcher.match_many(texts, top_k=args.top)
    reference = time.perf_counter() - start
    # Its analysis runs on forked processes, whose CPU time this process does not see.
    rows = [("one machine: Matcher.match_many (this process)", reference, 0.0, True,
             cpu_seconds()[1] - cpu)]  # fmt: skip
    setups: list[tuple[str, dict]] = [
        ("Dask: 1 worker process, 1 thread", {"n_workers": 1, "threads_per_worker": 1}),
        ("Dask: 2 worker processes, 1 thread each", {"n_workers": 2, "threads_per_worker": 1}),
        ("Dask: 1 worker process, 2 threads", {"n_workers": 1, "threads_per_worker": 2}),
        ("Dask: 2 workers as threads of this process",
         {"n_workers": 2, "threads_per_worker": 1, "processes": False}),
    ]  # fmt: skip
    for name, options in setups:
        with LocalCluster(dashboard_address=":0", **options) as cluster, \
                Client(cluster) as client:  # fmt: skip
            client.wait_for_workers(options["n_workers"])
            start = time.perf_counter()
            # Every worker maps the index and parses the vocabulary once: one task per shard
            # and worker is enough to do it, its cost the job's fixed cost.
            list(match_many(folder, texts[: 2 * options["n_workers"]], client, args.top,
                            block=1, trust=True))  # fmt: skip
            warm = time.perf_counter() - start
            start, cpu = time.perf_counter(), workers_cpu(client)
            got = list(match_many(folder, texts, client, args.top, trust=True))
            took = time.perf_counter() - start
            cpu = workers_cpu(client) - cpu
        rows.append((name, took, warm, same(got, want), cpu))
        print(f"  {name}: {took:.1f} s", flush=True)
    one = rows[1][1]
    print()
    print(f"load average (1, 5, 15 min) at the end: {os.getloadavg()}")
    print("| run | seconds | resumes/s | vs 1 worker | warm-up s | workers' CPU s | "
          "same matches |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, took, warm, equal, cpu in rows:
        print(f"| {name} | {took:.1f} | {len(texts) / took:,.0f} | {one / took:.2f}x | "
              f"{warm:.1f} | {cpu:.1f} | {'yes' if equal else 'NO'} |")  # fmt: skip


if __name__ == "__main__":
    main()
