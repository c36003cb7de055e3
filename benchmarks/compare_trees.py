"""Two checkouts of matcher side by side in one run: build, queries, CLI start-up, same answers.

``python benchmarks/compare_trees.py --before OTHER_CHECKOUT [--after .] [--size 20000]
[--rounds 2] [--queries 50] [--cli-runs 5] [--same-order] [--keep DIR]``

Written for issue 19 (a rearrangement of the package, no change in behaviour), whose "done
when" asks for benchmarks showing no slowdown beyond noise beside main before the move. It
measures two trees of matcher's code ("before", e.g. a checkout of main, and "after", this
checkout by default) on ONE corpus, through what both trees have: the public library
(``Matcher(listings)``, ``save``, ``Matcher.load``, ``match``, ``match_many``) and the command
line (``python -m matcher match RESUME --index DIR -f json``).

How:

- The corpus is written once: --size real-like listings (``speed.real_like``: the sentences of
  the NHS postings in ``../shared/data/nhs_jobs/nhs_jobs_2020.jsonl`` recombined, --seed) and
  the first --queries + 1 resumes of title_bench's dev queries (the extra one warms up).
- Each round runs, for each tree in turn, a fresh process that imports that tree's
  ``matcher`` (the tree first on ``PYTHONPATH``, checked by ``matcher.__file__``) and builds:
  ``load_listings`` of the corpus (timed apart, a row of its own), then ``Matcher(listings)``
  timed (wall seconds; CPU seconds of the process and its forked workers; peak RSS of the
  process, which includes the listings read, and of its largest worker), then ``save`` to
  that tree's folder. Then, for each tree, a second fresh process: ``Matcher.load``
  (verified, the default; median of 3), one warm-up query, --queries top-10 ``.match`` calls
  with explanations (p50 and p95 ms), and ``.match_many`` of the same resumes (seconds).
  Then the command line: --cli-runs turns of ``python -c "import numpy"`` and of each tree's
  ``matcher match RESUME --index DIR -f json`` on its own index, verified and ``--trust``
  (``startup._time``: fresh processes, bytecode kept), the commands taking turns; a round's
  figure is each command's median.
- The tree that goes first alternates from round to round (A B, B A, A B, ...; with
  --same-order A B, A B): in two runs with before always first, the second build of a round
  was the slower in 3 pairs of 4 whichever tree it was, so a fixed order charges one tree.
- Answers: the top-10 listing ids and scores of every query must be equal between the trees
  (exact float equality), and so must a digest of each match's explanation (parts, matched
  and missing skills, terms, coverage), ``match_many``'s answers beside ``match``'s, the CLI's
  JSON matches, and the saved index files (``meta.json`` without its creation time and the
  checksum over it). One line says so, or names the first differences.

How to read it: each row gives the before and after figures (medians over the rounds), their
ratio after/before (above 1: after is slower, or bigger), and the lowest and highest of the
per-round ratios (round r's after over round r's before): a ratio whose range straddles 1, or
a spread as wide as its distance from 1, is noise. Use an even number of rounds, so each tree
goes first as often. CLI rows also give each tree's median as a multiple of ``import numpy``
(issue 12's start-up target: at most 1.5x). The load average is printed at the start, at each
round and at the end; it counts this run's own processes (a build keeps both cores busy, so
~2 is this run alone). The machine this was written on has 2 cores shared with other work:
quote the ratios, never the seconds.

Time: at the default --size 20000 and 2 rounds about 2 minutes on 2 cores (each build process
~20 s: ``load_listings`` ~6 s, ``Matcher(listings)`` 13-20 s); at --size 100000 13 minutes
(each build process 2-4 minutes under a load average of 3-5, up to 1.9 GB resident; two saved
indexes of ~240 MB kept at a time). To rule
out anything else that favours one side, run it again with --before and --after swapped.
Work files go to a temporary folder, removed at the end unless --keep DIR.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# This file's folder is first on sys.path when run as a script: speed.py and startup.py are
# imported from it. Neither puts a tree on sys.path when imported, so a worker's ``matcher``
# is the one its PYTHONPATH names.
from speed import (
    DEFAULT_REAL,
    DEFAULT_RESUMES,
    cpu_seconds,
    latencies,
    peak_rss_mb,
    read_postings,
    real_like,
    timed,
)
from startup import _time

ROOT = Path(__file__).resolve().parent.parent
TOP_K = 10
TREES = ("before", "after")


# ----------------------------------------------------------------------------------------------
# Workers: each runs in a fresh process whose PYTHONPATH starts with one tree


def _import_matcher(tree: Path) -> Any:
    import matcher

    where = Path(matcher.__file__).resolve()
    if not where.is_relative_to(tree):
        raise SystemExit(f"wanted the matcher of {tree}, imported {where}")
    return matcher


def _answers(matches: list[Any]) -> tuple[list[list[Any]], str]:
    """Return a result's (listing id, score) rows and a digest of its explanations."""
    rows = [[m.listing.id, m.score] for m in matches]
    why = [(m.rank, m.parts, m.matched, m.missing, m.terms, m.coverage) for m in matches]
    return rows, hashlib.sha256(repr(why).encode()).hexdigest()[:16]


