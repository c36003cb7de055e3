"""Fuzzing the readers: generated inputs and mutations of real files, for every kind of file.

A "crash" is an exception outside matcher's error classes, a hang (an input past
``--timeout`` seconds) or memory past the bound (the process's address space is limited to
what it holds plus ``--memory-mb``, so an input past it raises ``MemoryError``). Each input
comes from one ``random.Random`` seeded by its number, so a run is repeatable and a crash
can be replayed with ``--seed``/``--n 1``. ``tests/test_fuzz_readers.py`` runs every reader
with a small budget; on demand::

    python benchmarks/fuzz_readers.py --n 10000                 # every reader
    python benchmarks/fuzz_readers.py --n 10000 --reader docx   # one (repeatable)
    python benchmarks/fuzz_readers.py --reader pdf --show       # a traceback per kind

Readers: ``docx``, ``pdf`` (resumes), ``text`` (``.txt``/``.md`` resumes), ``json``,
``jsonl``, ``csv``, ``tsv``, ``page`` (saved-page ``.txt`` listings), ``markup`` (HTML and
Markdown descriptions), ``schema`` (schema.org JobPosting JSON-LD). Half the inputs of each are
mutations of real files (``fixtures/``, ``tests/data``), half are generated from nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import random
import re
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``tests`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import hostile  # noqa: E402
from tests.fuzz import Outcome, mutate_bytes, run_one  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
DATA = ROOT / "tests" / "data"

WORDS = ("Python", "SQL", "Jane", "Doe", "engineer", "Kubernetes", "C++", "R", "Go", "café",
         "naïve", "日本語", "\u2028", "\u00a0", "&amp;", "<b>", "**", "#", "- ", "|", "\t", "\\",
         '"', "'", "\r\n", "\n\n", "US, WA, Seattle", "Related content", "\ufeff", "\x0b",
         "&#x0;", "]]>", "<!--", "\U0001f600", "﷽", "0", "-1e999", "null")  # fmt: skip


def words(rng: random.Random, n: int | None = None) -> str:
    """Return ``n`` (or up to 60) words of ``WORDS`` and random characters, space-joined."""
    out = []
    for _ in range(rng.randint(0, 60) if n is None else n):
        if rng.random() < 0.1:
            out.append("".join(chr(rng.choice([rng.randrange(32, 0x250), rng.randrange(0x10FFFF)]))
                               for _ in range(rng.randint(1, 8))).encode("utf-8", "replace")
                       .decode("utf-8", "replace"))  # fmt: skip
        else:
            out.append(rng.choice(WORDS))
    return " ".join(out)


def samples(*patterns: str) -> list[bytes]:
    """Return the bytes of the real files matching ``patterns`` under fixtures/ and tests/data."""
    found = sorted({p for root in (FIXTURES, DATA) for pat in patterns for p in root.rglob(pat)})
    return [p.read_bytes() for p in found if p.is_file()]


# ------------------------------------------------------------------------------- makers


def xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def random_body(rng: random.Random, depth: int = 0) -> str:
    """Return random WordprocessingML: paragraphs, tables with merges, controls, text boxes."""
    parts = []
    for _ in range(rng.randint(0, 5)):
        kind = rng.randrange(8 if depth < 6 else 2)
        text = xml_text(words(rng, rng.randint(0, 6)))
        if kind <= 1:
            parts.append(
                f"<w:p><w:r><w:t xml:space='preserve'>{text}</w:t><w:tab/><w:br/></w:r></w:p>"
            )
        elif kind == 2:
            merge = rng.choice(["", "<w:vMerge/>", '<w:vMerge w:val="restart"/>',
                                '<w:gridSpan w:val="2"/>', '<w:hMerge w:val="continue"/>'])  # fmt: skip
            cells = "".join(f"<w:tc><w:tcPr>{merge}</w:tcPr>{random_body(rng, depth + 1) or '<w:p/>'}</w:tc>"
                            for _ in range(rng.randint(0, 3)))  # fmt: skip
            rows = f"<w:tr>{cells}</w:tr>" * rng.randint(0, 3)
            parts.append(f"<w:tbl><w:tblGrid/>{rows}</w:tbl>")
        elif kind == 3:
            parts.append(
                f"<w:sdt><w:sdtPr/><w:sdtContent>{random_body(rng, depth + 1)}</w:sdtContent></w:sdt>"
            )
        elif kind == 4:
            parts.append(f"<w:ins w:id='1'>{random_body(rng, depth + 1)}</w:ins>")
        elif kind == 5:
            parts.append(f"<w:p><w:r><w:pict><w:txbxContent>{random_body(rng, depth + 1)}"
                         "</w:txbxContent></w:pict></w:r></w:p>")  # fmt: skip
        elif kind == 6:
            parts.append(f"<w:p><w:del><w:r><w:delText>{text}</w:delText></w:r></w:del>"
                         f"<w:hyperlink><w:r><w:t>{text}</w:t></w:r></w:hyperlink></w:p>")  # fmt: skip
        else:
            parts.append(f"<w:customXml>{random_body(rng, depth + 1)}</w:customXml>")
    return "".join(parts)


def generated_docx(rng: random.Random) -> bytes:
    kind = rng.randrange(10)
    if kind == 0:
        return hostile.billion_laughs_docx(levels=rng.randint(2, 12))
    if kind == 1:
        return hostile.zip_bomb_docx(rng.choice([2, 20, 130]))
    if kind == 2:  # an element nested past libxml2's depth limit, or just under it
        depth = rng.choice([100, 255, 300, 3000])
        return hostile.docx(hostile.document_xml("<w:sdt><w:sdtContent>" * depth + "<w:p/>"
                                                 + "</w:sdtContent></w:sdt>" * depth))  # fmt: skip
    document = hostile.document_xml(random_body(rng))
    extra: dict[str, bytes] = {}
    if kind == 3:  # a package missing a part, or with a part of another kind
        names = ["[Content_Types].xml", "_rels/.rels", "word/document.xml"]
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as package:
            for name, data in zip(names, [hostile.CONTENT_TYPES, hostile.PACKAGE_RELS, document],
                                  strict=True):  # fmt: skip
                if rng.random() < 0.7:
                    package.writestr(rng.choice(names) if rng.random() < 0.2 else name, data)
        return out.getvalue()
    if kind == 4:  # many small parts
        extra = {f"word/media/x{i}.xml": b"<x/>" for i in range(rng.choice([10, 200, 11_000]))}
    return hostile.docx(document, extra)


def generated_pdf(rng: random.Random) -> bytes:
    kind = rng.randrange(6)
    if kind == 0:
        return hostile.page_references_pdf(rng.choice([1, 100, 20_000]))
    if kind == 1:
        return hostile.many_pages_pdf(rng.choice([1, 5, 201]))
    if kind == 2:
        return hostile.log_leak_pdf(words(rng, 3).encode("latin-1", "replace").decode("latin-1"))
    if kind == 3:
        base = hostile.text_page_pdf(["Python developer"])
        return hostile.encrypted_pdf(
            base, rng.choice(["", "x"]), rng.choice(["AES-256", "AES-128", "RC4-128", "RC4-40"])
        )
    lines = [words(rng, rng.randint(0, 5)).encode("latin-1", "replace").decode("latin-1")
             .replace("\\", "").replace("(", "").replace(")", "")
             for _ in range(rng.randint(0, 8))]  # fmt: skip
    return hostile.text_page_pdf(
        lines, rng.choice([b"", b"(x) MP", b"1 0 0 1 (a) cm", b"q " * 500])
    )


def random_json_value(rng: random.Random, depth: int = 0) -> object:
    kind = rng.randrange(9 if depth < 8 else 4)
    if kind == 0:
        return rng.choice([None, True, False, 0, -1, 2**70, 1.5, float("inf")])
    if kind <= 3:
        return words(rng, rng.randint(0, 8))
    if kind <= 5:
        return [random_json_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    keys = ["title", "description", "text", "company", "location", "url", "id", "salary",
            "min_amount", "max_amount", "is_remote", "hiringOrganization", "jobLocation",
            "address", "addressLocality", "name", "value", "@type", "baseSalary", "currency",
            "Description", " TITLE ", "datePosted", "employmentType"]  # fmt: skip
    return {rng.choice(keys): random_json_value(rng, depth + 1) for _ in range(rng.randint(0, 6))}


def random_record(rng: random.Random) -> dict[str, object]:
    record = random_json_value(rng, 1)
    record = record if isinstance(record, dict) else {}
    if rng.random() < 0.8:
        record["description"] = rng.choice([words(rng), random_json_value(rng, 6), ""])
    return record


def generated_json(rng: random.Random) -> bytes:
    kind = rng.randrange(5)
    if kind == 0:
        return hostile.deep_json(rng.choice([10, 63, 64, 65, 999, 1000, 100_000]))
    if kind == 1:  # deep inside a record
        nested = hostile.deep_json(rng.choice([60, 500, 5000])).decode()
        return f'[{{"description": "x", "a": {nested}}}]'.encode()
    records = [random_record(rng) for _ in range(rng.randint(0, 6))]
    value: object = records
    if kind == 2:
        value = {rng.choice(["listings", "jobs", "results", "data", "other"]): records}
    elif kind == 3:
        value = random_json_value(rng)
    text = json.dumps(value, ensure_ascii=rng.random() < 0.5)
    if rng.random() < 0.3:  # numbers past every bound, at whatever depth they stand (issue 23)
        huge = rng.choice(["9" * 5000, "-" + "1" * 4301, "1" * 400 + ".5", "1e99999", "Infinity"])
        text = re.sub(
            r"(?<![\w.\"])-?\d+(?:\.\d+)?(?![\w.\"])", huge, text, count=rng.randint(1, 5)
        )
    return text.encode("utf-8", "surrogatepass")


def generated_jsonl(rng: random.Random) -> bytes:
    lines = []
    for _ in range(rng.randint(0, 8)):
        if rng.random() < 0.1:
            lines.append(hostile.deep_json(rng.choice([65, 2000])).decode())
        else:
            lines.append(json.dumps(random_record(rng), ensure_ascii=rng.random() < 0.5))
    return rng.choice(["\n", "\r\n", "\n\n"]).join(lines).encode("utf-8", "surrogatepass")


def generated_table(rng: random.Random, delimiter: str) -> bytes:
    names = ["title", "description", "text", "company", "location", "url", "x", "", "Title"]
    header = [rng.choice(names) for _ in range(rng.randint(0, 6))]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=rng.choice(["\n", "\r\n", "\r"]),
                        quoting=rng.choice([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
                        escapechar="\\" if rng.random() < 0.3 else None)  # fmt: skip
    writer.writerow(header)
    for _ in range(rng.randint(0, 6)):
        writer.writerow(
            [
                words(rng, rng.randint(0, 8))
                for _ in range(len(header) + rng.choice([0, 0, 0, -1, 1]))
            ]
        )
    encoding = rng.choice(["utf-8", "utf-8-sig", "utf-16", "cp1252"])
    return out.getvalue().encode(encoding, "replace")


def generated_page(rng: random.Random) -> bytes:
    lines = ["Related content"] if rng.random() < 0.5 else []
    for _ in range(rng.randint(0, 8)):
        lines.append(rng.choice(["US, WA, Seattle", "UK, London", "HR", words(rng, 2)]))
        lines.append(words(rng, rng.randint(0, 10)))
    return rng.choice(["\n", "\r\n", "\r", "\u2028"]).join(lines).encode("utf-8", "surrogatepass")


MARKUP = ["<p>", "</p>", "<li>", "<ul>", "</ul>", "<h2>", "</h2>", "<br>", "<table><tr><td>",
          "</td><td>", "<pre>", "</pre>", "<script>", "</script>", "&lt;p&gt;", "&amp;lt;",
          "# ", "## ", "- ", "* ", "**", "__", "[a](http://x)", "\\*", "---", "===", "```",
          "<a href='x'>", "<!--", "-->", "<![CDATA[", "&#9999999;", "&#x110000;", "<svg>"]  # fmt: skip


def generated_markup(rng: random.Random) -> bytes:
    records = []
    for _ in range(rng.randint(1, 4)):
        description = "".join(rng.choice(MARKUP) + (words(rng, rng.randint(0, 3)) if rng.random() < 0.7 else "")
                              for _ in range(rng.randint(0, 40)))  # fmt: skip
        if rng.random() < 0.1:
            description = rng.choice(MARKUP) * rng.choice([1000, 20_000])
        records.append({"title": rng.choice(MARKUP) + words(rng, 2), "description": description})
    return json.dumps(records).encode()


def generated_schema(rng: random.Random) -> bytes:
    postings = []
    for _ in range(rng.randint(0, 4)):
        posting = {"@type": rng.choice(["JobPosting", ["JobPosting", "Thing"], "Organization", 3])}
        posting.update(random_record(rng))
        posting["hiringOrganization"] = rng.choice([{"@type": "Organization", "name": words(rng, 2)},
                                                    words(rng, 2), [], None, {"name": {"name": 3}}])  # fmt: skip
        posting["jobLocation"] = rng.choice([
            {"address": {"addressLocality": words(rng, 1), "addressRegion": 3}},
            [{"address": random_json_value(rng, 5)}], "Remote", None])  # fmt: skip
        posting["baseSalary"] = random_json_value(rng, 5)
        postings.append(posting)
    value: object = {"@context": "https://schema.org", "@graph": postings}
    if rng.random() < 0.3:
        value = postings
    return json.dumps(value).encode()


# ------------------------------------------------------------------------------- readers


class Reader:
    """One reader: a file name to write, real samples to mutate, and a maker of new inputs."""

    def __init__(self, scratch: Path, name: str, filename: str, resume: bool,
                 real: list[bytes], generate: Callable[[random.Random], bytes],
                 mutate: Callable[[bytes, random.Random], bytes] = mutate_bytes) -> None:  # fmt: skip
        self.scratch, self.name, self.filename, self.resume = scratch, name, filename, resume
        self.real, self.generate, self.mutate = real, generate, mutate

    def make(self, rng: random.Random) -> bytes:
        if self.real and rng.random() < 0.5:
            return self.mutate(rng.choice(self.real), rng)
        data = self.generate(rng)
        return mutate_bytes(data, rng) if rng.random() < 0.3 else data

    def run(self, rng: random.Random) -> None:
        from matcher import load_listings, read_resume

        path = self.scratch / self.filename
        path.write_bytes(self.make(rng))
        if self.resume:
            read_resume(path)
        else:
            load_listings([path])


def mutate_docx(data: bytes, rng: random.Random) -> bytes:
    """Mutate a DOCX's bytes, or one of its XML parts inside a valid zip."""
    if rng.random() < 0.5:
        return mutate_bytes(data, rng)
    source = zipfile.ZipFile(io.BytesIO(data))
    names = [i.filename for i in source.infolist() if i.filename.endswith((".xml", ".rels"))]
    chosen = rng.choice(names) if names else None
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == chosen:
                content = mutate_bytes(content, rng)
            target.writestr(item, content)
    return out.getvalue()


