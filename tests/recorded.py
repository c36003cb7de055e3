"""Recorded answers of the build and the analysis, beyond the golden test's CLI cases.

What ``tests/test_same_build.py`` once checked against copies of earlier code is held here
against recordings made from the code itself (issue 19): each case is a digest (SHA-256) of
the arrays a build gives, under several ``Settings`` and worker counts, and of what the
analysis finds (headings, sentences, word forms, skill hits) on the bundled texts, the test
inputs and, where ``../shared`` is present, NHS postings. A change of behaviour shows as a
changed digest; the recording is then made again on purpose (say so in the commit)::

    python -m tests.recorded --record

The test is ``tests/test_recorded.py``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RECORDED = Path(__file__).resolve().parent / "data" / "recorded"
NHS = ROOT.parent / "shared" / "data" / "nhs_jobs" / "nhs_jobs_2020.jsonl"
NHS_SAMPLE = 2000

# Texts that once exercised the reference functions' corners.
HEADINGS = [
    "About the team Our team builds",
    "ABOUT US\nWe are a trust. Key responsibilities: run clinics",
    "Ba\u017fic qualifications: a degree",  # a long s matches "s" when case is ignored
    "Essential\n- registered nurse\nDesirable\n- ICU experience",
    "What you'll do: lead. Who you are: kind. The Role - manage wards",
    "Tools\u212a and Technology: SQL",
]
SENTENCES = [
    "Key responsibilities:\n\u2022 Lead ward rounds.  - Audit notes\n\nAbout us: We are a trust.",
    "  :- Lone piece with spaces \u2013 and dashes  ",
    "Salary range $30,000 per year. Equal opportunity employer. A plus: Python is a plus.",
]
WORD_FORMS = "Nurses AWS NeurIPS analysts the Company Name caches coaches NEWS news businesses"
NAMES = [
    "See WWW.NHS.UK/jobs or mail jo@trust.nhs.uk with Python",
    "Apply at nhsjobs.com/apply today. Contact Dr. Ruby Jenkins about Ruby and Jenkins",
    "Jane Smith\nPython developer, github.com/jane",
    "Contact Jane Smith for details on SQL",
    "Speak to our recruiter Tom Jones about Java",
    "References: Ann Lee, R and Go",
    "Dr Who and Mrs Brown know Excel",
    "CONTACT Jane Smith",
    "Referee\u017f: Ann Lee",
    "\u0130nformation only: Python, R or C; Go and gradient\nboosting. Node and Express",
    "C++ / C# / .NET",
]
SETTINGS = {
    "default": {},
    "plain": None,
    "sections-off": {"sections": False},
    "sublinear-off": {"sublinear_tf": False},
    "bigrams-off": {"bigrams": False},
    "plurals-off": {"plurals": False},
    "skills-off": {"skills": False},
    "skill-words": {"skill_words": True},
    "boilerplate-2": {"boilerplate_min_listings": 2},
}

Case = Callable[[], object]


def digest(value: object) -> str:
    """Return the SHA-256 of ``value`` written as sorted JSON."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def index_digests(index: object) -> dict[str, str]:
    """Return a digest of each array of an index (all segments), its dtype and shape, and of
    its terms: what 'the same index' means, bit for bit."""
    from matcher.index.model import Segments

    segments = index.segments if isinstance(index, Segments) else (index,)  # type: ignore[attr-defined]
    out = {"terms": digest(list(segments[0].terms))}
    for field in dataclasses.fields(segments[0]):
        if field.name in ("listings", "terms"):
            continue
        values = [getattr(s, field.name) for s in segments]
        if isinstance(values[0], np.ndarray):
            h = hashlib.sha256()
            for array in values:
                h.update(f"{array.dtype.str}{array.shape}".encode())
                h.update(np.ascontiguousarray(array).tobytes())
            out[field.name] = h.hexdigest()
        else:
            out[field.name] = digest(values)
    return out


def _settings(name: str) -> object:
    from matcher import Settings

    given = SETTINGS[name]
    return Settings.plain() if given is None else Settings(**given)