def _folder_digest(folder: Path) -> dict[str, str]:
    """Return each saved file's sha256 (``meta.json`` without its creation time and checksum).

    ``meta.json``'s checksum is the SHA-256 of the rest of it, creation time included, so it
    differs between any two saves; the files' own SHA-256s listed in it still count.
    """
    digests = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.name == "meta.json":
            meta = json.loads(data)
            meta.pop("created", None)
            meta.pop("checksum", None)
            data = json.dumps(meta, sort_keys=True).encode()
        digests[str(path.relative_to(folder))] = hashlib.sha256(data).hexdigest()[:16]
    return digests


def build_worker(tree: Path, work: Path) -> dict[str, Any]:
    matcher = _import_matcher(tree)
    listings, read_s = timed(matcher.load_listings, work / "listings.jsonl")
    rss_read = peak_rss_mb()
    before = cpu_seconds()
    built, build_s = timed(matcher.Matcher, listings, settings=matcher.Settings())
    cpu_s = cpu_seconds() - before
    values = {
        "matcher": matcher.__file__,
        "listings": len(listings),
        "read_s": read_s,
        "rss_after_read": rss_read,
        "build_s": build_s,
        "build_cpu_s": cpu_s,
        "build_rss": peak_rss_mb(),
        "build_worker_rss": peak_rss_mb(resource.RUSAGE_CHILDREN),
    }
    folder = work / f"index_{tree_name(work, tree)}"
    shutil.rmtree(folder, ignore_errors=True)
    _, values["save_s"] = timed(built.save, folder)
    values["files"] = _folder_digest(folder)
    return values


def query_worker(tree: Path, work: Path) -> dict[str, Any]:
    matcher = _import_matcher(tree)
    folder = work / f"index_{tree_name(work, tree)}"
    texts = json.loads((work / "resumes.json").read_text(encoding="utf-8"))
    loads = []
    for _ in range(3):
        loaded, seconds = timed(matcher.Matcher.load, folder)
        loads.append(seconds * 1000)
    got: list[list[Any]] = []
    timing = latencies(lambda text: got.append(loaded.match(text, top_k=TOP_K)), texts)
    single = [_answers(matches) for matches in got[1:]]  # got[0] is the warm-up (texts[-1])
    many, many_s = timed(loaded.match_many, texts[:-1], TOP_K)
    batch = [_answers(matches) for matches in many]
    return {
        "matcher": matcher.__file__,
        "load_ms": statistics.median(loads),
        "p50_ms": timing["p50"],
        "p95_ms": timing["p95"],
        "many_s": many_s,
        "rows": [rows for rows, _ in single],
        "why": [why for _, why in single],
        "many_equal": batch == single,
    }


def tree_name(work: Path, tree: Path) -> str:
    trees = json.loads((work / "trees.json").read_text(encoding="utf-8"))
    return next(name for name, path in trees.items() if Path(path) == tree)


WORKERS = {"build": build_worker, "query": query_worker}


# ----------------------------------------------------------------------------------------------
# The orchestrator


def progress(started: float, message: str) -> None:
    print(f"[{time.perf_counter() - started:7.1f}s] {message}", file=sys.stderr, flush=True)