def _listing_samples(kind: str) -> list[bytes]:
    from matcher import load_listings

    listings = load_listings(FIXTURES / "listings").listings[:8]
    records = [{"title": x.title, "description": x.description, "location": x.location,
                "company": x.company} for x in listings]  # fmt: skip
    if kind == "json":
        return [json.dumps(records).encode(), *samples("*.json")]
    if kind == "jsonl":
        return ["".join(json.dumps(r) + "\n" for r in records).encode(), *samples("*.jsonl")]
    delimiter = "," if kind == "csv" else "\t"
    out = io.StringIO()
    writer = csv.DictWriter(
        out, ["title", "description", "location", "company"], delimiter=delimiter
    )
    writer.writeheader()
    writer.writerows(records)
    return [out.getvalue().encode(), *samples(f"*.{kind}")]


def readers(scratch: Path) -> dict[str, Callable[[], Reader]]:
    """Every reader by name, made on first use."""

    def make(name: str, filename: str, resume: bool, real: Callable[[], list[bytes]],
             generate: Callable[[random.Random], bytes],
             mutate: Callable[[bytes, random.Random], bytes] = mutate_bytes) -> Callable[[], Reader]:  # fmt: skip
        return lambda: Reader(scratch, name, filename, resume, real(), generate, mutate)

    def text_resume(rng: random.Random) -> bytes:
        return words(rng, rng.randint(0, 300)).encode(
            rng.choice(["utf-8", "utf-16", "cp1252"]), "replace"
        )

    return {
        "docx": make(
            "docx", "cv.docx", True, lambda: samples("*.docx"), generated_docx, mutate_docx
        ),
        "pdf": make("pdf", "cv.pdf", True, lambda: samples("*.pdf"), generated_pdf),
        "text": make("text", "cv.md", True, lambda: samples("*.md", "*.txt")[:40], text_resume),
        "json": make("json", "jobs.json", False, lambda: _listing_samples("json"), generated_json),
        "jsonl": make(
            "jsonl", "jobs.jsonl", False, lambda: _listing_samples("jsonl"), generated_jsonl
        ),
        "csv": make(
            "csv",
            "jobs.csv",
            False,
            lambda: _listing_samples("csv"),
            lambda rng: generated_table(rng, rng.choice([",", ";", "|"])),
        ),  # fmt: skip
        "tsv": make(
            "tsv",
            "jobs.tsv",
            False,
            lambda: _listing_samples("tsv"),
            lambda rng: generated_table(rng, "\t"),
        ),  # fmt: skip
        "page": make(
            "page",
            "jobs.txt",
            False,
            lambda: [p.read_bytes() for p in sorted((FIXTURES / "listings").glob("*.txt"))],
            generated_page,
        ),  # fmt: skip
        "markup": make("markup", "jobs.json", False, lambda: [], generated_markup),
        "schema": make("schema", "jobs.json", False, lambda: [], generated_schema),
    }


