"""Fuzzing harness: mutated inputs for index loading, the taxonomy importers and the readers.

A "crash" is an exception outside matcher's error classes (``MatcherError`` and its
subclasses), or a wrong answer where one is checked (a score that is not a cosine); a
"hang" is an input that takes longer than ``--timeout`` seconds. Every mutation comes from
one ``random.Random``, so a run is repeatable from its seed; ``tests/test_fuzz.py`` runs each
target with a small budget (hypothesis picks the seeds), and on demand::

    python -m tests.fuzz --n 10000                 # every target, 10,000 inputs each
    python -m tests.fuzz --target index --n 2000   # one target
    python -m tests.fuzz --readers                 # the resume and listings readers too

It prints, per target, how many inputs crashed or hung and the kinds of exception seen.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import hashlib
import io
import itertools
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import time
import traceback
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SHARED = ROOT.parent / "shared"
RESUME_TEXT = (FIXTURES / "resumes" / "economist.txt").read_text(encoding="utf-8")

# Values a meta.json field may be replaced by: every JSON kind, and numbers at the edges.
ODD_VALUES = [None, True, False, 0, -1, 1, 2**31, 2**63, 2**70, 1.5, float("nan"), "", "x",
              "1", [], [1], {}, {"a": 1}, "\udcff"[:0] + "é"]  # fmt: skip
# Byte strings that have broken parsers before.
TOKENS = [b"\x00", b"\xff\xfe", b'"', b"\n", b"\r", b",", b"[" * 200, b"{" * 200, b"\\u",
          b"\xc3", b"\xed\xa0\x80", b"1e999", b"NaN", b"-", b"\t", b" " * 500, b"'"]  # fmt: skip


class Hang(Exception):
    """An input ran past the time limit."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise ``Hang`` in the main thread after ``seconds`` (POSIX; no limit elsewhere)."""
    if seconds <= 0 or not hasattr(signal, "setitimer"):
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise Hang

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# ------------------------------------------------------------------------------ mutations


