"""Speed of matcher beside scikit-learn and bm25s at 10k, 100k and 1M listings, in one run.

Usage: python benchmarks/speed.py [--sizes 10000,100000,1000000 | --quick] [--queries 50]
                                  [--real [PATH] [--real-like]] [--resumes PATH]
                                  [--max-build-seconds 900]
                                  [--keep DIR] [--seed 0]

At every size N, on the same texts and in the same run, it measures:

- index build, docs/s: scikit-learn ``TfidfVectorizer().fit_transform``; bm25s ``tokenize``
  (English stop words) + ``BM25().index``; matcher ``Matcher(listings)``. matcher's build is
  timed once; when a probe on a 1% sample says it would take more than --max-build-seconds, it
  is timed on a 10% sample instead and its docs/s is marked as extrapolated (linearly).
- top-10 query latency, p50 and p95 ms over --queries resumes after one warm-up query, each
  including the resume's own vectorisation: scikit-learn ``transform`` + CSR mat-vec
  ``matrix @ q.T`` (the reference of the ratio column), the same with a dense query vector,
  ``transform`` + ``cosine_similarity`` (only up to --cosine-max listings: it re-normalises the
  whole matrix on every call), bm25s ``tokenize`` + ``retrieve(k=10)``, and matcher
  ``Matcher.load(DIR).match(text, top_k=10)`` (explanations included) and ``.scores(text)`` +
  argpartition;
- matcher's saved index: ``save`` seconds, size on disk, bytes per non-zero of its TF-IDF
  matrix, median ``Matcher.load`` ms; the command line end to end as whole processes
  (``matcher index build`` once, ``matcher match RESUME --index DIR --top 10`` median of
  --cli-runs) at --cli-size listings; and --batch resumes through ``match_many`` against a loop of
  ``match`` at the largest size matcher was built at;
- peak RSS after every stage. Each method runs in a process of its own (this script re-invoked
  with --worker), so a peak belongs to one method, and an address-space limit
  (--memory-limit-gb) turns a runaway into an "out of memory" cell rather than a swapping
  machine.

Listings are synthetic unless --real: ~300 words each (a title, 2-3 headings such as
"Responsibilities:", sentences, real skill names such as "Python" or "project management")
drawn from a Zipfian vocabulary (80,000 made-up words, exponent 1.1, the commonest ranks real
English words), generated with numpy from --seed; resumes are ~400 words from the same
distribution. With --real PATH (JSON Lines with title and description, e.g.
../shared/data/nhs_jobs/nhs_jobs_2020.jsonl) sizes are capped at the postings available, and the
resumes are the ``text`` of --resumes (default: title_bench's dev queries), or else postings
beyond the largest size. With --real-like as well, listings of any size are made of the
postings' sentences recombined (see ``real_like``). Corpora are written to a temporary folder,
removed at the end unless --keep DIR.

A matcher API or command that does not exist yet prints "n/a (not implemented yet)". Figures
are from one run on one machine: compare the ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import multiprocessing
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
DEFAULT_REAL = DATA / "nhs_jobs" / "nhs_jobs_2020.jsonl"
DEFAULT_RESUMES = DATA / "title_bench" / "queries_dev.jsonl"
MATCHER_CLI = Path(sys.executable).with_name("matcher")
NOT_YET = "n/a (not implemented yet)"
TOP_K = 10
RSS = "peak RSS MB"

# matcher's speed targets, printed beside its figures.
TARGET_QUERY_MS = {100_000: 1.0, 1_000_000: 10.0}  # top-10 query p50 at these sizes
TARGET_CLI_MS = 150.0  # `matcher match` end to end on a saved 100k index
TARGET_BUILD_RATIO = 2.0  # build docs/s over scikit-learn's
TARGET_BATCH_S = 20.0  # 1,000 resumes with match_many against 1M listings
TARGET_BYTES_PER_NNZ = 9.0
TARGET_LOAD_MS = 10.0

Result = dict[str, Any]
Targets = list[tuple[str, int, str, str]]  # label, size, figure, verdict

# ----------------------------------------------------------------------------------------------
# Synthetic listings and resumes

FUNCTION_WORDS = (
    "the and to of a in for with you will our is be on as are we your an or this at by have "
    "that from all can their who it has not"
).split()
COMMON_WORDS = (
    "experience team work skills support working role service development management ability "
    "knowledge business opportunity including within across new strong data clients customers "
    "ensure provide required excellent company time"
).split()
SKILLS = (
    "Python", "SQL", "machine learning", "Kubernetes", "project management", "Docker", "Java",
    "JavaScript", "TypeScript", "Excel", "data analysis", "stakeholder management", "Linux",
    "Git", "customer service", "Tableau", "Power BI", "Terraform", "leadership", "budgeting",
    "Apache Spark", "React", "risk management", "agile", "communication skills", "PostgreSQL",
    "Microsoft Azure", "Google Cloud", "statistics", "deep learning", "data visualization",
    "negotiation", "Salesforce", "C#", "Go", "Scala", "financial reporting", "recruitment",
    "safeguarding", "patient care",
)  # fmt: skip
LISTING_HEADINGS = (
    ("Responsibilities:", "Key responsibilities:", "What you will do:"),
    ("Requirements:", "Qualifications:", "What we are looking for:"),
    ("Benefits:", "What we offer:", "About us:"),
)
RESUME_HEADINGS = (
    ("Experience:", "Work history:", "Professional experience:"),
    ("Skills:", "Key skills:", "Technical skills:"),
    ("Education:", "Training:", "Certifications:"),
)
SENIORITY = ("", "", "", "Senior ", "Junior ", "Lead ", "Principal ", "Graduate ")
JOB_NOUNS = (
    "Engineer", "Manager", "Analyst", "Developer", "Coordinator", "Assistant", "Specialist",
    "Consultant", "Technician", "Officer", "Designer", "Administrator", "Nurse", "Scientist",
    "Advisor", "Director", "Accountant", "Architect", "Supervisor", "Lead",
)  # fmt: skip
ONSETS = (
    "b c d f g h j k l m n p r s t v w z br ch cl cr dr fl fr gl gr pl pr sc sh sl sn sp st th tr"
).split()
VOWELS = "a e i o u ai ea ee ou io oa".split()
CODAS = ("", "n", "r", "s", "l", "t", "m", "nd", "st", "ck", "x")
# Made-up words containing these are dropped: nobody wants to read them in a sample listing.
BLOCKED = (
    "fuck", "shit", "cunt", "piss", "dick", "cock", "tit", "fag", "nig", "slut", "whor", "rape",
    "porn", "anal", "sex", "cum", "puss", "twat", "wank", "bitch", "arse", "crap", "nazi", "kill",
    "dam", "hell", "suck", "poo", "pee", "butt", "boob", "kike", "spic", "chink", "gook", "homo",
)  # fmt: skip
# Zipf draws are one gather from this many slots, word k having round(p_k * slots) of them
# (the rarest of 80,000 words at exponent 1.1 still gets 1-2; the table stays cache-sized).
SAMPLING_TABLE = 1 << 22


class Pieces:
    """Text pieces (words, separators) concatenated into one byte array, rendered by gathers."""

    def __init__(self, pieces: Sequence[str]) -> None:
        encoded = [piece.encode() for piece in pieces]
        self.lengths = np.array([len(e) for e in encoded], dtype=np.int64)
        self.starts = np.concatenate([[0], np.cumsum(self.lengths)[:-1]]).astype(np.int64)
        self.blob = np.frombuffer(b"".join(encoded), dtype=np.uint8)

    def render(self, ids: np.ndarray) -> tuple[bytes, np.ndarray]:
        """Return the pieces ``ids`` (1-D) concatenated, and the end offset of each piece."""
        lengths = self.lengths[ids]
        ends = np.cumsum(lengths)
        shift = np.repeat(self.starts[ids] - (ends - lengths), lengths)
        shift += np.arange(int(ends[-1]), dtype=np.int64)
        return self.blob[shift].tobytes(), ends


# A word is rendered with what follows it: one piece per word, capitalisation and separator.
SEPARATORS = (" ", ", ", ". ", ".", "")  # "" before a heading, which is a piece of its own
SPACE, COMMA, PERIOD, END, BARE = range(len(SEPARATORS))
VARIANTS = 2 * len(SEPARATORS)  # piece = word * VARIANTS + capitalised * 5 + separator


class Synthetic:
    """Job-posting-like texts drawn from a Zipfian vocabulary; JSON-escaped, so ready for JSONL.

    Words are function words, common posting words, made-up words by Zipf rank, then skills.
    """

    def __init__(self, seed: int, vocabulary: int, exponent: float) -> None:
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        rng = np.random.default_rng(seed)
        syllables = [o + v + c for o in ONSETS for v in VOWELS for c in CODAS]
        reserved = set(FUNCTION_WORDS) | set(COMMON_WORDS) | set(ENGLISH_STOP_WORDS)
        made_up: dict[str, None] = {}
        while len(made_up) < vocabulary:
            count = int((vocabulary - len(made_up)) * 1.2) + 100
            lengths = rng.integers(2, 4, count)
            parts = rng.integers(0, len(syllables), (count, 3))
            for length, row in zip(lengths.tolist(), parts.tolist(), strict=True):
                word = "".join(syllables[p] for p in row[:length])
                if word not in reserved and not any(bad in word for bad in BLOCKED):
                    made_up[word] = None
        # Short words are the frequent ones, as in real text; equal lengths stay in random order.
        ranked = FUNCTION_WORDS + COMMON_WORDS + sorted(list(made_up)[:vocabulary], key=len)
        self.fixed = len(FUNCTION_WORDS) + len(COMMON_WORDS)
        self.ranked = len(ranked)
        weights = np.arange(1, self.ranked + 1, dtype=np.float64) ** -exponent
        cdf = np.cumsum(weights) / weights.sum()
        slots = np.diff(np.round(cdf * SAMPLING_TABLE).astype(np.int64), prepend=0)
        self.table = np.repeat(np.arange(self.ranked, dtype=np.int32), slots)
        skill_weights = np.arange(1, len(SKILLS) + 1, dtype=np.float64) ** -1.0
        self.skill_cdf = np.cumsum(skill_weights) / skill_weights.sum()

        pieces = [
            form + separator
            for word in ranked + list(SKILLS)
            for form in (word, word[:1].upper() + word[1:])
            for separator in SEPARATORS
        ]
        self.headings: dict[str, int] = {}
        for heading in (h for group in LISTING_HEADINGS + RESUME_HEADINGS for h in group):
            self.headings[heading] = len(pieces)
            pieces.append(f".\\n\\n{heading}\\n")  # JSON-escaped newlines
        self.seniority = len(pieces)
        self.nouns = self.seniority + len(SENIORITY)
        pieces += list(SENIORITY) + [f" {noun}" for noun in JOB_NOUNS]
        if any('"' in piece or "\\" in piece.replace("\\n", "") for piece in pieces):
            raise ValueError("pieces must not need JSON escaping")
        self.pieces = Pieces(pieces)

    def _words(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        return self.table[rng.integers(0, SAMPLING_TABLE, shape, dtype=np.int32)]

    def texts(
        self,
        rng: np.random.Generator,
        count: int,
        words: tuple[int, int],
        skills: tuple[int, int],
        headings: Sequence[Sequence[str]],
    ) -> tuple[bytes, np.ndarray]:
        """Return ``count`` texts of ``words`` (low, high) words with ``skills`` skill mentions.

        The result is the texts concatenated and each text's end offset in it.
        """
        lengths = rng.integers(words[0], words[1] + 1, count)
        width = words[1]
        ids = self._words(rng, (count, width))
        rows = np.arange(count)
        wanted = rng.integers(skills[0], skills[1] + 1, count)
        slots = (rng.random((count, skills[1])) * lengths[:, None]).astype(np.int64)
        keep = np.arange(skills[1]) < wanted[:, None]
        chosen = np.searchsorted(self.skill_cdf, rng.random(int(keep.sum())))
        ids[np.broadcast_to(rows[:, None], slots.shape)[keep], slots[keep]] = self.ranked + chosen
        draw = rng.random((count, width), dtype=np.float32)
        separators = np.full((count, width), SPACE, dtype=np.int32)
        separators[draw < 1 / 16] = COMMA
        separators[draw > 1 - 1 / 13] = PERIOD
        separators[rows, lengths - 1] = END
        inserted_rows, inserted_at, inserted = [], [], []
        for slot, options in enumerate(headings):
            at = lengths * (0.3 + 0.27 * slot) + rng.integers(-5, 6, count)
            at = np.clip(at.astype(np.int64), 1, lengths - 2)
            present = rng.random(count) < (0.5 if slot == 2 else 1.0)  # 2 or 3 headings
            choice = np.array([self.headings[h] for h in options])[
                rng.integers(0, len(options), count)
            ]
            separators[rows[present], at[present] - 1] = BARE
            inserted_rows.append(rows[present])
            inserted_at.append(at[present])
            inserted.append(choice[present])
        capital = np.ones((count, width), dtype=bool)
        capital[:, 1:] = separators[:, :-1] >= PERIOD
        pieces = ids * VARIANTS + separators
        pieces[capital] += len(SEPARATORS)
        flat = pieces[np.arange(width) < lengths[:, None]]
        # Each heading goes in after the word before it: at its offset in ``flat``.
        row_starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        heading_rows = np.concatenate(inserted_rows)
        offsets = row_starts[heading_rows] + np.concatenate(inserted_at)
        flat = np.insert(flat, offsets, np.concatenate(inserted))
        text, ends = self.pieces.render(flat)
        per_text = lengths + np.bincount(heading_rows, minlength=count)
        return text, ends[np.cumsum(per_text) - 1]

    def titles(self, rng: np.random.Generator, count: int) -> tuple[bytes, np.ndarray]:
        """Return ``count`` titles such as "Senior Braistock Engineer", concatenated, and ends."""
        word = self._words(rng, (count,))
        word = np.where(word < self.fixed, word + self.fixed, word)
        stream = np.stack(
            [
                self.seniority + rng.integers(0, len(SENIORITY), count),
                word * VARIANTS + len(SEPARATORS) + BARE,
                self.nouns + rng.integers(0, len(JOB_NOUNS), count),
            ],
            axis=1,
        )
        text, ends = self.pieces.render(stream.ravel())
        return text, ends[2::3]


def pieces_of(text: bytes, ends: np.ndarray) -> list[bytes]:
    starts = np.concatenate([[0], ends[:-1]]).tolist()
    return [text[s:e] for s, e in zip(starts, ends.tolist(), strict=True)]


_GENERATOR: Synthetic | None = None  # set before the pool forks, so each process has one


def listing_lines(task: tuple[int, int, int]) -> bytes:
    """Return JSON lines of listings ``start`` to ``start + count``, from their own seed."""
    seed, start, count = task
    assert _GENERATOR is not None
    rng = np.random.default_rng([seed, 0, start])
    titles = pieces_of(*_GENERATOR.titles(rng, count))
    bodies = pieces_of(*_GENERATOR.texts(rng, count, (240, 360), (3, 10), LISTING_HEADINGS))
    return b"".join(
        b'{"id":"L%d","title":"%s","description":"%s"}\n' % (start + i, title, body)
        for i, (title, body) in enumerate(zip(titles, bodies, strict=True))
    )


def write_synthetic(config: Result, corpus: Path, sizes: list[int], resumes: int) -> None:
    """Write listings_<N>.jsonl (each a prefix of the largest) and resumes.jsonl.

    Chunks of 10,000 listings are generated on every core, each from its own seed, so the
    texts depend on --seed only.
    """
    global _GENERATOR
    _GENERATOR = Synthetic(config["seed"], config["vocabulary"], config["zipf"])
    # Chunks of up to 10,000 that end at every size, so each is written whole to its files.
    bounds = sorted({*range(0, max(sizes), 10_000), *sizes})
    tasks = [(config["seed"], start, end - start) for start, end in itertools.pairwise(bounds)]
    files = {n: (corpus / f"listings_{n}.jsonl").open("wb") for n in sizes}
    try:
        with multiprocessing.get_context("fork").Pool(min(2, os.cpu_count() or 1)) as pool:
            for (_, start, _), lines in zip(tasks, pool.imap(listing_lines, tasks), strict=True):
                for n, handle in files.items():
                    if n > start:
                        handle.write(lines)
    finally:
        for handle in files.values():
            handle.close()
    rng = np.random.default_rng([config["seed"], 1])
    texts = pieces_of(*_GENERATOR.texts(rng, resumes, (340, 460), (6, 16), RESUME_HEADINGS))
    with (corpus / "resumes.jsonl").open("wb") as handle:
        for i, text in enumerate(texts):
            handle.write(b'{"id":"R%d","text":"%s"}\n' % (i, text))


def read_postings(path: Path) -> list[tuple[str, str]]:
    """Return (title, description) of the postings in a JSON Lines file that have a description."""
    postings = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                row = json.loads(line)
                if row.get("description"):
                    postings.append((str(row.get("title") or ""), str(row["description"])))
    return postings


def write_real(
    config: Result, corpus: Path, sizes: list[int], resumes: int, postings: list[tuple[str, str]]
) -> list[str]:
    """Write real postings as listings_<N>.jsonl and resumes.jsonl; return notes."""
    notes = []
    for n in sizes:
        with (corpus / f"listings_{n}.jsonl").open("w", encoding="utf-8") as handle:
            for i, (title, description) in enumerate(postings[:n]):
                row = {"id": f"P{i}", "title": title, "description": description}
                handle.write(json.dumps(row) + "\n")  # ASCII: U+2028 stays escaped
    resume_path = Path(config["resumes"]) if config["resumes"] else DEFAULT_RESUMES
    if resume_path.is_file():
        with resume_path.open(encoding="utf-8") as lines:
            texts = [json.loads(line)["text"] for line in lines if line.strip()]
        notes.append(f"resumes: the text of {len(texts):,} queries in {resume_path.name}")
    else:
        rest = postings[max(sizes) :] or postings
        texts = [f"{title}\n{description}" for title, description in rest]
        overlap = "" if len(postings) > max(sizes) else " (also listings: none left over)"
        notes.append(f"resumes: {len(texts):,} other postings' title + description{overlap}")
    write_resumes(corpus, [texts[i % len(texts)] for i in range(resumes)])
    if len(texts) < resumes:
        notes.append(f"resumes cycled: {len(texts):,} texts for {resumes:,} uses")
    return notes


# Where a posting is cut into the pieces --real-like recombines: sentence ends and line breaks.
_PIECE_BREAK = re.compile(r"(?<=[.!?])\s+|\s*\n\s*")


def real_like(postings: list[tuple[str, str]], count: int, seed: int) -> list[tuple[str, str]]:
    """Return ``count`` listings made of real postings' sentences, recombined.

    Each takes a real posting's title and its number of pieces (sentences and lines), so that
    lengths, and with them non-zeros per listing, follow the real ones; the pieces are drawn
    at random from all the postings' pieces. Real boards repeat sentences less than this
    (each piece recurs about count x pieces / all pieces times), which flatters any cache of
    per-sentence work: quote --real figures beside these.
    """
    cut = [[p for p in _PIECE_BREAK.split(d) if p.strip()] for _, d in postings]
    pool = [piece for pieces in cut for piece in pieces]
    rng = np.random.default_rng([seed, 2])
    models = rng.integers(0, len(postings), count)
    sizes = np.array([len(cut[i]) for i in models.tolist()])
    drawn = rng.integers(0, len(pool), int(sizes.sum())).tolist()
    out, at = [], 0
    for model, size in zip(models.tolist(), sizes.tolist(), strict=True):
        out.append((postings[model][0], "\n".join(pool[j] for j in drawn[at : at + size])))
        at += size
    return out


def write_resumes(corpus: Path, texts: Sequence[str]) -> None:
    with (corpus / "resumes.jsonl").open("w", encoding="utf-8") as handle:
        for i, text in enumerate(texts):
            handle.write(json.dumps({"id": f"R{i}", "text": text}) + "\n")


def corpus_worker(config: Result, result: Result) -> None:
    corpus = Path(config["workdir"]) / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    sizes = config["sizes"]
    postings = read_postings(Path(config["real"])) if config["real"] else []
    if config.get("real_like"):
        postings = real_like(postings, max(sizes), config["seed"])
        result["notes"]["like"] = "listings: real postings' sentences recombined (--real-like)"
    elif config["real"]:
        capped = sorted({min(n, len(postings)) for n in sizes})
        if capped != sizes:
            result["notes"]["sizes"] = f"sizes capped at the {len(postings):,} postings with text"
        sizes = capped
    needed = max(config["queries"] + 1, config["batch"], config["cli_runs"])
    start = time.perf_counter()
    if config["resumes"] and not config["real"]:
        with Path(config["resumes"]).open(encoding="utf-8") as lines:
            texts = [json.loads(line)["text"] for line in lines if line.strip()]
        write_synthetic(config, corpus, sizes, 1)
        write_resumes(corpus, [texts[i % len(texts)] for i in range(needed)])
        result["notes"]["resumes"] = f"resumes: {len(texts):,} texts of {config['resumes']}"
    elif config["real"]:
        for i, note in enumerate(write_real(config, corpus, sizes, needed, postings)):
            result["notes"][f"real{i}"] = note
    else:
        write_synthetic(config, corpus, sizes, needed)
    result["values"]["seconds"] = time.perf_counter() - start
    result["values"]["sizes"] = sizes
    largest = corpus / f"listings_{max(sizes)}.jsonl"
    result["values"]["bytes"] = largest.stat().st_size
    listings = read_jsonl(largest, 2000)
    resumes = read_jsonl(corpus / "resumes.jsonl", 2000)
    result["values"]["listing_words"] = statistics.mean(
        len(f"{row['title']} {row['description']}".split()) for row in listings
    )
    result["values"]["resume_words"] = statistics.mean(len(row["text"].split()) for row in resumes)
    for i, row in enumerate(resumes[: config["cli_runs"]]):
        (corpus / f"resume_{i}.txt").write_text(row["text"], encoding="utf-8")
    result["values"]["sample_listing"] = listings[0]["title"] + "\n" + listings[0]["description"]


# ----------------------------------------------------------------------------------------------
# Workers: one process per method and size


def read_jsonl(path: Path, limit: int | None = None) -> list[Result]:
    rows = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                rows.append(json.loads(line))
                if len(rows) == limit:
                    break
    return rows


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


class Progress:
    """Print to the worker's log how far a build is, every 2% of its steps: a long build that
    is stopped still tells its rate and memory."""

    def __init__(self, total: int) -> None:
        self.total, self.done, self.next = total, 0, 0
        self.started = time.perf_counter()

    def __call__(self, steps: int) -> None:
        self.done += steps
        if self.done >= self.next:
            self.next += max(1, self.total // 50)
            print(
                f"{time.perf_counter() - self.started:8.1f}s {self.done:,} of {self.total:,} "
                f"steps, CPU of this process and ended workers {cpu_seconds():,.0f}s, "
                f"peak RSS {peak_rss_mb():,.0f} MB",
                flush=True,
            )


def cpu_seconds() -> float:
    """Return the CPU seconds (user + system) of this process and its ended children."""
    mine, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN
    )
    return mine.ru_utime + mine.ru_stime + children.ru_utime + children.ru_stime


def timed(function: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    value = function(*args, **kwargs)
    return value, time.perf_counter() - start


def latencies(function: Callable[[str], Any], texts: Sequence[str]) -> dict[str, float]:
    """Return p50 and p95 ms of ``function`` over ``texts[:-1]``, after a warm-up on the last."""
    function(texts[-1])
    times = []
    for text in texts[:-1]:
        start = time.perf_counter()
        function(text)
        times.append((time.perf_counter() - start) * 1000)
    return {"p50": float(np.percentile(times, 50)), "p95": float(np.percentile(times, 95))}


def top_rows(scores: np.ndarray, k: int = TOP_K) -> np.ndarray:
    k = min(k, len(scores))
    best = np.argpartition(-scores, k - 1)[:k]
    return best[np.argsort(-scores[best], kind="stable")]


def query_texts(config: Result, count: int) -> list[str]:
    """Return the first ``count`` resumes, and one more for warming up."""
    rows = read_jsonl(Path(config["workdir"]) / "corpus" / "resumes.jsonl", count + 1)
    return [row["text"] for row in rows]


def listing_rows(config: Result, n: int) -> Iterator[Result]:
    """Yield the listings of size ``n`` one by one, so that only what is kept takes memory."""
    with (Path(config["workdir"]) / "corpus" / f"listings_{n}.jsonl").open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


class Stages:
    """Record a worker's figures, notes and peak RSS, saving them after every stage."""

    def __init__(self, result: Result, path: Path) -> None:
        self.result, self.path = result, path

    def done(self, stage: str, **values: Any) -> None:
        self.result["values"].update(values)
        self.result["rss"][stage] = peak_rss_mb()
        self.save()

    def na(self, key: str, why: str) -> None:
        self.result["na"][key] = why
        self.save()

    def save(self) -> None:
        self.path.write_text(json.dumps(self.result, indent=1), encoding="utf-8")