def load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def run_worker(kind: str, tree: Path, work: Path) -> dict[str, Any]:
    """Run one worker in a fresh process with ``tree`` first on PYTHONPATH; return its values."""
    out = work / f"{kind}.json"
    out.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(tree)}
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", kind]
    command += ["--tree", str(tree), "--work", str(work), "--out", str(out)]
    process = subprocess.run(command, env=env, cwd=tree, capture_output=True, text=True)
    if process.returncode != 0 or not out.exists():
        tail = " | ".join(process.stderr.strip().splitlines()[-5:])
        sys.exit(f"compare_trees: {kind} worker of {tree} failed ({process.returncode}): {tail}")
    return json.loads(out.read_text(encoding="utf-8"))


def cli_commands(trees: dict[str, Path], work: Path) -> dict[str, tuple[list[str], Path]]:
    python = sys.executable
    commands = {"import numpy": ([python, "-c", "import numpy"], ROOT)}
    for name, tree in trees.items():
        match = [python, "-m", "matcher", "match", str(work / "resume.txt")]
        match += ["--index", str(work / f"index_{name}"), "-f", "json"]
        commands[f"{name} verified"] = (match, tree)
        commands[f"{name} trust"] = ([*match, "--trust"], tree)
    return commands


def cli_answers(command: list[str], tree: Path) -> list[list[Any]]:
    """Run ``command`` once (it also warms the page cache and bytecode); return its matches."""
    env = {**os.environ, "PYTHONPATH": str(tree), "COLUMNS": "120"}
    out = subprocess.run(command, env=env, cwd=tree, capture_output=True, text=True, check=True)
    return [[m["listing"]["id"], m["score"]] for m in json.loads(out.stdout)["matches"]]


def write_corpus(args: argparse.Namespace, work: Path) -> str:
    postings = read_postings(args.listings)
    listings = real_like(postings, args.size, args.seed)
    with (work / "listings.jsonl").open("w", encoding="utf-8") as handle:
        for i, (title, description) in enumerate(listings):
            row = {"id": f"L{i}", "title": title, "description": description}
            handle.write(json.dumps(row) + "\n")
    with args.resumes.open(encoding="utf-8") as lines:
        texts = [json.loads(line)["text"] for line in lines if line.strip()]
    if len(texts) < args.queries + 1:
        sys.exit(f"compare_trees: {args.resumes} has {len(texts)} resumes, --queries + 1 needed")
    texts = texts[: args.queries + 1]
    (work / "resumes.json").write_text(json.dumps(texts), encoding="utf-8")
    (work / "resume.txt").write_text(texts[0], encoding="utf-8")
    size = (work / "listings.jsonl").stat().st_size
    return (
        f"corpus: {args.size:,} real-like listings ({size / 2**20:,.0f} MB) recombined from "
        f"{len(postings):,} postings of {args.listings.name} (seed {args.seed}); {args.queries} "
        f"resumes + 1 warm-up from {args.resumes.name}"
    )


def compare_answers(rounds: list[dict[str, Any]], cli: dict[str, list[list[Any]]]) -> list[str]:
    """Return one line if both trees answered alike in every round, else the first differences."""
    problems = []
    ref_q = rounds[0]["before"]["query"]
    ref_b = rounds[0]["before"]["build"]
    for r, measured in enumerate(rounds, 1):
        for name in TREES:
            q, b = measured[name]["query"], measured[name]["build"]
            label = f"round {r}, {name}"
            if not q["many_equal"]:
                problems.append(f"{label}: match_many's answers differ from match's")
            for i, (rows, want) in enumerate(zip(q["rows"], ref_q["rows"], strict=True)):
                if rows != want:
                    at = next(
                        (k for k, (a, w) in enumerate(zip(rows, want, strict=False)) if a != w),
                        min(len(rows), len(want)),
                    )
                    got_row = rows[at] if at < len(rows) else "nothing"
                    want_row = want[at] if at < len(want) else "nothing"
                    problems.append(
                        f"{label}: query {i} rank {at + 1}: {got_row} where round 1 before "
                        f"gave {want_row}"
                    )
                    break
            else:
                if q["why"] != ref_q["why"]:
                    i = next(
                        i
                        for i, (a, w) in enumerate(zip(q["why"], ref_q["why"], strict=True))
                        if a != w
                    )
                    problems.append(f"{label}: query {i}: explanations differ")
            if b["files"] != ref_b["files"]:
                names = sorted(
                    f
                    for f in set(b["files"]) | set(ref_b["files"])
                    if b["files"].get(f) != ref_b["files"].get(f)
                )
                problems.append(f"{label}: saved index files differ: {', '.join(names[:6])}")
    if cli["before"] != cli["after"]:
        problems.append(f"CLI -f json matches differ: {cli['before'][:2]} vs {cli['after'][:2]}")
    if problems:
        return ["ANSWERS DIFFER:", *(f"  {p}" for p in problems[:10])]
    queries = len(ref_q["rows"])
    return [
        f"answers: the same. Top-{TOP_K} listing ids and scores (exact floats) of all {queries} "
        f"queries equal between the trees in every round, and so are the explanations' digests, "
        f"match_many beside match, the CLI's JSON matches and the saved index files "
        f"({len(ref_b['files'])} files; meta.json without its time and checksum)"
    ]


