"""Stage 2a, skills: the skill vocabulary, its rows and forms, and its compiled form.

The vocabulary is a CSV written for this project (``matcher/data/skills.csv``): each row is a
canonical skill with the surface forms that mean it. Finding the skills in a text is
``SkillFinder``'s part (``find``), which ``SkillVocabulary`` builds on.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, NamedTuple

from ..errors import MatcherError
from .find import TOKEN, SkillFinder

KINDS = ("tool", "knowledge", "practice", "soft")
COLUMNS = ("name", "kind", "category", "aliases", "ambiguous", "context")


@dataclass(frozen=True)
class Skill:
    """A canonical skill: its name (the term it becomes), kind and category."""

    name: str
    kind: str
    category: str


class _Form(NamedTuple):  # a tuple: tens of thousands are made per vocabulary
    skill: int
    tokens: tuple[str, ...]  # as written in the vocabulary
    case_sensitive: bool
    ambiguous: bool


class Compiled(NamedTuple):
    """A vocabulary ready to match, as flat lists: what ``skills/compiled.py`` stores.

    A form's key is its tokens in lower case joined by single spaces (tokens hold no spaces,
    so the joining loses nothing). Forms are grouped by key, in the order the vocabulary first
    met each key; ``group_indptr[g]:group_indptr[g + 1]`` are group ``g``'s forms, and
    ``context_indptr[s]:context_indptr[s + 1]`` skill ``s``'s context phrases.
    """

    names: list[str]  # per skill: its canonical name, kind and category
    kinds: list[str]
    categories: list[str]
    keys: list[str]  # per group of forms
    group_indptr: list[int]
    form_skills: list[int]  # per form
    form_written: list[str]
    form_case_sensitive: list[bool]
    form_ambiguous: list[bool]
    context_indptr: list[int]
    contexts: list[str]  # each a phrase's lower-case tokens joined by spaces
    starts: list[str]  # the first tokens of the keys, each once
    start_longest: list[int]  # per start: the most tokens in a key that begins with it
    singles: list[str]  # keys of one token
    pairs: list[str]  # the first two tokens of longer keys, joined by a space, each once
    longest: int  # the most tokens in a key
    longest_context: int  # the most tokens in a context phrase (at least 1)


def _unpickled(
    compiled: Compiled,
    rows: tuple[dict[str, str], ...],
    source: str,
    attributions: tuple[str, ...],
) -> SkillVocabulary:
    """Return the vocabulary ``SkillVocabulary.__reduce__`` pickled."""
    return SkillVocabulary.from_compiled(
        compiled, partial(tuple, rows), source, attributions=attributions
    )


class SkillVocabulary(SkillFinder):
    """A set of skills and the surface forms that name them."""

    def __init__(
        self,
        rows: Iterable[dict[str, str]],
        source: str = "<vocabulary>",
        *,
        attributions: tuple[str, ...] = (),
    ) -> None:
        # The rows as given, so that a saved index can carry the vocabulary it was built with.
        kept = tuple({column: (row.get(column) or "") for column in COLUMNS} for row in rows)
        self._setup(_compile(kept, source), source, attributions, lambda: kept)

    @classmethod
    def from_compiled(
        cls,
        compiled: Compiled,
        rows: Callable[[], Iterable[dict[str, str]]],
        source: str = "<vocabulary>",
        *,
        attributions: tuple[str, ...] = (),
    ) -> SkillVocabulary:
        """Return the vocabulary of a ``Compiled`` form; ``rows()`` gives its rows if asked.

        The caller vouches that ``compiled`` was made from those rows (``compiled.py``
        checks the CSV's SHA-256 for that).
        """
        vocabulary = cls.__new__(cls)
        vocabulary._setup(compiled, source, attributions, rows)
        return vocabulary

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle (as Dask does between its processes) the compiled form and the rows only.

        Never the caches that fill as texts are matched: another thread matching while Dask
        pickles would change them under the pickler ("dictionary changed size during
        iteration"), and the rows' maker may be a closure, which pickle refuses.
        """
        return (_unpickled, (self.compiled, self.rows, self.source, self.attributions))

    def _setup(
        self,
        compiled: Compiled,
        source: str,
        attributions: tuple[str, ...],
        rows: Callable[[], Iterable[dict[str, str]]],
    ) -> None:
        # Only dictionaries of strings are made here; the objects for a skill or a form are
        # made when a text first names it, so that loading a compiled vocabulary is quick.
        self.source = source
        # Credits that must be shown wherever the vocabulary's skills are (ESCO, O*NET).
        self.attributions = attributions
        self.compiled = compiled
        self._rows: tuple[dict[str, str], ...] | None = None
        self._make_rows = rows
        self._names = compiled.names
        self._categories = compiled.categories
        self._made: list[Skill | None] = [None] * len(compiled.names)
        self.names = frozenset(compiled.names)
        self._index = dict(zip(compiled.names, range(len(compiled.names)), strict=True))
        self._groups = dict(zip(compiled.keys, range(len(compiled.keys)), strict=True))
        self._group_forms = {}
        self._implied = {}
        self._longest = compiled.longest
        self._starts = frozenset(compiled.starts)
        if len(self._index) < len(compiled.names) or len(self._groups) < len(compiled.keys):
            raise MatcherError(source, "a skill or a form is listed twice; damaged")
        # The most tokens a form starting with each word spans: longer ones need not be tried.
        self._longest_from = dict(zip(compiled.starts, compiled.start_longest, strict=True))
        # Words that are a form alone, and the first two words of longer forms ("w1 w2"): a
        # word that is neither, nor begins a pair with the next word, starts no form.
        self._singles = frozenset(compiled.singles)
        self._pairs = frozenset(compiled.pairs)

    @property
    def rows(self) -> tuple[dict[str, str], ...]:
        """The vocabulary's rows, with the columns of ``COLUMNS``."""
        if self._rows is None:
            self._rows = tuple(
                {column: (row.get(column) or "") for column in COLUMNS} for row in self._make_rows()
            )
        return self._rows

    @property
    def skills(self) -> list[Skill]:
        """Every skill, in the vocabulary's order."""
        return [self._skill(i) for i in range(len(self._names))]

    def _skill(self, i: int) -> Skill:
        skill = self._made[i]
        if skill is None:
            c = self.compiled
            skill = self._made[i] = Skill(c.names[i], c.kinds[i], c.categories[i])
        return skill

    @classmethod
    def from_csv(cls, path: str | Path) -> SkillVocabulary:
        """Return the vocabulary in a CSV file with the columns of ``matcher/data/skills.csv``."""
        text = Path(path).read_text(encoding="utf-8-sig")
        return cls(csv.DictReader(io.StringIO(text)), source=str(path))

    def to_csv(self) -> str:
        """Return the vocabulary as CSV text in the format ``from_csv`` reads."""
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows)
        return out.getvalue()

    def __len__(self) -> int:
        return len(self._names)

    def get(self, name: str) -> Skill | None:
        """Return the skill called ``name`` (its canonical, lower-case name), if there is one."""
        i = self._index.get(name)
        return None if i is None else self._skill(i)


