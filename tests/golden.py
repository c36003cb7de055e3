"""What matcher answers today, recorded once and held byte for byte (issue 19's golden test).

Every case is produced through the CLI (``matcher.cli.app``) so that a move of the library's
modules cannot change what a user sees without this noticing; the index cases hash every array
file of a saved index (the SHA-256 its ``meta.json`` records), so the moved builds must write
the same bytes: a whole build, a sharded build (``--dask`` is not needed: the same steps run
in one process), a segment added to an index, the optimize that follows, and the index of the
NHS postings in ``../shared`` (which goes through the forked workers of a large build).

Record (only when a change of behaviour is meant, and say so in the commit)::

    python -m tests.golden --record

The test is ``tests/test_golden.py``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
LISTINGS = Path("fixtures/listings")  # paths relative to the checkout: see ``cli``
RESUMES = Path("fixtures/resumes")
NHS = Path("../shared/data/nhs_jobs/nhs_jobs_2020.jsonl")
GOLDEN = Path(__file__).resolve().parent / "data" / "golden"
PROFILES = ("ml_scientist", "economist", "rf_systems_engineer", "frontend_developer")

Case = Callable[[Path], str]


@contextlib.contextmanager
def _in(folder: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def cli(*args: str | Path, at: Path = ROOT) -> str:
    """Return what ``matcher ARGS`` prints on stdout, run in folder ``at``; raise if it fails.

    Paths are given relative to ``at`` (the checkout by default), so that the listings'
    sources recorded in an index are the same in any clone.
    """
    from typer.testing import CliRunner

    from matcher.cli import app

    with _in(at):
        result = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)
    if result.exit_code != 0:
        raise AssertionError(f"matcher {' '.join(map(str, args))}: exit {result.exit_code}")
    return result.stdout


def index_files(folder: Path) -> str:
    """Return every array file's SHA-256 in a saved index, as its meta.json records them,
    with the figures a reader checks (format, counts, segments); ``created`` is left out."""
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    kept = {key: meta[key] for key in ("format", "version", "listings", "terms", "nnz",
                                        "segments", "fitted", "settings")}  # fmt: skip
    kept["files"] = {name: entry["sha256"] for name, entry in sorted(meta["files"].items())}
    return json.dumps(kept, indent=1, sort_keys=True) + "\n"


def bundled_cases() -> Iterator[tuple[str, Case]]:
    """Cases on the bundled listings: no data beyond the checkout."""
    for profile in PROFILES:
        resume = RESUMES / f"{profile}.txt"
        yield f"match-{profile}.json", lambda _, r=resume: cli("match", r, "--format", "json")
        yield f"gaps-{profile}.json", lambda _, r=resume: cli("gaps", r, "--format", "json")
    for fmt in ("pdf", "docx", "md"):
        resume = RESUMES / f"ml_scientist.{fmt}"
        yield f"match-ml_scientist-{fmt}.json", lambda _, r=resume: cli(
            "match", r, "--format", "json", "--top", "19"
        )
    resume = RESUMES / "economist.txt"
    yield "match-economist.md", lambda _: cli("match", resume, "--format", "markdown")
    yield "match-economist.csv", lambda _: cli("match", resume, "--format", "csv")
    yield "match-economist-filtered.json", lambda _: cli(
        "match", resume, "--format", "json", "--remote", "--top", "19"
    )
    every = [RESUMES / f"{p}.txt" for p in PROFILES]
    yield "match-many.jsonl", lambda _: cli("match-many", *every, "--top", "3")
    yield "index-whole.json", _whole
    yield "index-sharded.json", _sharded
    yield "index-added.json", _added
    yield "index-optimized.json", _optimized
    yield "candidates.json", _candidates


def nhs_cases() -> Iterator[tuple[str, Case]]:
    """Cases on the NHS postings in ``../shared`` (a build large enough for worker processes)."""
    yield "nhs-index.json", _nhs_index
    for profile in PROFILES:
        resume = RESUMES / f"{profile}.txt"
        yield f"nhs-match-{profile}.json", lambda work, r=resume: cli(
            "match", r, "--index", _nhs(work), "--format", "json"
        )


def _whole(work: Path) -> str:
    folder = work / "whole.index"
    cli("index", "build", LISTINGS, "-o", folder, "-q")
    return index_files(folder)


def _sharded(work: Path) -> str:
    from matcher import Settings, builtin_vocabulary, load_listings
    from matcher.analyse import Analyzer
    from matcher.engines.local import build_shards
    from matcher.index.store import save_index

    settings, vocabulary = Settings(), builtin_vocabulary()
    with _in(ROOT):
        listings = load_listings(LISTINGS)
    index = build_shards(listings, Analyzer(settings, vocabulary), 3)
    folder = work / "sharded.index"
    save_index(index, settings, vocabulary, folder)
    return index_files(folder)


def _split(work: Path) -> tuple[Path, Path]:
    """Return two folders: the first bundled listings file and the rest."""
    files = sorted((ROOT / LISTINGS).iterdir())
    first, rest = work / "first", work / "rest"
    for folder, names in ((first, files[:1]), (rest, files[1:])):
        if not folder.exists():
            folder.mkdir()
            for name in names:
                shutil.copy(name, folder / name.name)
    return first, rest


def _added(work: Path) -> str:
    first, rest = _split(work)
    folder = work / "added.index"
    cli("index", "build", first.name, "-o", folder, "-q", at=work)
    cli("index", "add", folder, rest.name, "-q", at=work)
    return index_files(folder)


def _optimized(work: Path) -> str:
    folder = work / "added.index"
    if not folder.exists():
        _added(work)
    cli("index", "optimize", folder)
    return index_files(folder)


def _candidates(work: Path) -> str:
    folder = work / "whole.index"
    if not folder.exists():
        _whole(work)
    every = [RESUMES / f"{p}.txt" for p in PROFILES]
    listing = json.loads(cli("match", every[0], "--index", folder, "--format", "json"))
    first = listing["matches"][0]["listing"]["id"]
    return cli("candidates", first, *every, "--index", folder, "--format", "json")


def _nhs(work: Path) -> Path:
    folder = work / "nhs.index"
    if not folder.exists():
        cli("index", "build", NHS, "-o", folder, "-q")
    return folder


def _nhs_index(work: Path) -> str:
    return index_files(_nhs(work))


def record() -> None:
    """Write every case's output under ``tests/data/golden``."""
    GOLDEN.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        os.environ["MATCHER_DATA_DIR"] = str(work / "data")  # no imported vocabularies
        cases = [*bundled_cases(), *(nhs_cases() if (ROOT / NHS).is_file() else [])]
        for name, case in cases:
            (GOLDEN / name).write_text(case(work), encoding="utf-8")
            print(name, file=sys.stderr)


if __name__ == "__main__":
    if sys.argv[1:] != ["--record"]:
        sys.exit("usage: python -m tests.golden --record")
    record()