def bound_memory(extra_mb: int) -> None:
    """Limit this process's address space to what it holds now plus ``extra_mb`` (Linux)."""
    with contextlib.suppress(ImportError, OSError, ValueError):
        import resource

        with open("/proc/self/statm", encoding="ascii") as statm:
            present = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (present + extra_mb * 2**20, resource.RLIM_INFINITY))


def fuzz(reader: Reader, n: int, seed: int = 0, timeout: float = 40.0) -> Outcome:
    """Run ``n`` inputs of ``reader`` from ``seed``; return the counts."""
    outcome = Outcome()
    for i in range(n):
        run_one(reader, random.Random(seed * 1_000_003 + i), outcome, timeout)  # type: ignore[arg-type]
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="inputs per reader")
    parser.add_argument("--reader", action="append", help="only these readers (repeatable)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=40.0, help="seconds before a hang")
    parser.add_argument("--memory-mb", type=int, default=3072, help="memory bound past the start")
    parser.add_argument("--show", action="store_true", help="print one traceback per kind")
    args = parser.parse_args()
    import warnings

    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory() as scratch:
        made = readers(Path(scratch))
        for name in args.reader or list(made):
            reader = made[name]()
            bound_memory(args.memory_mb)
            start = time.perf_counter()
            with open(os.devnull, "w") as quiet, contextlib.redirect_stderr(quiet):
                outcome = fuzz(reader, args.n, args.seed, args.timeout)
            print(outcome.line(name), f"[{time.perf_counter() - start:.0f} s]", flush=True)
            if args.show:
                for kind, text in outcome.example.items():
                    print(f"--- {kind}\n{text}")


if __name__ == "__main__":
    main()