def sklearn_worker(config: Result, n: int, stages: Stages) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    texts = [f"{row['title']}\n{row['description']}" for row in listing_rows(config, n)]
    stages.done("read")
    vectorizer = TfidfVectorizer()
    before = cpu_seconds()
    matrix, seconds = timed(vectorizer.fit_transform, texts)
    cpu = cpu_seconds() - before
    del texts
    gc.collect()
    stages.done(
        "build", build_s=seconds, cpu_s=cpu, nnz=int(matrix.nnz), terms=len(vectorizer.vocabulary_)
    )
    if config.get("build_only"):
        return
    queries = query_texts(config, config["queries"])

    def sparse(text: str) -> np.ndarray:
        query = vectorizer.transform([text])
        return top_rows((matrix @ query.T).toarray().ravel())

    def dense(text: str) -> np.ndarray:
        query = vectorizer.transform([text])
        return top_rows(matrix @ query.toarray().ravel())

    def cosine(text: str) -> np.ndarray:
        return top_rows(cosine_similarity(vectorizer.transform([text]), matrix).ravel())

    stages.done("query csr", q_csr=latencies(sparse, queries))
    stages.done("query dense", q_dense=latencies(dense, queries))
    if n <= config["cosine_max"]:
        stages.done("query cosine", q_cosine=latencies(cosine, queries))
    else:
        stages.na("q_cosine", f"n/a (skipped above {config['cosine_max']:,}: slow; --cosine-max)")