ROWS = (  # label, where the figure is, its key, format
    ("load_listings of the corpus, s", "build", "read_s", "{:.1f}"),
    ("index build, wall s", "build", "build_s", "{:.1f}"),
    ("index build, CPU s (process + workers)", "build", "build_cpu_s", "{:.1f}"),
    ("index build, peak RSS MB (process)", "build", "build_rss", "{:,.0f}"),
    ("index build, peak RSS MB (largest worker)", "build", "build_worker_rss", "{:,.0f}"),
    ("Matcher.load, verified, median ms", "query", "load_ms", "{:.1f}"),
    ("top-10 .match, p50 ms", "query", "p50_ms", "{:.1f}"),
    ("top-10 .match, p95 ms", "query", "p95_ms", "{:.1f}"),
    (".match_many of the queries, s", "query", "many_s", "{:.2f}"),
    ("CLI match --index -f json, median ms", "cli", "verified", "{:.0f}"),
    ("CLI match --index -f json --trust, ms", "cli", "trust", "{:.0f}"),
    ("  verified, x import numpy", "cli", "verified_x", "{:.2f}"),
    ("  --trust, x import numpy", "cli", "trust_x", "{:.2f}"),
)


def print_table(rounds: list[dict[str, Any]]) -> None:
    width = max(len(label) for label, *_ in ROWS) + 2
    head = f"{'':{width}}{'before':>10}{'after':>10}{'after/before':>14}{'min':>8}{'max':>8}"
    print(head)
    for label, part, key, form in ROWS:
        before = [m["before"][part][key] for m in rounds]
        after = [m["after"][part][key] for m in rounds]
        ratios = [a / b if b else float("nan") for a, b in zip(after, before, strict=True)]
        b, a = statistics.median(before), statistics.median(after)
        ratio = a / b if b else float("nan")
        shown = [f"{x:.3f}" if x == x else "n/a" for x in (ratio, min(ratios), max(ratios))]
        print(
            f"{label:{width}}{form.format(b):>10}{form.format(a):>10}{shown[0]:>14}"
            f"{shown[1]:>8}{shown[2]:>8}"
        )
    numpy_ms = [m["numpy_ms"] for m in rounds]
    shown = ", ".join(f"{x:.0f}" for x in numpy_ms)
    label = 'python -c "import numpy", median ms'
    print(f"{label:{width}}{shown}  (one per round)")