def _split(value: str | None) -> Iterator[str]:
    for part in (value or "").split("|"):
        if part.strip():
            yield part.strip()


@lru_cache(maxsize=1)
def builtin_vocabulary() -> SkillVocabulary:
    """Return the vocabulary that ships with matcher (read once, then cached)."""
    from importlib import resources  # here: a saved index brings its own vocabulary

    text = resources.files("matcher").joinpath("data/skills.csv").read_text(encoding="utf-8")
    return SkillVocabulary(csv.DictReader(io.StringIO(text)), source="matcher/data/skills.csv")


def _compile(rows: tuple[dict[str, str], ...], source: str) -> Compiled:
    """Return the compiled form of a vocabulary's rows; raise ``MatcherError`` on a bad row."""
    skills: list[Skill] = []
    contexts: list[tuple[tuple[str, ...], ...]] = []
    forms: dict[tuple[str, ...], list[_Form]] = {}
    plurals: dict[tuple[str, ...], list[_Form]] = {}
    names: set[str] = set()
    for line, row in enumerate(rows, 2):
        skill = _row_skill(row, line, source)
        if skill.name in names:
            raise MatcherError(source, f"line {line}: skill '{skill.name}' is listed twice")
        names.add(skill.name)
        index = len(skills)
        skills.append(skill)
        for form in _split(row.get("aliases")):
            _add(forms, plurals, index, form, ambiguous=False)
        for form in _split(row.get("ambiguous")):
            _add(forms, plurals, index, form, ambiguous=True)
        contexts.append(tuple(tuple(TOKEN.findall(c.lower())) for c in _split(row.get("context"))))
    _symmetric_context(skills, forms, contexts)
    # Plurals ("large language models") count unless a form of their own says otherwise.
    for key, plural in plurals.items():
        forms.setdefault(key, plural)
    longest_from: dict[str, int] = {}
    for key in forms:
        longest_from[key[0]] = max(longest_from.get(key[0], 0), len(key))
    group_indptr = [0]
    flat = [form for group in forms.values() for form in group]
    for group in forms.values():
        group_indptr.append(group_indptr[-1] + len(group))
    context_indptr = [0]
    for phrases in contexts:
        context_indptr.append(context_indptr[-1] + len(phrases))
    return Compiled(
        names=[s.name for s in skills],
        kinds=[s.kind for s in skills],
        categories=[s.category for s in skills],
        keys=[" ".join(key) for key in forms],
        group_indptr=group_indptr,
        form_skills=[f.skill for f in flat],
        form_written=[" ".join(f.tokens) for f in flat],
        form_case_sensitive=[f.case_sensitive for f in flat],
        form_ambiguous=[f.ambiguous for f in flat],
        context_indptr=context_indptr,
        contexts=[" ".join(phrase) for phrases in contexts for phrase in phrases],
        starts=list(longest_from),
        start_longest=list(longest_from.values()),
        singles=[key[0] for key in forms if len(key) == 1],
        pairs=list(dict.fromkeys(" ".join(key[:2]) for key in forms if len(key) > 1)),
        longest=max((len(key) for key in forms), default=0),
        longest_context=max((len(c) for cs in contexts for c in cs), default=1),
    )


