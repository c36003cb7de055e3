"""Stage 2a, skills: a skill vocabulary stored compiled, so that loading it takes milliseconds.

Compiling a vocabulary from its CSV (tokenising every form, adding plurals, making context
rules symmetric) costs ~0.1 s for the built-in one and seconds for an ESCO import; a run that
only matches one resume pays that every time. A compiled file holds the result of
``skills._compile`` (``skills.Compiled``) as plain arrays in a numpy ``.npz`` archive, read
with ``allow_pickle=False``: strings are UTF-8 bytes joined by NUL, numbers are integer or
boolean arrays, and nothing in the file is ever run.

A compiled file names the SHA-256 of the CSV text it was compiled from and the compiler's
version (``VERSION``); it is used only for that text and that version. Every array is checked
for type, shape and range before use, so a damaged or hostile file is refused with a
``CompiledVocabularyError`` instead of crashing a query or matching wrongly.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import MatcherError
from .vocabulary import KINDS, Compiled, SkillVocabulary

# Bump whenever ``skills._compile`` or ``SkillVocabulary`` change what a compiled form means:
# a file of another version is compiled again from its CSV, never used.
VERSION = 2  # 2: per start word its longest key, one-token keys, first pairs

# The archive's members: the header ``[VERSION, *counts]``, the CSV's SHA-256, and the lists of
# ``skills.Compiled`` of each kind concatenated in this order (the counts cut them apart).
_STRINGS = (
    "names", "kinds", "categories", "keys", "form_written", "contexts", "starts", "singles", "pairs"
)  # fmt: skip
_NUMBERS = ("group_indptr", "form_skills", "context_indptr", "start_longest")
_FLAGS = ("form_case_sensitive", "form_ambiguous")
_MEMBERS = frozenset({"header", "csv_sha256", "strings", "numbers", "flags"})


class CompiledVocabularyError(MatcherError):
    """A compiled vocabulary file is damaged, or was compiled from another CSV."""


class StaleCompiledVocabulary(CompiledVocabularyError):
    """A compiled vocabulary file of another compiler version: compile the CSV again."""


def csv_sha256(text: str | bytes) -> str:
    """Return the SHA-256 (hex) of a vocabulary's CSV text, as compiled files name it."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()


def compiled_bytes(vocabulary: SkillVocabulary, sha256: str) -> bytes | None:
    """Return ``vocabulary`` compiled, as the bytes of an ``.npz`` file.

    ``sha256``: the SHA-256 (hex) of the CSV text ``vocabulary`` was made from. Returns None
    for a vocabulary whose strings hold a NUL character (the separator): such a vocabulary is
    compiled from its CSV at each use instead.
    """
    c = vocabulary.compiled
    strings = [value for name in _STRINGS for value in getattr(c, name)]
    if any("\0" in value for value in strings):
        return None
    counts = [len(c.names), len(c.keys), len(c.form_skills), len(c.contexts), len(c.starts),
              len(c.singles), len(c.pairs)]  # fmt: skip
    out = io.BytesIO()
    np.savez(
        out,
        header=np.array([VERSION, *counts, c.longest, c.longest_context], dtype=np.int64),
        csv_sha256=np.frombuffer(bytes.fromhex(sha256), dtype=np.uint8),
        strings=np.frombuffer("\0".join(strings).encode("utf-8"), dtype=np.uint8),
        numbers=np.array([n for name in _NUMBERS for n in getattr(c, name)], dtype=np.int64),
        flags=np.array([f for name in _FLAGS for f in getattr(c, name)], dtype=np.bool_),
    )
    return out.getvalue()


def read_compiled(
    data: bytes,
    sha256: str,
    rows: Callable[[], Iterable[dict[str, str]]],
    where: str | Path,
    source: str = "<vocabulary>",
    *,
    attributions: tuple[str, ...] = (),
) -> SkillVocabulary:
    """Return the vocabulary in a compiled file's bytes, checked against its CSV.

    ``sha256``: the SHA-256 (hex) of the CSV text the file must have been compiled from;
    ``rows()`` gives that CSV's rows, parsed only if the vocabulary's rows are asked for (to
    save it again). ``where`` names the file in errors. Raises ``StaleCompiledVocabulary``
    for a file of another compiler version and ``CompiledVocabularyError`` for one that is
    damaged or was compiled from another CSV.
    """
    arrays = _arrays(data, where)
    header = arrays["header"]
    if header.dtype != np.int64 or header.shape != (10,) or int(header[0]) != VERSION:
        raise StaleCompiledVocabulary(where, "was compiled by another version of matcher")
    if arrays["csv_sha256"].tobytes().hex() != sha256:
        raise CompiledVocabularyError(where, "was compiled from another skills CSV; damaged")
    compiled = _compiled(arrays, where)
    try:
        return SkillVocabulary.from_compiled(compiled, rows, source, attributions=attributions)
    except MatcherError as exc:
        raise CompiledVocabularyError(where, exc.problem) from None