def tree_label(tree: Path) -> str:
    git = ["git", "-C", str(tree)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run([*git, "status", "--porcelain", "--", "matcher"], capture_output=True)
    state = " + uncommitted changes in matcher/" if dirty.stdout.strip() else ""
    return f"{tree} at {head.stdout.strip() or '?'}{state}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="the checkout to compare against")
    parser.add_argument("--after", type=Path, default=ROOT, help="default: this checkout")
    parser.add_argument("--size", type=int, default=20_000, help="listings (20000)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of both trees (2)")
    parser.add_argument("--queries", type=int, default=50, help="resumes timed (50)")
    parser.add_argument("--cli-runs", type=int, default=5, help="CLI runs per round (5)")
    parser.add_argument(
        "--same-order", action="store_true", help="before first in every round (A B A B)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--listings", type=Path, default=DEFAULT_REAL, help="NHS postings")
    parser.add_argument("--resumes", type=Path, default=DEFAULT_RESUMES, help="JSON Lines")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="keep the work files here")
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--tree", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        values = WORKERS[args.worker](args.tree, args.work)
        args.out.write_text(json.dumps(values), encoding="utf-8")
        return
    if args.before is None:
        parser.error("--before OTHER_CHECKOUT is required")
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    for tree in trees.values():
        if not (tree / "matcher" / "__init__.py").is_file():
            sys.exit(f"compare_trees: {tree} has no matcher package")
    if trees["before"] == trees["after"]:
        print("note: --before and --after are the same tree", file=sys.stderr)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        work = args.keep.resolve()
    else:
        work = Path(tempfile.mkdtemp(prefix="matcher-compare-"))
    (work / "trees.json").write_text(json.dumps({k: str(v) for k, v in trees.items()}))
    started = time.perf_counter()
    start_load = load_average()
    try:
        progress(started, f"writing {args.size:,} listings to {work}")
        corpus = write_corpus(args, work)
        rounds = measure(args, trees, work, started)
        cli = {name: cli_answers(cli_commands(trees, work)[f"{name} trust"][0], tree)
               for name, tree in trees.items()}  # fmt: skip
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(
        f"matcher, two trees side by side, {time.strftime('%Y-%m-%d %H:%M')}, python "
        f"{sys.version.split()[0]}, {os.cpu_count()} cpus"
    )
    for name, tree in trees.items():
        print(f"{name}: {tree_label(tree)}")
    print(corpus)
    order = "before first in each" if args.same_order else "the first tree alternating"
    print(
        f"{args.rounds} rounds ({order}), top {TOP_K}; "
        f"{rounds[0]['before']['build']['listings']:,} listings kept by load_listings"
    )
    print(f"load average at the start {start_load}")
    for r, measured in enumerate(rounds, 1):
        first = ", ".join(measured["order"])
        print(f"  round {r} ({first}): load average {measured['load']}")
    print()
    print_table(rounds)
    print()
    for line in compare_answers(rounds, cli):
        print(line)
    print(
        f"\ntotal {time.perf_counter() - started:,.0f} s; load average at the end {load_average()}"
    )


def measure(
    args: argparse.Namespace, trees: dict[str, Path], work: Path, started: float
) -> list[dict[str, Any]]:
    """Run the rounds; return each round's figures by tree, plus the round's load average."""
    rounds = []
    for r in range(1, args.rounds + 1):
        measured: dict[str, Any] = {name: {} for name in trees}
        measured["load"] = load_average()
        order = list(trees.items())
        if r % 2 == 0 and not args.same_order:
            order.reverse()  # A B, B A, A B, ...: neither tree always goes second
        measured["order"] = [name for name, _ in order]
        for name, tree in order:
            progress(started, f"round {r}: {name}: build (load {load_average()})")
            measured[name]["build"] = run_worker("build", tree, work)
            progress(started, f"  {measured[name]['build']['build_s']:.1f} s")
        for name, tree in order:
            progress(started, f"round {r}: {name}: load and queries")
            measured[name]["query"] = run_worker("query", tree, work)
        progress(started, f"round {r}: CLI, {args.cli_runs} runs of each command")
        commands = cli_commands(dict(order), work)
        for command, root in commands.values():  # warm the page cache and bytecode
            _time(command, root)
        times: dict[str, list[float]] = {label: [] for label in commands}
        for _ in range(args.cli_runs):
            for label, (command, root) in commands.items():
                times[label].append(_time(command, root) * 1000)
        numpy_ms = statistics.median(times["import numpy"])
        measured["numpy_ms"] = numpy_ms
        for name in trees:
            cli = {
                kind: statistics.median(times[f"{name} {kind}"]) for kind in ("verified", "trust")
            }
            cli["verified_x"] = cli["verified"] / numpy_ms
            cli["trust_x"] = cli["trust"] / numpy_ms
            measured[name]["cli"] = cli
        rounds.append(measured)
        (work / "rounds.json").write_text(json.dumps(rounds, indent=1), encoding="utf-8")
    return rounds


if __name__ == "__main__":
    main()
