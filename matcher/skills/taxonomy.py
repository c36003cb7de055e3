"""Stage 2a, skills: import ESCO and O*NET into skill vocabularies, store them, pick them.

An imported vocabulary is written in the same CSV format as the built-in one, into the user's
data directory (``MATCHER_DATA_DIR``, else the platform's: ``~/.local/share/matcher`` on Linux),
with a JSON file beside it saying where it came from and whose work it is.

The vocabulary a run uses (the built-in one merged with every import, or the ones picked) is
compiled once and kept in ``compiled/`` in the same folder, as ``SHA256.npz`` where SHA256 is
that of the merged vocabulary's CSV text (see ``matcher/skills/compiled.py``). Keyed by content, a
compiled file can never be stale: a new import, a removed one, another pick or an upgraded
built-in CSV is another key. Whole merged vocabularies are stored rather than one file per
import because merging decides which skill owns each form and makes context rules symmetric
across vocabularies: per-import files would still leave that compile to every run. The last
``_KEEP_COMPILED`` files are kept.

Not every label of a taxonomy makes a good matching term. ESCO's skill labels are mostly verb
phrases ("manage musical staff", "use spreadsheets software") that job postings rarely write
word for word, and some alternative labels are everyday words ("report", "lead", "recovery").
The rule, applied to each label (preferred and alternative) on its own:

1. A qualifier in brackets is dropped: "Python (computer programming)" is matched as "Python".
2. Labels of more than four words are sentence-like: dropped.
3. Labels that start with a verb are dropped. The verbs are learned from ESCO itself: the first
   words of its skill/competence preferred labels that start few knowledge labels.
4. Labels under three characters ("R", "C") are dropped: the built-in vocabulary handles short
   ambiguous names with context rules, an import cannot.
5. A single word is kept only as the preferred label of sector- or occupation-specific
   knowledge ("histology", "microeconomics"). Single words elsewhere are everyday words
   ("integrity"; "breaking", an alternative label of "decommissioning"), languages ("Polish",
   transversal knowledge), or needed their bracketed qualifier ("Source (game engine)").
6. A form the built-in vocabulary (or an earlier vocabulary) already has stays with it.

O*NET's "Technology Skills" lists products ("Microsoft Excel", "ESRI ArcGIS software"). Each
becomes a tool; a trailing "software" is dropped; generic examples ("Spreadsheet software") are
skipped; an acronym spelled out before it ("Structured query language SQL") gives both forms;
and the product name without its vendor ("ArcGIS", "AutoCAD") is added when it cannot be an
ordinary word (it has an inner capital, a digit, or is all capitals), so "Microsoft Word" never
makes "Word" a skill.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from ..errors import VocabularyError
from ..output import write_atomic
from ..places import data_dir
from .compiled import CompiledVocabularyError, compiled_bytes, csv_sha256, read_compiled
from .find import tokens
from .vocabulary import COLUMNS, SkillVocabulary

BUILTIN = "builtin"
SOURCES = ("esco", "onet")
ATTRIBUTIONS = {
    "esco": "Skills from ESCO, European Commission (https://esco.ec.europa.eu), "
    "reused under Commission Decision 2011/833/EU.",
    "onet": "Technology skills from O*NET, U.S. Department of Labor, Employment and Training "
    "Administration (https://www.onetcenter.org), under CC BY 4.0.",
}
_MAX_WORDS = 4
_BRACKETS = re.compile(r"\s*\([^)]*\)")
_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


def vocabularies_dir() -> Path:
    """Return the folder of imported vocabularies."""
    return data_dir() / "vocabularies"


# ---------------------------------------------------------------------------------- reading


class _Table(NamedTuple):
    rows: list[dict[str, str]]
    skipped: int  # rows with fewer fields than the header: a file cut short, a broken line


def _read_csv(path: Path, needed: Sequence[str]) -> _Table:
    """Read a taxonomy CSV: every row a dict of strings, short rows skipped and counted."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise VocabularyError(path, "no such file") from None
    except IsADirectoryError:
        raise VocabularyError(path, "is a folder, not a CSV file") from None
    except UnicodeDecodeError:
        raise VocabularyError(path, "is not UTF-8 text; expected the CSV download") from None
    except OSError as exc:
        raise VocabularyError(path, f"cannot be read ({exc.strerror})") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = reader.fieldnames or ()
        missing = [column for column in needed if column not in header]
        if missing:
            raise VocabularyError(path, f"has no column {', '.join(repr(m) for m in missing)}")
        records = list(reader)
    except csv.Error as exc:
        raise VocabularyError(path, f"is not valid CSV ({exc})") from None
    # DictReader fills a short row's last columns with None and puts a long row's extra
    # fields under the key None: keep only whole rows, as strings.
    rows = [
        {key: value for key, value in record.items() if key is not None}
        for record in records
        if None not in record.values()
    ]
    if not rows:
        raise VocabularyError(path, "has no rows" if not records else "has no complete rows")
    return _Table(rows, len(records) - len(rows))


