"""Time and peak memory of reading hostile inputs, beside another checkout in the same run.

``python benchmarks/hostile_inputs.py [--compare OTHER_CHECKOUT]``

Each input (made by ``tests/hostile.py``) is read by ``read_resume`` or ``load_listings`` in a
fresh process whose address space is capped (``--memory-gb``, default 3) and which is killed
after ``--timeout`` seconds (default 60), so a checkout without bounds shows "killed" rather than
taking the machine. Prints wall seconds, peak resident MB above the process's start (its own or
a forked child's, whichever is larger), and how the read ended (the error's class, "ok",
"killed" or "out of memory").
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import hostile  # noqa: E402

CHILD = """
import json, resource, sys
cap = int(sys.argv[3]) * 2**30
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20
import matcher
from matcher import load_listings, read_resume
base = rss_mb()
try:
    (read_resume if sys.argv[2] == "resume" else load_listings)(sys.argv[1])
    end = "ok"
except MemoryError:
    end = "out of memory"
except Exception as exc:
    end = type(exc).__name__
# A forked reader (matcher's PDF child) starts as large as this process: its peak counts too.
peak = max(resource.getrusage(who).ru_maxrss for who in
           (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024
print(json.dumps({"end": end, "peak": peak - base}))
"""


def inputs(folder: Path) -> list[tuple[str, Path, str]]:
    made: list[tuple[str, Path, str]] = []

    def add(label: str, name: str, data: bytes, kind: str) -> None:
        path = folder / name
        path.write_bytes(data)
        made.append((label, path, kind))

    add(
        "DOCX zip bomb (document.xml 2 GB unzipped)",
        "bomb.docx",
        hostile.zip_bomb_docx(2048),
        "resume",
    )
    add("DOCX entity bomb (10^10 laughs)", "laughs.docx", hostile.billion_laughs_docx(10), "resume")
    huge = folder / "huge.txt"
    with huge.open("wb") as file:  # 200 MB of resume-like text
        line = (
            b"Python developer with SQL, Django and Kubernetes; led a team of five. " * 10 + b"\n"
        )
        for _ in range(200 * 2**20 // len(line)):
            file.write(line)
    made.append(("200 MB text resume", huge, "resume"))
    add(
        "PDF with 20,000 page references", "refs.pdf", hostile.page_references_pdf(20_000), "resume"
    )
    add("PDF of 1,000 pages", "pages.pdf", hostile.many_pages_pdf(1000), "resume")
    add("JSON listings nested 100,000 deep", "deep.json", hostile.deep_json(100_000), "listings")
    return made


def measure(checkout: Path, path: Path, kind: str, memory_gb: int, timeout: float) -> str:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    start = time.perf_counter()
    try:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(path), kind, str(memory_gb)],
            capture_output=True,
            text=True,
            env=env,
            cwd=checkout,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"killed after {timeout:.0f} s"
    seconds = time.perf_counter() - start
    try:
        got = json.loads(out.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return f"died ({seconds:.1f} s)"
    return f"{got['end']}, {seconds:.1f} s, {got['peak']:.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compare", type=Path, help="another checkout to measure beside this")
    parser.add_argument("--memory-gb", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    checkouts = [("this", ROOT)] + ([("compare", args.compare.resolve())] if args.compare else [])
    print("| input |" + "".join(f" {name} |" for name, _ in checkouts))
    print("|---" * (1 + len(checkouts)) + "|")
    with tempfile.TemporaryDirectory() as scratch:
        for label, path, kind in inputs(Path(scratch)):
            cells = [measure(c, path, kind, args.memory_gb, args.timeout) for _, c in checkouts]
            print(f"| {label} |" + "".join(f" {cell} |" for cell in cells), flush=True)


if __name__ == "__main__":
    main()