def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    """Return ``data`` with one to four random edits: flips, cuts, inserts, repeats."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(7)
        at = rng.randrange(len(out) + 1)
        if kind == 0 and out:  # flip bits of a few bytes
            for _ in range(rng.randint(1, 4)):
                i = rng.randrange(len(out))
                out[i] ^= 1 << rng.randrange(8)
        elif kind == 1:  # truncate
            del out[at:]
        elif kind == 2:  # delete a span
            del out[at : at + rng.randint(1, 64)]
        elif kind == 3:  # insert a token
            out[at:at] = rng.choice(TOKENS) * rng.randint(1, 3)
        elif kind == 4:  # insert random bytes
            out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif kind == 5 and out:  # repeat a span
            end = min(len(out), at + rng.randint(1, 200))
            out[at:at] = out[at:end] * rng.randint(2, 20)
        elif kind == 6 and out:  # overwrite a byte with an ASCII character
            out[rng.randrange(len(out))] = rng.randrange(32, 127)
    return bytes(out)


def mutate_csv(text: str, rng: random.Random) -> bytes:
    """Return a CSV text with rows cut short, fields dropped or swapped, or bytes mutated."""
    rows = list(csv.reader(io.StringIO(text)))
    kind = rng.randrange(5)
    if kind == 0 and len(rows) > 1:  # a row cut short
        row = rng.randrange(1, len(rows))
        rows[row] = rows[row][: rng.randrange(len(rows[row]) + 1)]
    elif kind == 1 and len(rows) > 1:  # a row too long
        rows[rng.randrange(1, len(rows))] += ["extra"] * rng.randint(1, 3)
    elif kind == 2 and rows:  # a header column dropped or renamed
        col = rng.randrange(len(rows[0]))
        if rng.random() < 0.5:
            rows = [r[:col] + r[col + 1 :] for r in rows]
        else:
            rows[0][col] = rng.choice(["", "x", rows[0][col].upper(), rows[0][col] + " "])
    elif kind == 3 and len(rows) > 1:  # fields emptied
        row = rows[rng.randrange(1, len(rows))]
        for i in range(len(row)):
            if rng.random() < 0.5:
                row[i] = ""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    data = out.getvalue().encode("utf-8")
    return mutate_bytes(data, rng) if kind == 4 or rng.random() < 0.3 else data


# ----------------------------------------------------------------------------- the targets


@dataclass
class Outcome:
    """What a target made of its inputs."""

    inputs: int = 0
    crashes: int = 0
    hangs: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    example: dict[str, str] = field(default_factory=dict)  # a traceback per kind

    def line(self, name: str) -> str:
        kinds = ", ".join(f"{k} {n}" for k, n in self.kinds.most_common())
        return f"{name}: {self.crashes} crashes, {self.hangs} hangs in {self.inputs} inputs" + (
            f" ({kinds})" if kinds else ""
        )


class Target:
    """Makes inputs in a scratch folder and runs matcher on them."""

    name = ""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch

    def run(self, rng: random.Random) -> None:  # raises what matcher raises
        raise NotImplementedError


def _allowed() -> tuple[type[BaseException], ...]:
    from matcher.errors import MatcherError

    return (MatcherError,)


def run_one(target: Target, rng: random.Random, outcome: Outcome, timeout: float) -> None:
    """Run one input; count it as a crash or hang when it is one."""
    outcome.inputs += 1
    try:
        with time_limit(timeout):
            target.run(rng)
    except Hang:
        outcome.hangs += 1
        outcome.kinds["hang"] += 1
    except _allowed():
        pass
    except Exception as exc:  # noqa: BLE001 - counting is the point
        outcome.crashes += 1
        kind = f"{type(exc).__name__}"
        outcome.kinds[kind] += 1
        outcome.example.setdefault(kind, "".join(traceback.format_exc(limit=-3)))


MEMORY_LIMIT = 4 << 30  # bytes of address space an isolated input may take


def run_isolated(target: Target, rng: random.Random, outcome: Outcome, timeout: float) -> None:
    """``run_one`` in a forked child, so that a segfault or runaway memory is counted too."""
    import resource

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run, report as JSON, leave without cleaning up the parent's state
        code = 0
        try:
            os.close(read_end)
            resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
            mine = Outcome()
            run_one(target, rng, mine, timeout)
            report = {"crashes": mine.crashes, "hangs": mine.hangs, "kinds": dict(mine.kinds),
                      "example": mine.example}  # fmt: skip
            with os.fdopen(write_end, "w") as pipe:
                pipe.write(json.dumps(report))
        except BaseException:  # noqa: BLE001 - the child must never return into the harness
            code = 70
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        text = pipe.read()
    _, status = os.waitpid(pid, 0)
    outcome.inputs += 1
    if os.WIFSIGNALED(status) or not text:
        kind = f"killed by signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else "died"
        outcome.crashes += 1
        outcome.kinds[kind] += 1
        return
    report = json.loads(text)
    outcome.crashes += report["crashes"]
    outcome.hangs += report["hangs"]
    outcome.kinds.update(report["kinds"])
    for kind, example in report["example"].items():
        outcome.example.setdefault(kind, example)


# ------------------------------------------------------------------------- index loading


class IndexTarget(Target):
    """Mutated saved index folders: bytes, truncation, meta.json of the wrong shape, a folder
    where a file should be, arrays of other types and shapes, a bad term table. Half the
    mutations are resealed (sizes and checksums fixed, as a careful tamperer would), so they
    reach the checks behind the checksums. A folder that loads is then queried."""

    name = "index"

    def __init__(self, scratch: Path) -> None:
        super().__init__(scratch)
        from matcher import Matcher, load_listings

        self.base = scratch / "base.index"
        if not self.base.exists():
            Matcher(load_listings(FIXTURES / "listings")).save(self.base)
        self.files = sorted(p.name for p in self.base.iterdir())

    def run(self, rng: random.Random) -> None:
        from matcher import Matcher

        folder = self.scratch / "case.index"
        shutil.rmtree(folder, ignore_errors=True)
        if folder.exists() or folder.is_symlink():
            folder.unlink()
        shutil.copytree(self.base, folder)
        self.mutate(folder, rng)
        matcher = Matcher.load(folder, verify=rng.random() < 0.5)
        self.query(matcher, rng)

    def mutate(self, folder: Path, rng: random.Random) -> None:
        kind = rng.randrange(8)
        name = rng.choice(self.files)
        path = folder / name
        if kind <= 2:  # bytes of one file
            path.write_bytes(mutate_bytes(path.read_bytes(), rng))
        elif kind == 3:  # meta.json of the wrong shape
            meta = json.loads((folder / "meta.json").read_text())
            self.odd_meta(meta, rng)
            (folder / "meta.json").write_text(json.dumps(meta))
        elif kind == 4:  # a folder, a missing file or a link where a file should be
            path.unlink()
            choice = rng.randrange(3)
            if choice == 0:
                path.mkdir()
            elif choice == 1:
                path.symlink_to(folder / rng.choice(self.files))
        elif kind == 5 and name.endswith(".npy"):  # another type or shape of array
            array = np.load(path)
            dtype = rng.choice([np.int8, np.int32, np.int64, np.float32, np.float64, np.uint64])
            if rng.random() < 0.5:
                array = array.astype(dtype)
            if rng.random() < 0.5:
                array = array.reshape(-1, 1) if rng.random() < 0.5 else array[: len(array) // 2]
            if rng.random() < 0.3 and array.size:
                array = array.copy()
                flat = array.reshape(-1)
                odd = np.array(rng.choice([0, -1, 2**30, 10**9]))
                flat[rng.randrange(flat.size)] = odd.astype(flat.dtype)  # wraps, as damage does
            np.save(path, array)
        elif kind == 6:  # a term table or listing that is not UTF-8 or not JSON
            target = folder / rng.choice(["terms.txt", "listings.jsonl", "skills.csv"])
            data = bytearray(target.read_bytes())
            if data:
                at = rng.randrange(len(data))
                data[at : at + 2] = rng.choice([b"\xff\xfe", b"\xc3(", b"{[", b'"'])
                target.write_bytes(bytes(data[: len(target.read_bytes())]))
        else:  # the whole of meta.json replaced
            (folder / "meta.json").write_bytes(
                rng.choice(
                    [
                        b"[]",
                        b"null",
                        b"{",
                        b"\xff",
                        b'{"format": "matcher-index"}',
                        b"[" * 100_000,
                        b"",
                    ]
                )  # fmt: skip
            )
        if rng.random() < 0.5:
            reseal(folder)

    @staticmethod
    def odd_meta(meta: dict, rng: random.Random) -> None:
        paths = [("listings",), ("terms",), ("nnz",), ("version",), ("format",), ("settings",),
                 ("vocabulary",), ("files",), ("vocabulary", "source"), ("vocabulary",
                 "attributions"), ("settings", "title_weight"), ("settings", "skills"),
                 ("settings", "sublinear_tf"), ("files", "weights.npy"),
                 ("files", "rows.npy", "bytes"), ("files", "idf.npy", "sha256")]  # fmt: skip
        for _ in range(rng.randint(1, 3)):
            path = rng.choice(paths)
            holder = meta
            for key in path[:-1]:
                holder = holder.get(key) if isinstance(holder, dict) else None
            if not isinstance(holder, dict):
                continue
            if rng.random() < 0.2:
                holder.pop(path[-1], None)
            else:
                holder[path[-1]] = rng.choice(ODD_VALUES)

    def query(self, matcher: object, rng: random.Random) -> None:
        from matcher import Matcher

        assert isinstance(matcher, Matcher)
        matches = matcher.match(RESUME_TEXT, top_k=5)
        for match in matches:
            check_score(match.score)
        for matches in matcher.match_many([RESUME_TEXT, "python sql"], top_k=3):
            for match in matches:
                check_score(match.score)
        if matches:
            matcher.candidates(matches[0].listing.id, [("a", RESUME_TEXT)])
        matcher.gaps(RESUME_TEXT, top=3)
        for listing in matcher.listings:
            assert isinstance(listing.description, str)


class WrongAnswer(Exception):
    """A result that cannot be right: a score that is not a cosine."""


def check_score(score: float) -> None:
    if not (0.0 <= score <= 1.0 + 1e-5):
        raise WrongAnswer(f"score {score}")


def reseal(folder: Path) -> None:
    """Fix meta.json's sizes and checksums for the files as they are now, where it can."""
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        for name, entry in meta["files"].items():
            path = folder / name
            if isinstance(entry, dict) and path.is_file():
                entry["bytes"] = path.stat().st_size
                entry["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
        from matcher.index.store import meta_checksum

        meta["checksum"] = meta_checksum(meta)
        (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        pass  # meta.json itself is the damage: leave it


# -------------------------------------------------------------------------------- importers


def _csv_sample(real: Path, limit: int, fallback: list[list[str]]) -> str:
    """The first ``limit`` rows of a real download (../shared/data), or ``fallback``."""
    if real.is_file():
        with real.open(encoding="utf-8", newline="") as file:
            rows = list(itertools.islice(csv.reader(file), limit))
    else:
        rows = fallback
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def esco_sample() -> str:
    """A slice of ESCO's skills_en.csv, or a small one written here."""
    fallback = [["conceptUri", "skillType", "reuseLevel", "preferredLabel", "altLabels"]]
    fallback += [[f"u{i}", "knowledge", "sector-specific", f"histology {i}", f"tissue {i}"]
                 for i in range(30)]  # fmt: skip
    fallback += [[f"v{i}", "skill/competence", "cross-sector", f"manage thing {i}", ""]
                 for i in range(10)]  # fmt: skip
    return _csv_sample(SHARED / "data" / "esco" / "skills_en.csv", 40, fallback)


def onet_sample() -> str:
    """A slice of O*NET's Technology Skills.csv, or a small one written here."""
    fallback = [["O*NET-SOC Code", "Title", "Example", "Commodity Code", "Commodity Title"]]
    fallback += [["11-1011.00", "Chief", f"Acme Tool{i} software", "1", "Office suite software"]
                 for i in range(40)]  # fmt: skip
    return _csv_sample(SHARED / "data" / "onet" / "Technology Skills.csv", 60, fallback)


# ESCO's other files, as its CSV download names them, with their header rows: a user pointing
# ``skills import esco`` at one of them must get an error, whatever its bytes.
ESCO_RELATIONS = {
    "broaderRelationsSkillPillar_en.csv": "conceptType,conceptUri,broaderType,broaderUri",
    "skillSkillRelations_en.csv":
        "originalSkillUri,originalSkillType,relationType,relatedSkillType,relatedSkillUri",
    "occupationSkillRelations_en.csv": "occupationUri,relationType,skillType,skillUri",
    "skillGroups_en.csv": "conceptType,conceptUri,preferredLabel,altLabels,hiddenLabels,status,"
                          "modifiedDate,scopeNote,inScheme,description,code",
    "occupations_en.csv": "conceptType,conceptUri,iscoGroup,preferredLabel,altLabels,"
                          "hiddenLabels,status,modifiedDate,regulatedProfessionNote,scopeNote,"
                          "definition,inScheme,description,code",
}  # fmt: skip


def esco_relation_samples() -> list[str]:
    """A slice of each of ESCO's relation and group files, or rows made here to their headers."""
    samples = []
    for name, header in ESCO_RELATIONS.items():
        columns = header.split(",")
        fallback = [columns] + [[f"http://data.europa.eu/esco/x/{i}-{c}" for c in columns]
                                for i in range(30)]  # fmt: skip
        samples.append(_csv_sample(SHARED / "data" / "esco" / name, 40, fallback))
    return samples


class ImporterTarget(Target):
    """Mutated taxonomy files: rows cut short or too long, columns gone, bytes changed.
    ``relations``: ESCO's relation and group files given as its skills file."""

    def __init__(self, scratch: Path, source: str, relations: bool = False) -> None:
        super().__init__(scratch)
        self.source = source
        self.name = f"{source}-relations" if relations else source
        if relations:
            self.samples = esco_relation_samples()
        else:
            self.samples = [esco_sample() if source == "esco" else onet_sample()]

    def run(self, rng: random.Random) -> None:
        from matcher.skills.taxonomy import import_taxonomy

        path = self.scratch / f"{self.source}.csv"
        path.write_bytes(mutate_csv(rng.choice(self.samples), rng))
        os.environ["MATCHER_DATA_DIR"] = str(self.scratch / "data")
        import_taxonomy(self.source, path)


# ---------------------------------------------------------------------------------- readers


class ResumeTarget(Target):
    """Mutated resumes of one format (the fixtures'); DOCX also with its XML mutated."""

    def __init__(self, scratch: Path, suffix: str) -> None:
        super().__init__(scratch)
        self.suffix = suffix
        self.name = f"resume{suffix}"
        self.samples = [p.read_bytes() for p in sorted((FIXTURES / "resumes").glob(f"*{suffix}"))]

    def run(self, rng: random.Random) -> None:
        from matcher import read_resume

        data = rng.choice(self.samples)
        if self.suffix == ".docx" and rng.random() < 0.5:
            data = mutate_docx_xml(data, rng)
        else:
            data = mutate_bytes(data, rng)
        path = self.scratch / f"resume{self.suffix}"
        path.write_bytes(data)
        read_resume(path)


def mutate_docx_xml(data: bytes, rng: random.Random) -> bytes:
    """Return the DOCX with ``word/document.xml`` mutated inside a valid zip."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "word/document.xml":
                content = mutate_bytes(content, rng)
            target.writestr(item, content)
    return out.getvalue()


class ListingsTarget(Target):
    """Mutated listings files of one format, made from the fixtures' listings."""

    def __init__(self, scratch: Path, suffix: str) -> None:
        super().__init__(scratch)
        from matcher import load_listings

        self.suffix = suffix
        self.name = f"listings{suffix}"
        listings = load_listings(FIXTURES / "listings").listings[:6]
        records = [{"title": x.title, "description": x.description, "location": x.location}
                   for x in listings]  # fmt: skip
        if suffix == ".json":
            self.sample = json.dumps(records).encode()
        elif suffix == ".jsonl":
            self.sample = "".join(json.dumps(r) + "\n" for r in records).encode()
        elif suffix in (".csv", ".tsv"):
            out = io.StringIO()
            writer = csv.DictWriter(out, ["title", "description", "location"],
                                    delimiter="," if suffix == ".csv" else "\t")  # fmt: skip
            writer.writeheader()
            writer.writerows(records)
            self.sample = out.getvalue().encode()
        else:
            self.sample = (FIXTURES / "listings" / "amazon_science_related_000.txt").read_bytes()

    def run(self, rng: random.Random) -> None:
        from matcher import load_listings

        path = self.scratch / f"listings{self.suffix}"
        path.write_bytes(mutate_bytes(self.sample, rng))
        load_listings([path])


def targets(scratch: Path, readers: bool = False) -> dict[str, Callable[[], Target]]:
    """Every target by name, made on first use (the index one builds a base index)."""
    made: dict[str, Callable[[], Target]] = {
        "index": lambda: IndexTarget(scratch),
        "esco": lambda: ImporterTarget(scratch, "esco"),
        "esco-relations": lambda: ImporterTarget(scratch, "esco", relations=True),
        "onet": lambda: ImporterTarget(scratch, "onet"),
    }
    if readers:
        for suffix in (".txt", ".md", ".pdf", ".docx"):
            made[f"resume{suffix}"] = lambda s=suffix: ResumeTarget(scratch, s)  # type: ignore[misc]
        for suffix in (".json", ".jsonl", ".csv", ".tsv", ".txt"):
            made[f"listings{suffix}"] = lambda s=suffix: ListingsTarget(scratch, s)  # type: ignore[misc]
    return made


def fuzz(
    target: Target, n: int, seed: int = 0, timeout: float = 10.0, isolate: bool = False
) -> Outcome:
    """Run ``n`` inputs of ``target`` from ``seed``; return the counts. ``isolate`` runs each
    in a forked child (POSIX), which also counts segfaults and memory past ``MEMORY_LIMIT``."""
    outcome = Outcome()
    run = run_isolated if isolate and hasattr(os, "fork") else run_one
    if run is run_isolated:  # imports and caches made once here, not again in every child
        run_one(target, random.Random(-1), Outcome(), timeout)
    for i in range(n):
        run(target, random.Random(seed * 1_000_003 + i), outcome, timeout)
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="inputs per target")
    parser.add_argument("--target", action="append", help="only these targets (repeatable)")
    parser.add_argument("--readers", action="store_true", help="also the resume/listing readers")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds before a hang")
    parser.add_argument("--show", action="store_true", help="print one traceback per kind")
    parser.add_argument(
        "--in-process", action="store_true", help="no fork per input (faster; a segfault ends it)"
    )
    args = parser.parse_args()
    import warnings

    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory() as scratch:
        made = targets(Path(scratch), readers=args.readers or bool(args.target))
        for name in args.target or list(made):
            start = time.perf_counter()
            target = made[name]()
            with open(os.devnull, "w") as quiet, contextlib.redirect_stderr(quiet):
                outcome = fuzz(target, args.n, args.seed, args.timeout, not args.in_process)
            print(outcome.line(name), f"[{time.perf_counter() - start:.0f} s]", flush=True)
            if args.show:
                for kind, text in outcome.example.items():
                    print(f"--- {kind}\n{text}")
    sys.exit(0)


if __name__ == "__main__":
    main()