def _row(name: str, kind: str, category: str, forms: Iterable[str]) -> dict[str, str]:
    sure, ambiguous = sort_forms(dict.fromkeys(forms))
    return {
        "name": name,
        "kind": kind,
        "category": category,
        "aliases": "|".join(sure),
        "ambiguous": "|".join(ambiguous),
        "context": "",
    }


_ROMAN = re.compile(r"^(?=[IVXLC]+$)C{0,3}(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})$")


def sort_forms(forms: Iterable[str]) -> tuple[list[str], list[str]]:
    """Return an imported skill's forms as (sure, ambiguous); forms that name nothing go.

    A form of roman numerals only ("III") is a grade or a version, not a skill. A single word
    of three letters or fewer ("ES", "NAV") is a code that also means other things: it counts
    only with supporting context, as the built-in vocabulary's ambiguous names do, unless it
    is the initials of another form of the same skill ("SQL" beside "Structured query
    language").
    """
    forms = list(forms)
    initials = {
        "".join(w[0] for w in words).upper()
        for words in ([t.group() for t in tokens(f)] for f in forms)
        if len(words) > 1
    }
    sure: list[str] = []
    ambiguous: list[str] = []
    for form in forms:
        words = [t.group() for t in tokens(form)]
        if not words or all(_ROMAN.match(w) for w in words):
            continue
        if len(words) == 1 and len(words[0]) <= 3 and words[0].upper() not in initials:
            ambiguous.append(form)
        else:
            sure.append(form)
    return sure, ambiguous


def _case(label: str) -> str:
    """Lower-case a label unless a word in it is an acronym or has an inner capital."""
    if any(len(w) >= 2 and (w.isupper() or any(c.isupper() for c in w[1:])) for w in label.split()):
        return label
    return label.lower()


_ESCO_COLUMNS = ("preferredLabel", "altLabels", "skillType", "reuseLevel")
_ONET_COLUMNS = ("Example", "Commodity Title")


def esco_rows(path: str | Path) -> list[dict[str, str]]:
    """Return vocabulary rows from ESCO's ``skills_en.csv``, under the rule in this module's doc.

    Rows shorter than the header are skipped (``import_taxonomy`` counts them).
    """
    return _esco_rows(_read_csv(Path(path), _ESCO_COLUMNS).rows)


def _esco_rows(records: list[dict[str, str]]) -> list[dict[str, str]]:
    verbs = _esco_verbs(records)
    rows: list[dict[str, str]] = []
    names: set[str] = set()
    for record in records:
        skill_type = record["skillType"].strip()
        reuse = record["reuseLevel"].strip()
        forms = [
            form
            for i, label in enumerate([record["preferredLabel"], *record["altLabels"].split("\n")])
            if (form := _esco_form(label, skill_type, reuse, verbs, preferred=i == 0))
        ]
        name = _BRACKETS.sub("", record["preferredLabel"]).strip().lower()
        if not forms or not name or name in names:
            continue
        names.add(name)
        if skill_type == "knowledge":
            kind = "knowledge"
        else:
            kind = "soft" if reuse == "transversal" else "practice"
        rows.append(_row(name, kind, f"esco-{reuse or 'other'}", forms))
    return rows