def _symmetric_context(
    skills: list[Skill],
    forms: dict[tuple[str, ...], list[_Form]],
    contexts: list[tuple[tuple[str, ...], ...]],
) -> None:
    """Make context rules work both ways between short names that name each other.

    "Express" counts beside "node", and Node's context names Express.js, so "Node" counts
    beside "Express" too: when two skills of one category name each other in their
    context, each gets the other's ambiguous names as context.
    """
    ambiguous: dict[int, set[tuple[str, ...]]] = {}
    owners: dict[tuple[str, ...], set[int]] = {}
    for key, group in forms.items():
        for form in group:
            owners.setdefault(key, set()).add(form.skill)
            if form.ambiguous:
                ambiguous.setdefault(form.skill, set()).add(key)
    names = {
        skill: {o for c in phrases for o in owners.get(c, ()) if o != skill}
        for skill, phrases in enumerate(contexts)
    }
    for skill, others in names.items():
        for other in others:
            if skill in names.get(other, ()) and skills[skill].category == skills[other].category:
                more = ambiguous.get(other, set()) - set(contexts[skill])
                contexts[skill] = contexts[skill] + tuple(sorted(more))


def _row_skill(row: dict[str, str], line: int, source: str) -> Skill:
    name = (row.get("name") or "").strip()
    kind = (row.get("kind") or "").strip()
    if not name:
        raise MatcherError(source, f"line {line}: a skill has no name")
    if kind not in KINDS:
        raise MatcherError(source, f"line {line}: kind '{kind}' is not one of {', '.join(KINDS)}")
    return Skill(name=name.lower(), kind=kind, category=(row.get("category") or "").strip())


def _add(
    forms: dict[tuple[str, ...], list[_Form]],
    plurals: dict[tuple[str, ...], list[_Form]],
    skill: int,
    written: str,
    *,
    ambiguous: bool,
) -> None:
    found = tuple(TOKEN.findall(written))
    if not found:
        return
    form = _Form(
        skill=skill,
        tokens=found,
        case_sensitive=ambiguous or written != written.lower(),
        ambiguous=ambiguous,
    )
    key = tuple(t.lower() for t in found)
    forms.setdefault(key, []).append(form)
    last = key[-1]
    if last.isalpha() and len(last) >= 3 and not last.endswith("s"):
        plural = _Form(skill, (*found[:-1], found[-1] + "s"), form.case_sensitive, ambiguous)
        plurals.setdefault((*key[:-1], last + "s"), []).append(plural)