def _build(listings: list, name: str, workers: int) -> dict[str, str]:
    from matcher import builtin_vocabulary
    from matcher.analyse import Analyzer
    from matcher.engines.local import build_index

    analyzer = Analyzer(_settings(name), builtin_vocabulary())  # type: ignore[arg-type]
    return index_digests(build_index(listings, analyzer, workers=workers))


def _bundled() -> list:
    from matcher import load_listings

    return list(load_listings(ROOT / "fixtures" / "listings"))


def _nhs_texts(count: int) -> list[str]:
    with NHS.open(encoding="utf-8") as f:
        return [json.loads(next(f))["description"] or "" for _ in range(count)]


def _nhs_listings() -> list:
    import tempfile

    from matcher import load_listings

    with tempfile.TemporaryDirectory() as tmp, NHS.open(encoding="utf-8") as f:
        sample = Path(tmp) / "nhs_sample.jsonl"
        sample.write_text("".join(next(f) for _ in range(NHS_SAMPLE)), encoding="utf-8")
        return list(load_listings(sample))


def _texts() -> list[str]:
    resumes = sorted((ROOT / "fixtures" / "resumes").glob("*.txt"))
    listings = sorted((ROOT / "fixtures" / "listings").glob("*.txt"))
    return [p.read_text(encoding="utf-8") for p in [*resumes, *listings]]


def _headings(texts: list[str]) -> str:
    from matcher.analyse import headings

    return digest([headings(text) for text in texts])


def _sentences(texts: list[str]) -> dict[str, str]:
    from matcher.analyse import sentences

    out = {}
    for name in ("default", "plain"):
        settings = _settings(name)
        out[name] = digest([[(s.text, s.weight, s.kind, sorted(s.shingles), s.preferred)
                             for s in sentences(text, settings)] for text in texts])  # type: ignore[arg-type]  # fmt: skip
    return out


def _words() -> dict[str, list[str]]:
    from matcher.analyse.words import Words

    return {name: Words(_settings(name)).unigrams(WORD_FORMS)  # type: ignore[arg-type]
            for name in ("default", "plain", "plurals-off")}  # fmt: skip


def _hits(texts: list[str]) -> str:
    from matcher import builtin_vocabulary

    vocabulary = builtin_vocabulary()
    return digest([[dataclasses.astuple(hit) for hit in vocabulary.find(text)] for text in texts])


def bundled_cases() -> Iterator[tuple[str, Case]]:
    """Cases on the checkout's own texts."""
    for name in SETTINGS:
        yield f"build-bundled-{name}", lambda name=name: _build(_bundled(), name, 1)
    yield "headings", lambda: _headings(HEADINGS + _texts())
    yield "sentences", lambda: _sentences(SENTENCES + _texts())
    yield "word-forms", _words
    yield "skill-hits", lambda: _hits(NAMES + _texts())
    yield "skill-hits-names", lambda: [
        [dataclasses.astuple(h) for h in _vocabulary().find(text)] for text in NAMES
    ]


def _vocabulary() -> object:
    from matcher import builtin_vocabulary

    return builtin_vocabulary()


def nhs_cases() -> Iterator[tuple[str, Case]]:
    """Cases on NHS postings from ``../shared``: a build large enough for several workers."""
    for workers in (1, 2):
        yield f"build-nhs-default-{workers}", lambda w=workers: _build(_nhs_listings(), "default", w)
    yield "build-nhs-plain-1", lambda: _build(_nhs_listings(), "plain", 1)
    yield "headings-nhs", lambda: _headings(_nhs_texts(2000))
    yield "sentences-nhs", lambda: _sentences(_nhs_texts(1000))
    yield "skill-hits-nhs", lambda: _hits(_nhs_texts(300))


def record() -> None:
    """Write every case's answer to ``tests/data/recorded/<case>.json``."""
    RECORDED.mkdir(parents=True, exist_ok=True)
    cases = [*bundled_cases(), *(nhs_cases() if NHS.is_file() else [])]
    for name, case in cases:
        text = json.dumps(case(), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
        (RECORDED / f"{name}.json").write_text(text, encoding="utf-8")
        print(name, file=sys.stderr)


if __name__ == "__main__":
    if sys.argv[1:] != ["--record"]:
        sys.exit("usage: python -m tests.recorded --record")
    record()