def _esco_verbs(records: list[dict[str, str]]) -> frozenset[str]:
    skill_first: Counter[str] = Counter()
    knowledge_first: Counter[str] = Counter()
    for record in records:
        words = record["preferredLabel"].lower().split()
        if words:
            kind = record["skillType"].strip()
            (knowledge_first if kind == "knowledge" else skill_first)[words[0]] += 1
    return frozenset(
        word for word, n in skill_first.items() if n >= 2 and knowledge_first[word] * 3 < n
    )


def _esco_form(
    label: str, skill_type: str, reuse: str, verbs: frozenset[str], preferred: bool
) -> str | None:
    base = " ".join(_BRACKETS.sub("", label).split())
    words = [t.group() for t in tokens(base)]
    if not words or len(words) > _MAX_WORDS or len(base) < 3:
        return None
    if words[0].lower() in verbs:
        return None
    if len(words) == 1 and (
        base != label.strip()  # "Source (game engine)": the bare word needed the qualifier
        or not preferred  # single-word alternatives: "breaking" for decommissioning
        or reuse == "transversal"  # languages ("Polish") and everyday words
        or not (skill_type == "knowledge" and reuse.endswith("specific"))
    ):
        return None
    return _case(base)


_GENERIC = re.compile(r"^[A-Z]?[a-z]+(?: (?:[a-z]+|[A-Z]{2,}))* software$")


def onet_rows(path: str | Path) -> list[dict[str, str]]:
    """Return vocabulary rows from O*NET's ``Technology Skills.csv`` (one tool per product).

    Rows shorter than the header are skipped (``import_taxonomy`` counts them).
    """
    return _onet_rows(_read_csv(Path(path), _ONET_COLUMNS).rows)


def _onet_rows(records: list[dict[str, str]]) -> list[dict[str, str]]:
    examples = {" ".join(record["Example"].split()) for record in records}
    # A vendor is a capitalised prefix of one to three words that begins three or more products.
    prefixes = Counter(
        " ".join(words[:n])
        for words in (example.split() for example in examples)
        for n in range(1, min(4, len(words)))
    )
    vendors = {p for p, count in prefixes.items() if count >= 3 and p[:1].isupper()}
    rows: list[dict[str, str]] = []
    names: set[str] = set()
    for record in records:
        example = " ".join(record["Example"].split())
        if not example or _GENERIC.match(example):
            continue
        product = re.sub(r"\s+software$", "", example)
        name = product.lower()
        if name in names or len(product) < 3:
            continue
        names.add(name)
        forms = [product, *_onet_short_forms(product, vendors)]
        category = "onet-" + re.sub(r"[^a-z0-9]+", "-", record["Commodity Title"].lower()).strip(
            "-"
        )
        rows.append(_row(name, "tool", category, forms))
    return rows


def _onet_short_forms(product: str, vendors: set[str]) -> Iterator[str]:
    words = product.split()
    # "Structured query language SQL": the long form and the acronym both name it.
    if len(words) >= 3 and words[-1].isupper() and len(words[-1]) >= 2:
        initials = "".join(w[0] for w in words[:-1]).upper()
        if initials.endswith(words[-1]) or words[-1] in initials:
            yield " ".join(words[:-1])
            yield words[-1]
    # "ESRI ArcGIS" -> "ArcGIS", only when the rest cannot be an ordinary word.
    vendor = next((n for n in (3, 2, 1) if n < len(words) and " ".join(words[:n]) in vendors), 0)
    rest = words[vendor:]
    if (
        vendor
        and rest
        and rest[0][:1].isupper()
        and (
            any(c.isdigit() for c in "".join(rest))
            or any(len(w) >= 3 and (w.isupper() or any(c.isupper() for c in w[1:])) for w in rest)
        )
    ):
        yield " ".join(rest)