def _arrays(data: bytes, where: str | Path) -> dict[str, np.ndarray]:
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            if set(archive.files) != _MEMBERS:
                raise CompiledVocabularyError(where, "is not a compiled skill vocabulary")
            return {name: archive[name] for name in _MEMBERS}
    except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile) as exc:
        # numpy refuses object arrays (pickles) with ValueError, like any malformed member.
        problem = f"is not a compiled skill vocabulary ({exc})"
        raise CompiledVocabularyError(where, problem) from None


def _compiled(arrays: dict[str, np.ndarray], where: str | Path) -> Compiled:
    """Return the ``Compiled`` form of a compiled file's arrays; raise on any inconsistency."""

    def damaged(problem: str) -> CompiledVocabularyError:
        return CompiledVocabularyError(where, f"{problem}; the compiled vocabulary is damaged")

    for name, dtype in (("strings", np.uint8), ("numbers", np.int64), ("flags", np.bool_)):
        if arrays[name].dtype != np.dtype(dtype) or arrays[name].ndim != 1:
            raise damaged(f"'{name}' is not a 1-D array of {np.dtype(dtype)}")
    if bool((arrays["header"] < 0).any()):
        raise damaged("a count is negative")
    skills, groups, forms, phrases, starts, singles, pairs, longest, longest_context = (
        int(n) for n in arrays["header"][1:]
    )
    try:
        text = arrays["strings"].tobytes().decode("utf-8")
    except UnicodeDecodeError:
        raise damaged("its strings are not UTF-8") from None
    counts = (skills, skills, skills, groups, forms, phrases, starts, singles, pairs)
    values = text.split("\0") if text or sum(counts) else []
    if len(values) != sum(counts):
        raise damaged("it does not hold as many strings as it says")
    numbers = arrays["numbers"].tolist()
    flags = arrays["flags"].tolist()
    if len(numbers) != groups + 1 + forms + skills + 1 + starts or len(flags) != 2 * forms:
        raise damaged("it does not hold as many numbers as it says")
    lists: dict[str, list[Any]] = {}
    at = 0
    for name, count in zip(_STRINGS, counts, strict=True):
        lists[name], at = values[at : at + count], at + count
    lists["group_indptr"] = numbers[: groups + 1]
    lists["form_skills"] = numbers[groups + 1 : groups + 1 + forms]
    lists["context_indptr"] = numbers[groups + 1 + forms : groups + forms + skills + 2]
    lists["start_longest"] = numbers[groups + forms + skills + 2 :]
    lists["form_case_sensitive"], lists["form_ambiguous"] = flags[:forms], flags[forms:]
    numbers_array = arrays["numbers"]
    end_contexts = groups + forms + skills + 2
    for name, cuts, end in (
        ("group_indptr", numbers_array[: groups + 1], forms),
        ("context_indptr", numbers_array[groups + 1 + forms : end_contexts], phrases),
    ):
        if cuts[0] != 0 or cuts[-1] != end or bool((np.diff(cuts) < 0).any()):
            raise damaged(f"'{name}' does not cut its list in order")
    skill_of = numbers_array[groups + 1 : groups + 1 + forms]
    if forms and (skill_of.min() < 0 or skill_of.max() >= skills):
        raise damaged("a form names a skill that does not exist")
    if not set(lists["kinds"]) <= set(KINDS):
        raise damaged("a skill has an unknown kind")
    if any(n < 1 or n > longest for n in lists["start_longest"]):
        raise damaged("a start's longest form is not a length")
    if longest_context < 1 or (groups and longest < 1):
        raise damaged("its longest form or context is not a length")
    return Compiled(**lists, longest=longest, longest_context=longest_context)
