"""On a Dask cluster (the 'dask' extra): the same index and the same matches as one machine."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
from itertools import islice

import pytest
from typer.testing import CliRunner

from matcher import Matcher, load_listings, read_resume
from matcher.analyse import Analyzer
from matcher.cli import ExitCode, app
from matcher.engines.local import build_index
from matcher.errors import ClusterError, ListingFormatError, MatcherError
from matcher.filters import Filters
from matcher.index.model import TermTable
from matcher.index.store import load_index
from matcher.models import Listing
from matcher.settings import Settings
from matcher.skills.taxonomy import load_vocabulary

from .conftest import LISTINGS, PROFILES, resume_path
from .test_shards import NHS, assert_same_rows

HAVE_DASK = importlib.util.find_spec("distributed") is not None
needs_dask = pytest.mark.skipif(
    not HAVE_DASK, reason="the dask extra is not installed (pip install 'matcher[dask]')"
)
runner = CliRunner()

# Resumes: the fixture profiles, and listings' texts as resumes (many queries, real overlap).
TEXTS = [read_resume(resume_path(p)) for p in PROFILES]


@pytest.fixture(scope="module")
def client():
    """Two single-threaded workers in this process: quick to start, the same task graph."""
    if not HAVE_DASK:
        pytest.skip("the dask extra is not installed (pip install 'matcher[dask]')")
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=":0") as cluster, Client(cluster) as connected:  # fmt: skip
        yield connected


@pytest.fixture(scope="module")
def vocabulary():
    return load_vocabulary([])


@pytest.fixture(scope="module")
def listings():
    return list(load_listings(LISTINGS))


@pytest.fixture(scope="module")
def sharded(tmp_path_factory, client, listings, vocabulary):
    from matcher.engines.dask import build_sharded

    folder = tmp_path_factory.mktemp("dask") / "jobs.index"
    build_sharded(listings, folder, client, partitions=3, vocabulary=vocabulary)
    return folder


def _in_memory(segments):
    """The loaded shards with their terms as a table, as ``assert_same_rows`` reads them."""
    segments.terms = TermTable([segments.terms[c] for c in range(len(segments.terms))])
    return segments


@needs_dask
def test_sharded_build_on_the_cluster_equals_the_single_build(sharded, listings, vocabulary):
    loaded = load_index(sharded)
    assert loaded.meta["fitted"] == 3
    one = build_index(listings, Analyzer(Settings(), vocabulary), workers=1)
    assert_same_rows(one, _in_memory(loaded.index))


@needs_dask
def test_sharded_build_on_the_cluster_equals_the_single_build_on_real_postings(
    client, vocabulary, tmp_path
):
    if not NHS.is_file():
        pytest.skip(f"{NHS} is not beside this checkout")
    from matcher.engines.dask import build_sharded

    first = tmp_path / "nhs_700.jsonl"
    with NHS.open(encoding="utf-8") as lines:
        first.write_text("".join(islice(lines, 700)), encoding="utf-8")
    postings = list(load_listings([first]))
    build_sharded(postings, tmp_path / "nhs.index", client, partitions=4, vocabulary=vocabulary)
    one = build_index(postings, Analyzer(Settings(), vocabulary), workers=1)
    assert_same_rows(one, _in_memory(load_index(tmp_path / "nhs.index").index))


def _resumes(listings) -> list[str]:
    return TEXTS + [listing.description for listing in listings[:12]]


@needs_dask
@pytest.mark.parametrize("block", [1, 5, 64])
def test_match_many_on_the_cluster_equals_match_many(sharded, client, listings, block):
    from matcher.engines.dask import match_many

    texts = _resumes(listings)
    got = list(match_many(sharded, texts, client, 7, block=block))
    assert got == Matcher.load(sharded).match_many(texts, top_k=7)
    # And against the index built on one machine: ids, ranks, scores, explanations.
    single = Matcher(listings, vocabulary=load_vocabulary([])).match_many(texts, top_k=7)
    assert len(got) == len(single) == len(texts)
    for mine, theirs in zip(got, single, strict=True):
        assert [(m.rank, m.listing.id) for m in mine] == [(m.rank, m.listing.id) for m in theirs]
        assert [m.score for m in mine] == pytest.approx([m.score for m in theirs], abs=1e-9)
        assert [(m.matched, m.missing, m.coverage) for m in mine] == [
            (m.matched, m.missing, m.coverage) for m in theirs
        ]
        assert [[t.term for t in m.terms] for m in mine] == [[t.term for t in m.terms]
                                                             for m in theirs]  # fmt: skip


@needs_dask
def test_filters_apply_on_every_shard(sharded, client, listings):
    from matcher.engines.dask import match_many

    texts = _resumes(listings)
    where = Filters(workplace="remote", unknown="keep")
    got = list(match_many(sharded, texts, client, 5, filters=where))
    assert got == Matcher.load(sharded).match_many(texts, top_k=5, filters=where)


@needs_dask
def test_ties_across_shards_are_broken_by_row_as_on_one_machine(client, vocabulary, tmp_path):
    from matcher.engines.dask import build_sharded, match_many

    text = "Senior data engineer: Python, SQL, Spark and Airflow pipelines on AWS."
    same = [Listing(id=f"copy-{i}", title="Data engineer", description=text) for i in range(6)]
    other = Listing(id="other", title="Chef", description="Cooking for a busy restaurant.")
    every = [other, *same]
    build_sharded(every, tmp_path / "ties.index", client, partitions=3, vocabulary=vocabulary)
    [got] = match_many(tmp_path / "ties.index", [text], client, 4)
    assert [m.listing.id for m in got] == ["copy-0", "copy-1", "copy-2", "copy-3"]
    assert len({m.score for m in got}) == 1
    assert got == Matcher(every, vocabulary=vocabulary).match_many([text], top_k=4)[0]


@needs_dask
def test_candidates_for_many_listings_equal_candidates_for_each(sharded, client, listings):
    from matcher.engines.dask import candidates_many

    resumes = [(f"resume-{i}", text) for i, text in enumerate(_resumes(listings))]
    resumes.append(("a copy of resume-0", resumes[0][1]))  # a tie: kept in the order given
    ids = [listings[0].id, listings[9].id, listings[-1].id]
    got = candidates_many(sharded, ids, resumes, client, 6, block=4)
    loaded = Matcher.load(sharded)
    assert list(got) == ids
    for listing_id in ids:
        assert got[listing_id] == loaded.candidates(listing_id, resumes, top_k=6)
    with pytest.raises(ListingFormatError, match="nope: no listing with this id"):
        candidates_many(sharded, ["nope"], resumes, client)


@needs_dask
def test_a_worker_killed_mid_run_loses_no_rows(sharded, listings):
    """Two worker processes; one is killed after the first result: its tasks run again."""
    from distributed import Client, LocalCluster

    from matcher.engines.dask import match_many

    texts = _resumes(listings) * 8  # 128 blocks of one: tasks are still running at the kill
    expected = Matcher.load(sharded).match_many(texts, top_k=5)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster, Client(cluster) as client:  # fmt: skip
        client.wait_for_workers(2)
        pids = client.run(os.getpid)
        results = match_many(sharded, texts, client, 5, block=1)
        got = [next(results)]
        killed = sorted(pids.values())[0]
        os.kill(killed, signal.SIGKILL)
        got += list(results)
        assert killed not in client.run(os.getpid).values()  # its nanny started another
    assert got == expected


@needs_dask
def test_workers_that_keep_dying_fail_the_job_with_one_clear_error(sharded, listings):
    """No retry allowed, every worker killed mid-run: an error, never a short result."""
    import dask
    from distributed import Client, LocalCluster

    from matcher.engines.dask import match_many

    texts = _resumes(listings) * 8  # 128 blocks of one: tasks are still running at the kill
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                         dashboard_address=":0") as cluster, Client(cluster) as client:  # fmt: skip
        client.wait_for_workers(2)
        pids = client.run(os.getpid)
        results = match_many(sharded, texts, client, 5, block=1)
        next(results)
        for pid in pids.values():
            os.kill(pid, signal.SIGKILL)
        with pytest.raises(ClusterError, match="workers kept dying while they ran the job"):
            list(results)


@needs_dask
def test_a_failed_task_logs_no_resume_text(sharded, client, caplog, tmp_path):
    """Dask logs a failed task with its arguments: resumes must not be among them."""
    from matcher.engines.dask import Resumes, query_vectors

    secret = "Jane Q. Candidate, 12 Private Road, diagnosed with"
    future = client.submit(query_vectors, str(tmp_path / "gone"), "0" * 64, Resumes((secret,)),
                           pure=False)  # fmt: skip
    with caplog.at_level("DEBUG"), pytest.raises(MatcherError, match="no such index folder"):
        future.result()
    assert "Compute Failed" in caplog.text  # logged, with the task's arguments' repr at most
    assert "Jane" not in caplog.text
    assert repr(Resumes((secret,))) == "<1 resume texts>"


@needs_dask
def test_cli_builds_and_matches_on_a_local_cluster(tmp_path):
    folder = tmp_path / "jobs.index"
    built = runner.invoke(app, ["index", "build", str(LISTINGS), "-o", str(folder), "--dask",
                                "--shards", "2", "--quiet"])  # fmt: skip
    assert built.exit_code == ExitCode.OK, built.output
    info = runner.invoke(app, ["index", "info", str(folder)])
    assert "listings:   19 in 2 shards\n" in info.stdout
    # Built by worker processes (word-triple keys must agree across processes): the same rows.
    one = build_index(list(load_listings(LISTINGS)), Analyzer(Settings(), load_vocabulary([])),
                      workers=1)  # fmt: skip
    assert_same_rows(one, _in_memory(load_index(folder).index))
    resumes = [str(resume_path(p)) for p in PROFILES] + [str(tmp_path / "missing.txt")]
    plain = runner.invoke(app, ["match-many", *resumes, "--index", str(folder), "-n", "3"])
    on_dask = runner.invoke(app, ["match-many", *resumes, "--index", str(folder), "-n", "3",
                                  "--dask"])  # fmt: skip
    assert on_dask.exit_code == plain.exit_code == 1  # the missing resume
    assert on_dask.stdout == plain.stdout
    assert len(on_dask.stdout.splitlines()) == len(resumes)
    assert on_dask.stderr.strip().endswith("missing.txt: no such file")
    listing_id = json.loads(plain.stdout.splitlines()[0])["matches"][0]["listing"]["id"]
    for fmt in ("json", "table"):
        args = ["candidates", listing_id, *resumes, "--index", str(folder), "-f", fmt]
        plain = runner.invoke(app, args, env={"COLUMNS": "100"})
        on_dask = runner.invoke(app, [*args, "--dask"], env={"COLUMNS": "100"})
        assert on_dask.exit_code == plain.exit_code == 1
        assert on_dask.stdout == plain.stdout and listing_id in plain.stdout
    no_index = runner.invoke(app, ["match-many", *resumes[:1], "--dask"])
    assert no_index.exit_code == ExitCode.USAGE  # a wrong combination of options
    assert "--dask: needs --index DIR" in no_index.stderr
    no_dask = runner.invoke(app, ["index", "build", str(LISTINGS), "-o", "x", "--shards", "2"])
    assert no_dask.exit_code == ExitCode.USAGE and "--shards: needs --dask" in no_dask.stderr


@needs_dask
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dask=nowhere"], "Error: --dask: 'nowhere' is not a scheduler address"),
        # A bare host name is not read as a resume, nor the job run here instead (trial).
        (["--dask", "localhost"], "Error: --dask: 'localhost' is not a scheduler address"),
        (["--dask", "tcp://127.0.0.1:9"], "Error: tcp://127.0.0.1:9: cannot reach the Dask sch"),
    ],
)
def test_cli_says_in_one_line_when_the_cluster_cannot_be_used(tmp_path, args, message):
    result = runner.invoke(app, ["match-many", str(resume_path("economist")), "--index",
                                 str(tmp_path), *args])  # fmt: skip
    assert result.exit_code == ExitCode.BAD_INPUT
    assert result.stderr.startswith(message) and len(result.stderr.splitlines()) == 1


def test_cli_says_how_to_install_the_extra_when_dask_is_missing(monkeypatch, tmp_path):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "distributed" else real(name, *a))  # fmt: skip
    result = runner.invoke(app, ["index", "build", str(LISTINGS), "-o", str(tmp_path / "x"),
                                 "--dask"])  # fmt: skip
    assert result.exit_code == ExitCode.BAD_INPUT
    assert result.stderr == "Error: --dask: needs Dask: pip install 'matcher[dask]'\n"
    assert not (tmp_path / "x").exists()


def _ignores_sigint(pid: int) -> bool | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            lines = status.read().splitlines()
            if any(line.startswith("State:") and "Z" in line.split()[1] for line in lines):
                return None  # ended, not yet reaped
            for line in lines:
                if line.startswith("SigIgn:"):
                    return bool(int(line.split()[1], 16) & (1 << (signal.SIGINT - 1)))
    except OSError:
        return None
    return None


def _workers_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                    spawned = b"spawn_main" in cmdline.read()  # not the resource tracker
                if int(fields[1]) == pid and fields[0] != "Z" and spawned:
                    found.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    return found


@needs_dask
@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads process states from /proc")
def test_ctrl_c_on_a_local_cluster_exits_130_with_one_line_and_the_workers_deaf_to_it(tmp_path):
    """A terminal's Ctrl-C signals the whole process group; the workers must not each print a
    traceback (they did: 30-140 lines), nor keep running after."""
    import subprocess
    import sys
    import time

    seed = list(load_listings(LISTINGS))
    with (tmp_path / "many.jsonl").open("w", encoding="utf-8") as file:
        for n in range(6000):
            listing = seed[n % len(seed)]
            text = f"{listing.description}\nReference {n}: posted with code {n * 7919 % 100003}."
            file.write(json.dumps({"id": str(n), "title": listing.title, "description": text}))
            file.write("\n")
    command = [sys.executable, "-m", "matcher", "index", "build", str(tmp_path / "many.jsonl"),
               "-o", str(tmp_path / "many.index"), "--dask"]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        workers: list[int] = []
        while time.monotonic() < deadline and process.poll() is None:
            workers = _workers_of(process.pid)
            if len(workers) >= (os.cpu_count() or 1) and _ignores_sigint(process.pid) is False:
                break  # the cluster is up, and this process heeds Ctrl-C again
            time.sleep(0.1)
        assert process.poll() is None, "the build ended before it could be interrupted"
        assert workers and all(_ignores_sigint(w) for w in workers)
        time.sleep(1.0)
        os.killpg(process.pid, signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == ExitCode.INTERRUPTED
    assert stderr.splitlines() == ["Interrupted (Ctrl-C)"]
    for _ in range(50):  # the workers end with the cluster (a zombie has ended: no status)
        if not any(_ignores_sigint(w) for w in workers):
            break
        time.sleep(0.1)
    assert [w for w in workers if _ignores_sigint(w)] == []
    assert not (tmp_path / "many.index").exists()