def bm25s_worker(config: Result, n: int, stages: Stages) -> None:
    try:
        import bm25s
    except ModuleNotFoundError:
        stages.na("build", "n/a (bm25s not installed: pip install -e '.[bench]')")
        return
    texts = [f"{row['title']}\n{row['description']}" for row in listing_rows(config, n)]
    stages.done("read")
    tokens, tokenize_s = timed(bm25s.tokenize, texts, stopwords="en", show_progress=False)
    del texts
    gc.collect()
    stages.done("tokenize", tokenize_s=tokenize_s)
    retriever = bm25s.BM25()
    _, index_s = timed(retriever.index, tokens, show_progress=False)
    del tokens
    gc.collect()
    stages.done("build", build_s=tokenize_s + index_s, index_s=index_s)
    queries = query_texts(config, config["queries"])

    def query(text: str) -> Any:
        words = bm25s.tokenize(text, stopwords="en", return_ids=False, show_progress=False)
        return retriever.retrieve(words, k=TOP_K, show_progress=False)

    stages.done("query", q_bm25s=latencies(query, queries))


def nnz_of(matcher: Any) -> int | None:
    index = getattr(matcher, "index_", None)
    matrix = getattr(index, "matrix", None)
    if matrix is not None and hasattr(matrix, "nnz"):
        return int(matrix.nnz)
    nnz = getattr(index, "nnz", None)
    if callable(nnz):
        nnz = nnz()
    return int(nnz) if isinstance(nnz, (int, np.integer)) else None


