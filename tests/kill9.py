"""Real processes against saved indexes: ``kill -9`` at random moments, and readers racing writers.

``kills``: run ``matcher index build`` / ``index add`` (with forked workers, even on the small
fixture listings) and ``kill -9`` it at a random moment, many times over. After every kill the
index must load fully verified holding one of the expected listing sets, no worker may be
left running, and nothing may have printed a traceback; after the last, one more build must
leave nothing beside the index but its lock file.

``race``: two writer processes rebuild the same index over and over (two listing sets, each
with its own vocabulary) while this process loads and queries it; every load must give the
scores of one of the two sets, exactly, and every write must succeed or fail with one line.

    python -m tests.kill9 --kills 300          # the figures quoted in the notes
    python -m tests.kill9 --race 60            # seconds of racing
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
LISTINGS = ROOT / "fixtures" / "listings"
PAGES = sorted(LISTINGS.glob("*.txt"))  # 10 listings, then 9 more (one is in both)
RESUME = ROOT / "fixtures" / "resumes" / "ml_scientist.txt"
TINY_VOCABULARY = "name,kind,category,aliases,ambiguous,context\npython,tool,lang,Python,,\n"

# Forked workers for any number of listings, five listings a task, each task slowed down as a
# large build's are: every build has workers, alive for most of it, as a kill finds them;
# writing the arrays is slowed as well.
PRELUDE = """
import sys, time
import matcher.engines.local as local
local.PARALLEL_MIN, local.CHUNK = 0, 5
weigh, count = local.weigh, local.count_triples
def slow_weigh(*args):  # the build's steps, as the engine calls them in its workers
    time.sleep(0.4)
    return weigh(*args)
def slow_count(*args):
    time.sleep(0.4)
    return count(*args)
local.weigh, local.count_triples = slow_weigh, slow_count
import numpy as np  # writing slowed too, so that kills land in it as often as in the build
save = np.save
def slow_save(*args, **kwargs):
    time.sleep(0.05)
    return save(*args, **kwargs)
np.save = slow_save
from matcher.cli import main
sys.argv = ["matcher", *sys.argv[1:]]
main()
"""


def matcher_command(*args: str) -> list[str]:
    return [sys.executable, "-c", PRELUDE, *args]


@dataclass
class KillReport:
    kills: int = 0
    whole: int = 0  # the index loaded, verified, with an expected listing set
    broken: list[str] = field(default_factory=list)
    orphans: int = 0  # kills after which a worker outlived its parent
    tracebacks: int = 0
    debris_seen: int = 0  # temporary folders left by a kill (swept by the next write)
    left_at_end: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"{self.kills} kill -9s: index whole after {self.whole}, broken {len(self.broken)}, "
            f"orphaned workers after {self.orphans}, tracebacks {self.tracebacks}; "
            f"{self.debris_seen} temporary folders left by kills, "
            f"{len(self.left_at_end)} left after the next build"
        )


def _alive(group: int) -> list[int]:
    """The processes of ``group`` still running (zombies, dead but not yet reaped, are not)."""
    proc = Path("/proc")
    if not proc.is_dir():  # not Linux: ask the kernel whether any member is left at all
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return []
        return [group]
    alive = []
    for entry in proc.iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == group and fields[0] not in ("Z", "X"):
                alive.append(int(entry.name))
    return alive


def _gone(group: int, wait: float) -> bool:
    """Whether every process of ``group`` has ended within ``wait`` seconds."""
    deadline = time.monotonic() + wait
    while _alive(group):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _expected_counts() -> set[int]:
    from matcher import load_listings

    return {len(load_listings([PAGES[0]])), len(load_listings(PAGES))}


def kills(n: int, workdir: Path, seed: int = 0) -> KillReport:
    """Kill ``n`` builds and adds at random moments; see the module's doc."""
    from matcher import Matcher
    from matcher.errors import MatcherError

    rng = random.Random(seed)
    folder = workdir / "jobs.index"
    expected = _expected_counts()
    subprocess.run(matcher_command("index", "build", str(PAGES[0]), "-o", str(folder), "-q"),
                   check=True, capture_output=True)  # fmt: skip
    started = time.monotonic()
    subprocess.run(matcher_command("index", "build", *map(str, PAGES), "-o", str(folder), "-q"),
                   check=True, capture_output=True)  # fmt: skip
    duration = time.monotonic() - started
    report = KillReport()
    for _ in range(n):
        operation = rng.choice(["build-a", "build-b", "add"])
        if operation == "build-a":
            args = ["index", "build", str(PAGES[0]), "-o", str(folder), "-q"]
        elif operation == "build-b":
            args = ["index", "build", *map(str, PAGES), "-o", str(folder), "-q"]
        else:
            args = ["index", "add", str(folder), str(PAGES[1]), "-q"]
        errors = workdir / "stderr.txt"
        with errors.open("wb") as stderr:
            process = subprocess.Popen(
                matcher_command(*args), stdout=subprocess.DEVNULL, stderr=stderr,
                start_new_session=True,
            )  # fmt: skip
            time.sleep(rng.uniform(0.0, duration * 1.1))
            process.send_signal(signal.SIGKILL)
            process.wait()
            if not _gone(process.pid, wait=0.1):  # the kernel kills workers at once
                report.orphans += 1
                for pid in _alive(process.pid):
                    os.kill(pid, signal.SIGKILL)
            _gone(process.pid, wait=3.0)
        report.kills += 1
        if b"Traceback" in errors.read_bytes():
            report.tracebacks += 1
        report.debris_seen += sum(1 for p in workdir.iterdir() if p.name.endswith(".tmp"))
        try:
            loaded = Matcher.load(folder, verify=True)
            count = len(loaded.listings)
            if count in expected:
                report.whole += 1
            else:
                report.broken.append(f"{count} listings")
        except MatcherError as exc:
            report.broken.append(str(exc))
        if len(report.broken) == 0 and rng.random() < 0.1:
            # Now and then a finished write in between, which sweeps what kills left.
            subprocess.run(matcher_command(*args), capture_output=True)
    subprocess.run(matcher_command("index", "build", str(PAGES[0]), "-o", str(folder), "-q"),
                   check=True, capture_output=True)  # fmt: skip
    report.left_at_end = sorted(
        p.name
        for p in workdir.iterdir()
        if p.name not in (folder.name, ".jobs.index.lock", "stderr.txt")  # fmt: skip
    )
    return report


