"""Peak memory of reading listings files, per MB of input: does it grow with the file?

``python benchmarks/listings_memory.py [--compare OTHER_CHECKOUT]``

Files are made from the NHS postings (``../shared/data/nhs_jobs/nhs_jobs_2020.jsonl``; a
synthetic set when absent): JSON Lines and CSV slices of a quarter, half and all of it, and a
"repeated" file of the first 1,000 postings written over and over to the full size, whose
listings kept stay 1,000 however large it grows. Each file is read by ``load_listings`` in a
fresh process; the figure is that process's peak resident memory (``ru_maxrss``) minus its
resident memory after importing matcher, divided by the file's MB. ``--compare`` runs the same
files, in the same run, with another checkout's ``matcher`` package (e.g. main before a change).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NHS = ROOT.parent / "shared" / "data" / "nhs_jobs" / "nhs_jobs_2020.jsonl"
FIELDS = ("id", "title", "description", "hiring_org", "locality")

CHILD = """
import json, resource, sys
def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20
from matcher import load_listings
base = rss_mb()
listings = load_listings(sys.argv[1])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
kept = sum(len(x.description) for x in listings) / 2**20
print(json.dumps({"growth": peak - base, "listings": len(listings), "kept": kept}))
"""


def records() -> list[dict[str, str]]:
    if NHS.is_file():
        with NHS.open(encoding="utf-8") as file:
            rows = [json.loads(line) for line in file if line.strip()]
        return [{k: str(r.get(k) or "") for k in FIELDS} for r in rows]
    print(f"({NHS} absent: synthetic postings)")
    text = "Python developer with SQL and Kubernetes experience, in a friendly team. " * 30
    return [{"id": str(i), "title": f"Job {i}", "description": f"{i} {text}", "hiring_org": "A",
             "locality": "Leeds"} for i in range(15_000)]  # fmt: skip


def write(path: Path, rows: list[dict[str, str]], size: int | None = None) -> None:
    """Write ``rows`` as JSON Lines or CSV (by suffix), repeated until ``size`` bytes."""
    with path.open("w", encoding="utf-8", newline="") as file:
        if path.suffix == ".csv":
            writer = csv.DictWriter(file, FIELDS)
            writer.writeheader()
            emit = writer.writerow
        else:

            def emit(row: dict[str, str]) -> None:
                file.write(json.dumps(row) + "\n")

        while True:
            for row in rows:
                emit(row)
            if size is None or file.tell() >= size:
                return


def measure(checkout: Path, path: Path) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(checkout), "MATCHER_MAX_INPUT_MB": "64"}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=checkout,
        check=True,
    )
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compare", type=Path, help="another checkout to measure beside this")
    args = parser.parse_args()
    checkouts = [("this", ROOT)] + ([("compare", args.compare.resolve())] if args.compare else [])
    rows = records()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        files = []
        for suffix in (".jsonl", ".csv"):
            for share in (4, 2, 1):
                path = folder / f"nhs_1of{share}{suffix}"
                write(path, rows[: len(rows) // share])
                files.append(path)
            full = files[-1].stat().st_size
            path = folder / f"repeated{suffix}"
            write(path, rows[:1000], size=full)
            files.append(path)
        header = "| file | MB | listings kept | MB of text kept |"
        header += "".join(
            f" {name}: peak MB | {name}: MB per MB of input |" for name, _ in checkouts
        )
        print(header)
        print("|---" * (4 + 2 * len(checkouts)) + "|")
        for path in files:
            size = path.stat().st_size / 2**20
            line = ""
            first: dict[str, float] = {}
            for _, checkout in checkouts:
                got = measure(checkout, path)
                first = first or got
                line += f" {got['growth']:.0f} | {got['growth'] / size:.2f} |"
            print(
                f"| {path.name} | {size:.1f} | {first['listings']:,} | {first['kept']:.1f} |{line}"
            )


if __name__ == "__main__":
    main()