# ---------------------------------------------------------------------------------- storing


def import_taxonomy(source: str, path: str | Path, name: str | None = None) -> Path:
    """Import an ESCO or O*NET file as the user vocabulary ``name`` (default: the source).

    The CSV and its JSON description are written to temporary files and renamed into place,
    so a failed import leaves any earlier vocabulary of that name whole. Returns the CSV path.
    """
    if source not in SOURCES:
        raise VocabularyError(source, f"unknown taxonomy; expected one of {', '.join(SOURCES)}")
    name = name or source
    if not _NAME.match(name) or name == BUILTIN:
        raise VocabularyError(
            name, "is not a usable vocabulary name (lower-case letters, digits, - or _)"
        )
    if source == "esco":
        table = _read_csv(Path(path), _ESCO_COLUMNS)
        rows = _esco_rows(table.rows)
    else:
        table = _read_csv(Path(path), _ONET_COLUMNS)
        rows = _onet_rows(table.rows)
    if not rows:
        raise VocabularyError(path, "has no labels that make usable matching terms")
    SkillVocabulary(rows, source=str(path))  # refuse to store what could not be loaded
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    meta = {
        "name": name,
        "source": source,
        "file": str(Path(path).resolve()),
        "imported": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "skills": len(rows),
        "forms": sum(len(row["aliases"].split("|")) for row in rows),
        "skipped_rows": table.skipped,
        "attribution": ATTRIBUTIONS[source],
    }
    folder = vocabularies_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.csv"
    write_atomic(target, out.getvalue().encode("utf-8"))
    write_atomic(folder / f"{name}.json", (json.dumps(meta, indent=2) + "\n").encode("utf-8"))
    return target


def stored_vocabularies() -> dict[str, dict[str, object]]:
    """Return the imported vocabularies by name, each with its JSON description."""
    found: dict[str, dict[str, object]] = {}
    folder = vocabularies_dir()
    for csv_path in sorted(folder.glob("*.csv")) if folder.is_dir() else []:
        meta_path = csv_path.with_suffix(".json")
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
        found[csv_path.stem] = {"name": csv_path.stem, **meta, "path": str(csv_path)}
    return found


def remove_vocabulary(name: str) -> None:
    """Delete the imported vocabulary ``name``."""
    folder = vocabularies_dir()
    if not (folder / f"{name}.csv").exists():
        raise VocabularyError(name, "no imported vocabulary of that name")
    (folder / f"{name}.csv").unlink()
    (folder / f"{name}.json").unlink(missing_ok=True)


# ---------------------------------------------------------------------------------- choosing


def load_vocabulary(choices: Sequence[str | Path] = ()) -> SkillVocabulary:
    """Return the vocabulary for a run: the built-in one merged with every imported one.

    ``choices`` picks instead: each is ``"builtin"``, an imported vocabulary's name, or a path
    to a CSV in the built-in format. Earlier ones win where two name the same form.
    """
    stored = stored_vocabularies()
    picked = list(choices) or [BUILTIN, *stored]
    if picked == [BUILTIN]:
        return _builtin()
    parts: list[tuple[str, list[dict[str, str]], str | None]] = []
    for choice in picked:
        if choice == BUILTIN:
            parts.append((BUILTIN, builtin_rows(), None))
        elif str(choice) in stored:
            meta = stored[str(choice)]
            rows = _read_csv(Path(str(meta["path"])), ("name", "kind", "aliases")).rows
            attribution = meta.get("attribution")
            parts.append((str(choice), rows, str(attribution) if attribution else None))
        elif Path(choice).suffix.lower() == ".csv" or Path(choice).exists():
            rows = _read_csv(Path(choice), ("name", "kind", "aliases")).rows
            parts.append((str(choice), rows, None))
        else:
            known = ", ".join([BUILTIN, *stored])
            raise VocabularyError(choice, f"no such vocabulary; known: {known}, or a CSV path")
    rows = merge_rows(rows for _, rows, _ in parts)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return compiled_vocabulary(
        out.getvalue(),
        lambda: rows,
        source="+".join(name for name, _, _ in parts),
        attributions=tuple(a for _, _, a in parts if a),
    )