@dataclass
class RaceReport:
    loads: int = 0
    wrong: list[str] = field(default_factory=list)
    writes: int = 0
    refused: int = 0  # writes that failed with one line (another write replaced the index)
    bad_writes: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"{self.loads} loads and queries while {self.writes} writes ran: "
            f"{len(self.wrong)} wrong, {len(self.bad_writes)} writes failed badly, "
            f"{self.refused} refused with one line"
        )


WRITER = """
import json, subprocess, sys
command, rounds = sys.argv[1:-1], int(sys.argv[-1])
a, b, tiny, folder = command
for i in range(rounds):
    if i % 2:
        args = ["index", "build", a, "-o", folder, "-q"]
    else:
        args = ["index", "build", b, "-o", folder, "-q", "-V", tiny]
    done = subprocess.run([sys.executable, "-m", "matcher", *args], capture_output=True, text=True)
    print(json.dumps([done.returncode, done.stderr]), flush=True)
"""


def race(seconds: float, workdir: Path, seed: int = 0) -> RaceReport:
    """Two writers rebuild the index while this process loads and queries it."""
    from matcher import Matcher, load_listings, read_resume
    from matcher.errors import MatcherError
    from matcher.skills import SkillVocabulary

    rng = random.Random(seed)
    folder = workdir / "race.index"
    tiny = workdir / "tiny.csv"
    tiny.write_text(TINY_VOCABULARY)
    text = read_resume(RESUME)
    sets = {
        len(load_listings([PAGES[0]])): Matcher(load_listings([PAGES[0]])),
        len(load_listings(PAGES)): Matcher(load_listings(PAGES),
                                           vocabulary=SkillVocabulary.from_csv(tiny)),
    }  # fmt: skip
    assert len(sets) == 2
    reference = {count: matcher.scores(text) for count, matcher in sets.items()}
    next(iter(sets.values())).save(folder)
    rounds = max(2, int(seconds / 1.5))
    args = [str(PAGES[0]), str(LISTINGS), str(tiny), str(folder), str(rounds)]
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, *args], stdout=subprocess.PIPE, text=True, cwd=ROOT
        )  # fmt: skip
        for _ in range(2)
    ]
    report = RaceReport()
    while any(w.poll() is None for w in writers):
        try:
            loaded = Matcher.load(folder)
            time.sleep(rng.uniform(0, 0.3))  # a rebuild may replace the folder meanwhile
            scores = loaded.scores(text)
            want = reference.get(len(loaded.listings))
            if want is None or not np.allclose(scores, want, atol=1e-9):
                report.wrong.append(f"{len(loaded.listings)} listings, scores differ")
        except MatcherError as exc:
            report.wrong.append(str(exc))
        report.loads += 1
    for writer in writers:
        out, _ = writer.communicate()
        for line in out.splitlines():
            code, stderr = json.loads(line)
            report.writes += 1
            if code == 1 and stderr.count("\n") == 1 and stderr.startswith("Error: "):
                report.refused += 1
            elif code != 0 or stderr:
                report.bad_writes.append(stderr)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=0, help="kill -9 this many writes")
    parser.add_argument("--race", type=float, default=0, help="race readers and writers (s)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        if args.kills:
            started = time.monotonic()
            report = kills(args.kills, Path(scratch), args.seed)
            print(report.line(), f"[{time.monotonic() - started:.0f} s]")
            for problem in report.broken[:5]:
                print("  broken:", problem)
            print("  left:", report.left_at_end)
        if args.race:
            shutil.rmtree(Path(scratch) / "race.index", ignore_errors=True)
            report2 = race(args.race, Path(scratch), args.seed)
            print(report2.line())
            for problem in [*report2.wrong, *report2.bad_writes][:5]:
                print("  problem:", problem)


if __name__ == "__main__":
    main()
