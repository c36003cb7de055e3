"""Start-up cost of ``matcher match RESUME --index DIR``, as a ratio to starting Python with numpy.

``python benchmarks/startup.py [--index DIR] [--runs N] [--compare OTHER_CHECKOUT]``

Each command runs N times in a fresh process, the commands taking turns so that a busy machine
slows them alike; the figure is each command's median wall time and its ratio to the median of
``python -c "import numpy"`` measured in the same run (issue 12's target: at most 1.5x).

Without ``--index`` the index is built once from the NHS postings
(``../shared/data/nhs_jobs/nhs_jobs_2020.jsonl``) into a temporary folder, which takes a minute
or two; pass ``--index`` to reuse one. ``--compare`` times the same commands, in the same run,
with another checkout's ``matcher`` package (e.g. main before a change).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NHS = ROOT.parent / "shared" / "data" / "nhs_jobs" / "nhs_jobs_2020.jsonl"
RESUME = ROOT / "fixtures" / "resumes" / "economist.txt"


def _commands(index: Path, checkouts: dict[str, Path]) -> dict[str, tuple[list[str], Path]]:
    """Return each timed command by label, with the folder whose ``matcher`` it imports."""
    python = sys.executable
    match = ["match", str(RESUME), "--index", str(index), "-f", "json"]
    commands = {"import numpy": ([python, "-c", "import numpy"], ROOT)}
    for name, root in checkouts.items():
        commands[f"{name}: match -f json"] = ([python, "-m", "matcher", *match], root)
        commands[f"{name}: match -f json --trust"] = (
            [python, "-m", "matcher", *match, "--trust"], root,
        )  # fmt: skip
        commands[f"{name}: match (table)"] = (
            [python, "-m", "matcher", *match[:-2], "--trust"], root,
        )  # fmt: skip
    return commands


def _time(command: list[str], root: Path) -> float:
    """Return the wall time of one run of ``command`` in seconds (it must succeed).

    Bytecode is written and read as an installed package's is (``pip install`` compiles it):
    with ``PYTHONDONTWRITEBYTECODE`` set, every run would compile matcher's sources again
    (~50 ms here), which no user pays.
    """
    env = {**os.environ, "PYTHONPATH": str(root), "COLUMNS": "120"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env, cwd=root)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="a saved index (default: built from NHS)")
    parser.add_argument("--runs", type=int, default=15, help="runs of each command (15)")
    parser.add_argument("--compare", type=Path, help="another checkout to time beside this one")
    args = parser.parse_args()
    checkouts = {"this": ROOT}
    if args.compare:
        checkouts["other"] = args.compare.resolve()
    with tempfile.TemporaryDirectory() as work:
        index = args.index
        if index is None:
            if not NHS.exists():
                sys.exit(f"no index given and {NHS} is absent: pass --index DIR")
            index = Path(work) / "nhs.index"
            print(f"Building an index of {NHS.name} (a minute or two)...", file=sys.stderr)
            subprocess.run(
                [sys.executable, "-m", "matcher", "index", "build", str(NHS), "-o", str(index),
                 "--quiet"], check=True, cwd=ROOT,
            )  # fmt: skip
        commands = _commands(index, checkouts)
        for command, root in commands.values():  # warm the file cache and .pyc files
            _time(command, root)
        times: dict[str, list[float]] = {label: [] for label in commands}
        for _ in range(args.runs):
            for label, (command, root) in commands.items():
                times[label].append(_time(command, root))
    base = statistics.median(times["import numpy"])
    print(f"{'command':<36} {'median ms':>10} {'x import numpy':>15}   ({args.runs} runs each)")
    for label, values in times.items():
        median = statistics.median(values)
        print(f"{label:<36} {median * 1000:>10.0f} {median / base:>15.2f}")


if __name__ == "__main__":
    main()