def builtin_rows() -> list[dict[str, str]]:
    """Return the rows of the built-in vocabulary, ``matcher/data/skills.csv``."""
    return list(csv.DictReader(io.StringIO(_builtin_text())))


def _builtin_text() -> str:
    from importlib import resources

    return resources.files("matcher").joinpath("data/skills.csv").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _builtin() -> SkillVocabulary:
    text = _builtin_text()
    return compiled_vocabulary(
        text, lambda: csv.DictReader(io.StringIO(text)), source="matcher/data/skills.csv"
    )


_KEEP_COMPILED = 8


def compiled_dir() -> Path:
    """Return the folder of compiled vocabularies, ``SHA256.npz`` by their CSV's SHA-256."""
    return data_dir() / "compiled"


def compiled_vocabulary(
    text: str,
    rows: Callable[[], Iterable[dict[str, str]]],
    source: str,
    attributions: tuple[str, ...] = (),
) -> SkillVocabulary:
    """Return the vocabulary of a CSV text whose rows ``rows()`` gives, compiled once.

    Read from ``compiled_dir()`` when it was compiled before; otherwise compiled from the rows
    and stored there for the next run. A stored file that is damaged or of another matcher is
    compiled again; a data folder that cannot be written only makes each run compile.
    Raises ``MatcherError`` for rows that are not a vocabulary.
    """
    sha256 = csv_sha256(text)
    path = compiled_dir() / f"{sha256}.npz"
    try:
        data = path.read_bytes()
        return read_compiled(data, sha256, rows, path, source, attributions=attributions)
    except (OSError, CompiledVocabularyError):
        pass  # not compiled yet, or damaged, or by another matcher: compile it
    vocabulary = SkillVocabulary(rows(), source=source, attributions=attributions)
    compiled = compiled_bytes(vocabulary, sha256)
    if compiled is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, compiled)
            _prune(path.parent)
        except OSError:
            pass  # a cache: without it runs are slower, not wrong
    return vocabulary


def _prune(folder: Path) -> None:
    """Delete all but the ``_KEEP_COMPILED`` newest compiled vocabularies in ``folder``."""
    found = [p for p in folder.glob("*.npz") if len(p.stem) == 64]
    found.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in found[_KEEP_COMPILED:]:
        old.unlink(missing_ok=True)


def merge_rows(sources: Iterable[list[dict[str, str]]]) -> list[dict[str, str]]:
    """Merge vocabularies' rows: a skill name or form already claimed stays with its first owner.

    A later skill keeps only the forms no earlier skill has (compared case-insensitively), and
    is dropped when none are left or its name is taken.
    """
    merged: list[dict[str, str]] = []
    names: set[str] = set()
    claimed: set[tuple[str, ...]] = set()
    for rows in sources:
        added: set[tuple[str, ...]] = set()
        for row in rows:
            name = (row.get("name") or "").strip().lower()
            if not name or name in names:
                continue
            keep = {}
            for column in ("aliases", "ambiguous"):
                forms = [f.strip() for f in (row.get(column) or "").split("|") if f.strip()]
                free = [f for f in forms if _key(f) not in claimed]
                keep[column] = "|".join(free)
                added.update(_key(f) for f in free)
            if not keep["aliases"] and not keep["ambiguous"]:
                continue
            names.add(name)
            merged.append({**row, **keep})
        claimed |= added
    return merged


def _key(form: str) -> tuple[str, ...]:
    return tuple(t.group().lower() for t in tokens(form))