def folder_files(folder: Path) -> dict[str, int]:
    return {
        str(path.relative_to(folder)): path.stat().st_size
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def failed(exc: Exception) -> str:
    return f"error: {type(exc).__name__}: {exc}"[:160]


def matcher_build_worker(config: Result, n: int, stages: Stages) -> None:
    """Build matcher at ``n`` listings and save it; search it here only if it cannot be loaded.

    A loadable index is searched by ``matcher_query_worker`` in a fresh process, so that its
    peak RSS is that of a process serving a saved index.
    """
    sys.path.insert(0, str(ROOT))
    from matcher import Listing, Matcher

    listings = [
        Listing(id=row["id"], title=row["title"], description=row["description"])
        for row in listing_rows(config, n)
    ]
    stages.done("read")
    if config.get("build_only"):
        before = cpu_seconds()
        matcher, seconds = timed(Matcher, listings, progress=Progress(2 * n))
        stages.done(
            "build",
            build_s=seconds,
            cpu_s=cpu_seconds() - before,
            nnz=nnz_of(matcher),
            workers_rss=peak_rss_mb(resource.RUSAGE_CHILDREN),
        )
        return
    if n > 20_000:
        probe = max(2_000, n // 100)
        _, seconds = timed(Matcher, listings[:probe])
        gc.collect()
        estimate = seconds * n / probe
        stages.done("probe", probe=probe, probe_s=seconds, estimate_s=estimate)
        if estimate > config["max_build_seconds"]:
            sample = n // 10
            del listings[sample:]
            gc.collect()
            _, seconds = timed(Matcher, listings[:sample])
            stages.done(
                "build", build_s=seconds * n / sample, extrapolated=True, build_sample=sample
            )
            why = "n/a (build extrapolated: not built at this size)"
            for key in ("save", "load", "q_match", "q_scores", "batch_many", "batch_loop"):
                stages.na(key, why)
            return
    matcher, seconds = timed(Matcher, listings)
    del listings
    gc.collect()
    stages.done("build", build_s=seconds, nnz=nnz_of(matcher))
    folder = Path(config["workdir"]) / f"index_{n}"
    if not hasattr(matcher, "save"):
        stages.na("save", NOT_YET)
    else:
        if folder.exists():
            shutil.rmtree(folder)
        try:
            _, seconds = timed(matcher.save, folder)
        except Exception as exc:
            stages.na("save", failed(exc))
        else:
            if folder.is_dir():
                files = folder_files(folder)
            else:
                files = {folder.name: folder.stat().st_size}
            stages.done("save", save_s=seconds, files=files, disk_bytes=sum(files.values()))
    if not hasattr(Matcher, "load"):
        stages.na("load", NOT_YET)
    elif folder.exists():
        stages.done("save", loadable=True)
        return
    stages.done("save", searched="in-memory Matcher(listings) (no saved index to load)")
    search(config, stages, matcher)


def matcher_query_worker(config: Result, n: int, stages: Stages) -> None:
    """Load matcher's saved index of ``n`` listings (timed) and search it."""
    sys.path.insert(0, str(ROOT))
    from matcher import Matcher

    folder = Path(config["workdir"]) / f"index_{n}"
    times = []
    loaded: Any = None
    try:
        for _ in range(config["loads"]):
            loaded = None
            gc.collect()
            loaded, seconds = timed(Matcher.load, folder)
            times.append(seconds * 1000)
    except Exception as exc:
        stages.na("load", failed(exc))
        return
    stages.done(
        "load",
        load_ms=statistics.median(times),
        load_first_ms=times[0],
        loaded_nnz=nnz_of(loaded),
        searched="Matcher.load(DIR)",
    )
    search(config, stages, loaded)


def search(config: Result, stages: Stages, matcher: Any) -> None:
    """Time top-10 queries, and the batch if asked for, on ``matcher``."""
    wanted = config["matcher_stages"]
    if "queries" in wanted:
        queries = query_texts(config, config["queries"])
        match = latencies(lambda t: matcher.match(t, top_k=TOP_K), queries)
        stages.done("query match", q_match=match)
        if not hasattr(matcher, "scores"):
            stages.na("q_scores", NOT_YET)
        else:
            scores = latencies(lambda t: top_rows(np.asarray(matcher.scores(t))), queries)
            stages.done("query scores", q_scores=scores)
    if "batch" in wanted:
        texts = query_texts(config, config["batch"])[: config["batch"]]
        stages.result["values"]["batch_n"] = len(texts)
        if not hasattr(matcher, "match_many"):
            stages.na("batch_many", NOT_YET)
        else:
            try:
                results, seconds = timed(matcher.match_many, texts, top_k=TOP_K)
            except Exception as exc:
                stages.na("batch_many", failed(exc))
            else:
                if len(results) != len(texts):
                    why = f"wrong: {len(results)} result lists for {len(texts)} texts"
                    stages.na("batch_many", why)
                stages.done("match_many", batch_many_s=seconds)
        _, seconds = timed(lambda: [matcher.match(t, top_k=TOP_K) for t in texts])
        stages.done("match loop", batch_loop_s=seconds)


def cli_failure(process: subprocess.CompletedProcess[bytes]) -> str:
    error = process.stderr.decode(errors="replace")
    if any(s in error for s in ("No such command", "No such option", "unexpected extra arg")):
        return NOT_YET
    last = error.strip().splitlines()[-1][:90] if error.strip() else ""
    return f"failed (exit {process.returncode}): {last}"


def cli_build_worker(config: Result, n: int, stages: Stages) -> None:
    corpus = Path(config["workdir"]) / "corpus"
    folder = Path(config["workdir"]) / f"cli_index_{n}"
    command = [str(MATCHER_CLI), "index", "build", str(corpus / f"listings_{n}.jsonl")]
    command += ["-o", str(folder), "--quiet"]
    process, seconds = timed(subprocess.run, command, capture_output=True)
    if process.returncode != 0:
        stages.na("cli_build", cli_failure(process))
        return
    rss = peak_rss_mb(resource.RUSAGE_CHILDREN)
    stages.done("cli build", cli_build_s=seconds, cli_build_rss=rss)


def cli_match_worker(config: Result, n: int, stages: Stages) -> None:
    corpus = Path(config["workdir"]) / "corpus"
    folder = Path(config["cli_index"])
    times = []
    for i in range(config["cli_runs"]):
        command = [str(MATCHER_CLI), "match", str(corpus / f"resume_{i}.txt")]
        command += ["--index", str(folder), "--top", str(TOP_K)]
        start = time.perf_counter()
        process = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times.append((time.perf_counter() - start) * 1000)
        if process.returncode != 0:
            stages.na("cli_match", cli_failure(process))
            return
    stages.done(
        "cli match",
        cli_match_ms=statistics.median(times),
        cli_first_ms=times[0],
        cli_match_rss=peak_rss_mb(resource.RUSAGE_CHILDREN),
    )


WORKERS: dict[str, Callable[[Result, int, Stages], None]] = {
    "sklearn": sklearn_worker,
    "bm25s": bm25s_worker,
    "matcher": matcher_build_worker,
    "matcher-query": matcher_query_worker,
    "cli-build": cli_build_worker,
    "cli-match": cli_match_worker,
}


def worker_main(kind: str, n: int, workdir: Path, extra: str) -> None:
    config = json.loads((workdir / "config.json").read_text(encoding="utf-8"))
    config.update(json.loads(extra))
    limit = int(config["memory_limit_gb"] * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    result = empty_result()
    path = workdir / "results" / f"{kind}_{n}.json"
    stages = Stages(result, path)
    start = time.perf_counter()
    try:
        if kind == "corpus":
            corpus_worker(config, result)
        else:
            WORKERS[kind](config, n, stages)
    except MemoryError:
        result["error"] = f"out of memory (over the {config['memory_limit_gb']:g} GB limit)"
    except Exception as exc:  # a half-written matcher must not stop the benchmark
        result["error"] = f"{type(exc).__name__}: {exc}"[:200]
        import traceback

        traceback.print_exc()
    result["wall_s"] = time.perf_counter() - start
    stages.save()


# ----------------------------------------------------------------------------------------------
# The orchestrator: runs the workers one after the other and prints the tables


class Run:
    def __init__(self, args: argparse.Namespace, workdir: Path) -> None:
        self.args, self.workdir = args, workdir
        self.started = time.perf_counter()
        (workdir / "results").mkdir(parents=True, exist_ok=True)
        (workdir / "logs").mkdir(exist_ok=True)

    def worker(self, kind: str, n: int = 0, **extra: Any) -> Result:
        name = f"{kind}_{n}"
        self.progress(f"{kind} at {n:,} ..." if n else f"{kind} ...")
        path = self.workdir / "results" / f"{name}.json"
        path.unlink(missing_ok=True)
        command = [sys.executable, str(Path(__file__).resolve()), "--worker", kind]
        command += ["--n", str(n), "--workdir", str(self.workdir), "--extra", json.dumps(extra)]
        log = self.workdir / "logs" / f"{name}.log"
        with log.open("wb") as handle:
            code = subprocess.run(command, stdout=handle, stderr=subprocess.STDOUT).returncode
        if path.exists():
            result = json.loads(path.read_text(encoding="utf-8"))
        else:
            result = empty_result()
        if code != 0 and not result.get("error"):
            killed = " (killed: out of memory?)" if code in (-9, 137) else ""
            result["error"] = f"worker exited with code {code}{killed}"
        if result.get("error"):
            tail = log.read_text(errors="replace").strip().splitlines()[-3:]
            self.progress(f"  {kind} at {n:,}: {result['error']}; log: " + " | ".join(tail))
        return result

    def matcher(self, n: int, stages: list[str]) -> Result:
        """Build matcher at ``n`` (one process), then load and search it (a second process)."""
        stages = ["build", *stages] if "build" not in stages else stages
        result = self.worker("matcher", n, matcher_stages=stages)
        if result["values"].get("loadable") and not result.get("error"):
            query = self.worker("matcher-query", n, matcher_stages=stages)
            result["values"].update(query["values"])
            result["na"].update(query["na"])
            result["rss2"] = query["rss"]
            result["error"] = query.get("error")
        return result

    def progress(self, message: str) -> None:
        elapsed = time.perf_counter() - self.started
        print(f"[{elapsed:7.1f}s] {message}", file=sys.stderr, flush=True)


def empty_result() -> Result:
    return {"values": {}, "rss": {}, "na": {}, "notes": {}, "error": None}


def fmt_ms(value: float) -> str:
    return f"{value:.2f}" if value < 100 else f"{value:,.0f}"


def status(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def cell(result: Result, key: str, default: str = "n/a") -> str:
    """Why a figure is missing: the worker's own reason, its error, or ``default``."""
    if key in result["na"]:
        return str(result["na"][key])
    if result.get("error"):
        return f"error: {result['error']}"
    return default


def line(name: str, figures: Sequence[str] | str, target: str = "") -> None:
    """Print a table row: figures right-aligned in columns, or one reason in their place.

    A name too long for the first column gets a line of its own.
    """
    text = figures if isinstance(figures, str) else " ".join(f"{f:>10}" for f in figures)
    target = f"   {target}" if target else ""
    if len(name) > NAME_WIDTH:
        print(f"  {name}\n      {text}{target}")
    else:
        print(f"  {name:{NAME_WIDTH}} {text}{target}")


NAME_WIDTH = 44


def print_size_table(
    n: int, corpus: Result, results: tuple[Result, Result, Result], loads: int, targets: Targets
) -> None:
    """Print one size's tables; add matcher's figures against its targets to ``targets``."""
    sk, bm, mt = results
    kind = "real postings" if corpus["values"].get("real") else "synthetic"
    print(f"\n=== {n:,} listings ({kind}, ~{corpus['values']['listing_words']:.0f} words each)")
    sk_build = sk["values"].get("build_s")
    line("index build", ["seconds", "docs/s", "x sk", RSS], "target")
    for name, result in (
        ("scikit-learn TfidfVectorizer().fit_transform", sk),
        ("bm25s tokenize + BM25().index", bm),
        ("matcher Matcher(listings)", mt),
    ):
        seconds = result["values"].get("build_s")
        target = f">= {TARGET_BUILD_RATIO:g}x sk" if result is mt else ""
        label = f"build >= {TARGET_BUILD_RATIO:g}x scikit-learn docs/s"
        if seconds is None:
            line(name, cell(result, "build"), target)
            if result is mt:
                targets.append((label, n, cell(result, "build"), "n/a"))
            continue
        ratio = sk_build / seconds if sk_build else float("nan")
        guess = "~" if result["values"].get("extrapolated") else ""
        if result is mt:
            target += f": {status(ratio >= TARGET_BUILD_RATIO)}"
            extra = " (extrapolated)" if guess else ""
            targets.append((label, n, f"{ratio:.2f}x{extra}", status(ratio >= TARGET_BUILD_RATIO)))
        rss = result["rss"].get("build", float("nan"))
        figures = [f"{guess}{seconds:,.1f}", f"{guess}{n / seconds:,.0f}", f"{ratio:.2f}"]
        line(name, [*figures, f"{rss:,.0f}"], target)
    if "tokenize_s" in bm["values"]:
        v = bm["values"]
        print(f"    bm25s: tokenize {v['tokenize_s']:.1f}s + index {v['index_s']:.1f}s")
    if mt["values"].get("extrapolated"):
        v = mt["values"]
        print(
            f"    ~ matcher: a {v['probe']:,}-listing probe took {v['probe_s']:.1f}s, so "
            f"{n:,} would take ~{v['estimate_s']:,.0f}s > --max-build-seconds; timed on "
            f"{v['build_sample']:,} listings (10%) and scaled linearly"
        )
    elif "probe" in mt["values"]:
        v = mt["values"]
        print(f"    matcher: {v['probe']:,}-listing probe {v['probe_s']:.1f}s before the build")

    reference = (sk["values"].get("q_csr") or {}).get("p50")
    line("top-10 query latency, ms", ["p50", "p95", "x sk", RSS], "target")
    rows = [
        ("scikit-learn transform + matrix @ q.T", sk, "q_csr", "query csr"),
        ("scikit-learn transform + matrix @ dense q", sk, "q_dense", "query dense"),
        ("scikit-learn transform + cosine_similarity", sk, "q_cosine", "query cosine"),
        ("bm25s tokenize + retrieve(k=10)", bm, "q_bm25s", "query"),
        ("matcher .match(text, top_k=10)", mt, "q_match", "query match"),
        ("matcher .scores(text) + argpartition", mt, "q_scores", "query scores"),
    ]
    for name, result, key, stage in rows:
        figures = result["values"].get(key)
        target = ""
        label = f"top-10 query p50 <= {TARGET_QUERY_MS.get(n, 0):g} ms"
        if key == "q_match" and n in TARGET_QUERY_MS:
            target = f"p50 <= {TARGET_QUERY_MS[n]:g} ms"
        if figures is None:
            line(name, cell(result, key), target)
            if target:
                targets.append((label, n, cell(result, key), "n/a"))
            continue
        if target:
            ok = figures["p50"] <= TARGET_QUERY_MS[n]
            target += f": {status(ok)}"
            targets.append((label, n, f"{fmt_ms(figures['p50'])} ms", status(ok)))
        ratio = f"{reference / figures['p50']:.2f}" if reference else "n/a"
        peaks = {**result["rss"], **result.get("rss2", {})}
        rss = f"{peaks[stage]:,.0f}" if stage in peaks else "n/a"
        line(name, [fmt_ms(figures["p50"]), fmt_ms(figures["p95"]), ratio, rss], target)
    if "searched" in mt["values"]:
        print(f"    matcher searched: {mt['values']['searched']}")

    v = mt["values"]
    nnz = v.get("nnz") or v.get("loaded_nnz")
    label = f"<= {TARGET_BYTES_PER_NNZ:g} bytes per non-zero (saved index)"
    print("matcher saved index")
    if "disk_bytes" in v:
        size = v["disk_bytes"]
        if nnz:
            ok = size / nnz <= TARGET_BYTES_PER_NNZ
            per = f"{size / nnz:.2f} bytes per non-zero ({nnz:,} non-zeros)"
            targets.append((label, n, f"{size / nnz:.2f}", status(ok)))
            verdict = status(ok)
        else:
            per = f"{size / n:,.0f} bytes per listing (non-zeros unknown)"
            targets.append((label, n, per, "n/a"))
            verdict = "n/a"
        print(
            f"  save {v['save_s']:.1f}s; {size / 2**20:,.1f} MB on disk, {per}, "
            f"{size / n:,.0f} bytes per listing   target <= {TARGET_BYTES_PER_NNZ:g}: {verdict}"
        )
        files = sorted(v["files"].items(), key=lambda item: -item[1])
        big = [(name, bytes_) for name, bytes_ in files if bytes_ >= size / 50]
        shown = [
            f"{name} {bytes_ / 2**20:,.1f} MB" + (f" ({bytes_ / nnz:.2f}/nz)" if nnz else "")
            for name, bytes_ in big
        ]
        if len(big) < len(files):
            rest = sum(bytes_ for _, bytes_ in files[len(big) :])
            shown.append(f"{len(files) - len(big)} smaller files {rest / 2**20:,.1f} MB")
        for start in range(0, len(shown), 4):
            lead = "    files: " if start == 0 else " " * 11
            print(lead + ", ".join(shown[start : start + 4]))
    else:
        in_memory = f" ({nnz:,} non-zeros in memory)" if nnz else ""
        print(f"  save, size on disk: {cell(mt, 'save')}{in_memory}")
        targets.append((label, n, cell(mt, "save"), "n/a"))
    label = f"Matcher.load (mmap) <= {TARGET_LOAD_MS:g} ms"
    if "load_ms" in v:
        ok = v["load_ms"] <= TARGET_LOAD_MS
        print(
            f"  Matcher.load(DIR): {fmt_ms(v['load_ms'])} ms, median of {loads} (first "
            f"{fmt_ms(v['load_first_ms'])} ms)   target <= {TARGET_LOAD_MS:g} ms: {status(ok)}"
        )
        targets.append((label, n, f"{fmt_ms(v['load_ms'])} ms", status(ok)))
    else:
        print(f"  Matcher.load(DIR): {cell(mt, 'load')}")
        targets.append((label, n, cell(mt, "load"), "n/a"))
    print(f"{RSS} after each stage (each method and process on its own)")
    for process, stages in (
        ("scikit-learn", sk["rss"]),
        ("bm25s", bm["rss"]),
        ("matcher, build", mt["rss"]),
        ("matcher, load + search", mt.get("rss2", {})),
    ):
        if stages:
            shown = ", ".join(f"{stage} {mb:,.0f}" for stage, mb in stages.items())
            print(f"  {process}: {shown}")
    for label, result in (("scikit-learn", sk), ("bm25s", bm), ("matcher", mt)):
        if result.get("error"):
            print(f"  {label}: error: {result['error']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated Ns")
    parser.add_argument("--quick", action="store_true", help="10,000 listings only")
    parser.add_argument("--queries", type=int, default=50, help="resumes timed per method")
    parser.add_argument("--batch", type=int, default=1000, help="resumes in the batch test")
    parser.add_argument(
        "--real",
        type=Path,
        nargs="?",
        const=DEFAULT_REAL,
        metavar="PATH",
        help=f"real postings instead of synthetic ones (PATH default: {DEFAULT_REAL})",
    )
    parser.add_argument(
        "--real-like",
        action="store_true",
        help="with --real: listings made of the postings' sentences recombined, at any size",
    )
    parser.add_argument(
        "--build-only",
        action="store_true",
        help="time the index builds alone (matcher, then scikit-learn): docs/s, CPU s, peak RSS",
    )
    parser.add_argument(
        "--matcher-only", action="store_true", help="with --build-only: leave scikit-learn out"
    )
    parser.add_argument("--resumes", type=Path, help="JSON Lines with a text field")
    parser.add_argument("--max-build-seconds", type=float, default=900.0)
    parser.add_argument("--cosine-max", type=int, default=100_000)
    parser.add_argument("--cli-size", type=int, default=100_000)
    parser.add_argument("--cli-runs", type=int, default=7)
    parser.add_argument("--loads", type=int, default=7, help="Matcher.load calls timed")
    parser.add_argument("--vocabulary", type=int, default=80_000, help="made-up word types")
    parser.add_argument("--zipf", type=float, default=1.1, help="Zipf exponent")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--memory-limit-gb", type=float, default=10.0, help="address space limit per worker"
    )
    parser.add_argument("--keep", type=Path, metavar="DIR", help="keep corpora and indexes here")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--extra", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker_main(args.worker, args.n, args.workdir, args.extra)
        return

    if args.real_like and not args.real:
        args.real = DEFAULT_REAL
    sizes = [10_000] if args.quick else sorted({int(s) for s in args.sizes.split(",") if s})
    if args.real and not args.real.is_file():
        sys.exit(f"benchmarks/speed.py: {args.real} not found")
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        workdir = args.keep
    else:
        workdir = Path(tempfile.mkdtemp(prefix="matcher-speed-"))
    config = {
        "workdir": str(workdir),
        "sizes": sizes,
        "queries": args.queries,
        "batch": args.batch,
        "real": str(args.real) if args.real else None,
        "real_like": bool(args.real_like),
        "resumes": str(args.resumes) if args.resumes else None,
        "max_build_seconds": args.max_build_seconds,
        "cosine_max": args.cosine_max,
        "cli_runs": args.cli_runs,
        "loads": args.loads,
        "vocabulary": args.vocabulary,
        "zipf": args.zipf,
        "seed": args.seed,
        "memory_limit_gb": args.memory_limit_gb,
        "matcher_stages": ["build", "queries"],
        "build_only": bool(args.build_only),
    }
    (workdir / "config.json").write_text(json.dumps(config), encoding="utf-8")
    run = Run(args, workdir)
    try:
        report(run, args)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        run.progress(f"done{'' if not args.keep else f'; corpora and indexes kept in {workdir}'}")


def report(run: Run, args: argparse.Namespace) -> None:
    corpus = run.worker("corpus")
    if corpus.get("error"):
        sys.exit(f"benchmarks/speed.py: writing the corpus failed: {corpus['error']}")
    info = corpus["values"]
    info["real"] = bool(args.real)
    sizes: list[int] = info["sizes"]
    when = time.strftime("%Y-%m-%d %H:%M")
    python = sys.version.split()[0]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"matcher speed benchmark, {when}, python {python}, {os.cpu_count()} cpus, load {load}")
    real = "real-like, from the postings in" if args.real_like else "real postings from"
    kind = f"{real} {args.real}" if args.real else (
        f"synthetic (Zipf {args.zipf}, {args.vocabulary:,} made-up words + real ones, seed "
        f"{args.seed})"
    )  # fmt: skip
    print(
        f"corpus: {kind}; {info['bytes'] / 2**20:,.0f} MB for {max(sizes):,} listings written in "
        f"{info['seconds']:.1f}s; listings ~{info['listing_words']:.0f} words, resumes "
        f"~{info['resume_words']:.0f} words"
    )
    for note in corpus["notes"].values():
        print(f"  {note}")
    sample = " ".join(info["sample_listing"].split())
    print(f"  first listing: {sample[:150]} ...")
    print(
        f"queries: {args.queries} resumes per method, after one warm-up; 'x sk' = times faster "
        "than scikit-learn in this run (build: docs/s ratio; queries: against transform + "
        "matrix @ q.T, p50)"
    )
    if args.build_only:
        print_builds(run, args, sizes)
        return
    cli_n = max([n for n in sizes if n <= args.cli_size] or [min(sizes)])
    targets: Targets = []
    matchers: dict[int, Result] = {}
    for n in sizes:
        sk = run.worker("sklearn", n)
        bm = run.worker("bm25s", n)
        matchers[n] = run.matcher(n, ["queries"] + (["batch"] if n == max(sizes) else []))
        print_size_table(n, corpus, (sk, bm, matchers[n]), args.loads, targets)
        sys.stdout.flush()
    print_cli(run, args, cli_n, matchers[cli_n], targets)
    print_batch(run, args, sizes, matchers, targets)

    print("\n=== matcher against its targets")
    widths = [max(len(str(row[i])) for row in targets) for i in (0, 2)]
    for label, n, figure, verdict in targets:
        print(f"  {label:{widths[0]}}  {n:>9,}  {figure:{widths[1]}}  {verdict}")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\ntotal {time.perf_counter() - run.started:,.0f}s; load average at the end {load}")


def print_builds(run: Run, args: argparse.Namespace, sizes: list[int]) -> None:
    """Build matcher, then scikit-learn (unless --matcher-only), at each size: nothing else."""
    for n in sizes:
        print(f"\n=== index build alone at {n:,} listings")
        line("index build", ["seconds", "docs/s", "x sk", "CPU s", RSS])
        mt = run.worker("matcher", n)
        sk = empty_result() if args.matcher_only else run.worker("sklearn", n)
        sk_rate = n / sk["values"]["build_s"] if sk["values"].get("build_s") else None
        for name, result in (("matcher Matcher(listings)", mt), ("scikit-learn fit_transform", sk)):
            v = result["values"]
            if not v.get("build_s"):
                why = "left out (--matcher-only)" if result is sk and args.matcher_only else ""
                line(name, why or cell(result, "build"))
                continue
            rate = n / v["build_s"]
            ratio = f"{rate / sk_rate:.2f}" if sk_rate else "n/a"
            cpu = f"{v['cpu_s']:,.0f}" if "cpu_s" in v else ""
            rss = f"{result['rss'].get('build', float('nan')):,.0f}"
            if v.get("workers_rss"):
                rss += f" (each worker {v['workers_rss']:,.0f})"
            line(name, [f"{v['build_s']:,.1f}", f"{rate:,.0f}", ratio, cpu, rss])
        sys.stdout.flush()


def print_cli(run: Run, args: argparse.Namespace, n: int, mt: Result, targets: Targets) -> None:
    """Time ``matcher index build`` once and ``matcher match`` --cli-runs times, at ``n``."""
    print(f"\n=== command line at {n:,} listings: whole processes of {MATCHER_CLI}")
    folder = run.workdir / f"index_{n}"
    build = "matcher index build LISTINGS.jsonl -o DIR --quiet"
    match = f"matcher match RESUME.txt --index DIR --top {TOP_K}"
    label = f"CLI match <= {TARGET_CLI_MS:g} ms at 100k (median)"
    if not mt["values"].get("build_s") or mt["values"].get("extrapolated"):
        why = "skipped: matcher's library build was not run in full at this size"
        line(build, why)
        line(match, why)
        targets.append((label, n, "skipped (not built)", "n/a"))
        return
    cb = run.worker("cli-build", n)
    if "cli_build_s" in cb["values"]:
        v = cb["values"]
        seconds, rss = v["cli_build_s"], v["cli_build_rss"]
        line(build, f"{seconds:,.1f}s, {n / seconds:,.0f} docs/s, peak RSS {rss:,.0f} MB")
        folder = run.workdir / f"cli_index_{n}"
    else:
        line(build, cell(cb, "cli_build"))
    if not folder.exists():
        why = f"{NOT_YET} (no saved index: neither the CLI nor Matcher.save wrote one)"
        line(match, why)
        targets.append((label, n, NOT_YET, "n/a"))
        return
    cm = run.worker("cli-match", n, cli_index=str(folder))
    if "cli_match_ms" not in cm["values"]:
        line(match, cell(cm, "cli_match"))
        targets.append((label, n, cell(cm, "cli_match"), "n/a"))
        return
    v = cm["values"]
    ok = v["cli_match_ms"] <= TARGET_CLI_MS
    verdict = status(ok) if n == 100_000 else "n/a (not at 100k)"
    line(
        match,
        f"median {v['cli_match_ms']:,.0f} ms of {args.cli_runs} (first {v['cli_first_ms']:,.0f} "
        f"ms), peak RSS {v['cli_match_rss']:,.0f} MB",
        f"target <= {TARGET_CLI_MS:g} ms at 100k: {verdict}",
    )
    source = "the CLI's" if folder.name.startswith("cli_") else "Matcher.save's"
    print(f"    (searching {source} saved index)")
    targets.append((label, n, f"{v['cli_match_ms']:,.0f} ms", verdict))


def print_batch(
    run: Run,
    args: argparse.Namespace,
    sizes: list[int],
    matchers: dict[int, Result],
    targets: Targets,
) -> None:
    """Print match_many against a loop of match at the largest size matcher was built at."""
    print(f"\n=== batch: {args.batch:,} resumes, top {TOP_K}")
    label = f"batch 1,000 x 1M <= {TARGET_BATCH_S:g} s (match_many)"
    built = [
        n
        for n, result in matchers.items()
        if result["values"].get("build_s") and not result["values"].get("extrapolated")
    ]
    if not built:
        line("match_many", "n/a (matcher was not built in full at any size)")
        targets.append((label, max(sizes), "n/a (not built)", "n/a"))
        return
    n = max(built)
    batch = matchers[n]
    if n != max(sizes):
        print(f"  at {n:,} listings: matcher was not built in full at {max(sizes):,}")
        if batch["values"].get("loadable"):
            batch = run.worker("matcher-query", n, matcher_stages=["batch"])
        else:
            batch = run.matcher(n, ["batch"])
    v = batch["values"]
    print(f"  at {n:,} listings, searching {v.get('searched', '?')}")
    loop = v.get("batch_loop_s")
    line("loop of .match(text, top_k=10)", f"{loop:,.1f} s" if loop else cell(batch, "batch_loop"))
    if "batch_many_s" not in v:
        line(".match_many(texts, top_k=10)", cell(batch, "batch_many"))
        targets.append((label, n, cell(batch, "batch_many"), "n/a"))
        return
    many = v["batch_many_s"]
    ok = many <= TARGET_BATCH_S
    verdict = status(ok) if n == 1_000_000 else "n/a (not at 1M)"
    speedup = f" ({loop / many:.1f}x the loop)" if loop else ""
    if "batch_many" in batch["na"]:
        speedup += f"; {batch['na']['batch_many']}"
    line(".match_many(texts, top_k=10)", f"{many:,.1f} s{speedup}", f"target: {verdict}")
    targets.append((label, n, f"{many:,.1f} s", verdict))


if __name__ == "__main__":
    main()
