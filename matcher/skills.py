"""Stage 2a, analyse: the skill vocabulary, and finding skills in text with their spans.

The vocabulary is a CSV written for this project (``matcher/data/skills.csv``): each row is a
canonical skill with the surface forms that mean it. Matching works on tokens, so "A/B testing",
"A-B testing" and "a b testing" are the same, the longest form wins at each position, and short
ambiguous names ("Go", "R", "C") count only with supporting context.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from .errors import MatcherError
from .models import ExtractedSkill

KINDS = ("tool", "knowledge", "practice", "soft")
COLUMNS = ("name", "kind", "category", "aliases", "ambiguous", "context")

# A token is a run of letters and digits with internal dots (node.js, asp.net), an optional
# leading dot (.net) and a trailing ++, + or # (c++, c#). Everything else separates tokens.
_TOKEN = re.compile(r"(?:(?<![\w.])\.)?[^\W_]+(?:\.[^\W_]+)*(?:\+\+|\+|#)?")
# Punctuation that ends a phrase: a skill of several words never spans it, so "user experience,
# design" is not "ux design".
_PHRASE_BREAK = re.compile(r"[,;:.!?()\[\]{}|\u2022\u00b7]|\n\s*\n")
# Where a sentence ends: a neighbouring skill on the other side does not support a short name.
_SENTENCE_END = re.compile(r"[.!?;](?:\s|$)|\n\s*\n")
# How many tokens may stand between an ambiguous name and a skill of its category that
# supports it: "Python, R or Stata" has R one token from Python.
_NEIGHBOUR_TOKENS = 3


@dataclass(frozen=True)
class Skill:
    """A canonical skill: its name (the term it becomes), kind and category."""

    name: str
    kind: str
    category: str


@dataclass(frozen=True)
class SkillHit:
    """One occurrence of a skill in a text: ``text[start:end]`` is what was written."""

    skill: Skill
    start: int
    end: int


class _Form(NamedTuple):  # a tuple: tens of thousands are made per vocabulary
    skill: int
    tokens: tuple[str, ...]  # as written in the vocabulary
    case_sensitive: bool
    ambiguous: bool


def tokens(text: str) -> list[re.Match[str]]:
    """Return the skill-matching tokens of ``text``."""
    return list(_TOKEN.finditer(text))


class SkillVocabulary:
    """A set of skills and the surface forms that name them."""

    def __init__(
        self,
        rows: Iterable[dict[str, str]],
        source: str = "<vocabulary>",
        *,
        attributions: tuple[str, ...] = (),
    ) -> None:
        self.source = source
        # Credits that must be shown wherever the vocabulary's skills are (ESCO, O*NET).
        self.attributions = attributions
        self.skills: list[Skill] = []
        self._context: list[tuple[tuple[str, ...], ...]] = []
        self._forms: dict[tuple[str, ...], list[_Form]] = {}
        self._plurals: dict[tuple[str, ...], list[_Form]] = {}
        names: set[str] = set()
        # The rows as given, so that a saved index can carry the vocabulary it was built with.
        self.rows: tuple[dict[str, str], ...] = tuple(
            {column: (row.get(column) or "") for column in COLUMNS} for row in rows
        )
        for line, row in enumerate(self.rows, 2):
            skill = self._skill(row, line)
            if skill.name in names:
                raise MatcherError(source, f"line {line}: skill '{skill.name}' is listed twice")
            names.add(skill.name)
            index = len(self.skills)
            self.skills.append(skill)
            for form in _split(row.get("aliases")):
                self._add(index, form, ambiguous=False)
            for form in _split(row.get("ambiguous")):
                self._add(index, form, ambiguous=True)
            self._context.append(
                tuple(tuple(_TOKEN.findall(c.lower())) for c in _split(row.get("context")))
            )
        # Plurals ("large language models") count unless a form of their own says otherwise.
        for key, forms in self._plurals.items():
            self._forms.setdefault(key, forms)
        self.names = frozenset(names)
        self._by_name = {skill.name: skill for skill in self.skills}
        self._longest = max((len(key) for key in self._forms), default=0)
        self._starts = frozenset(key[0] for key in self._forms)

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

    def _skill(self, row: dict[str, str], line: int) -> Skill:
        name = (row.get("name") or "").strip()
        kind = (row.get("kind") or "").strip()
        if not name:
            raise MatcherError(self.source, f"line {line}: a skill has no name")
        if kind not in KINDS:
            raise MatcherError(
                self.source, f"line {line}: kind '{kind}' is not one of {', '.join(KINDS)}"
            )
        return Skill(name=name.lower(), kind=kind, category=(row.get("category") or "").strip())

    def _add(self, skill: int, written: str, *, ambiguous: bool) -> None:
        found = tuple(_TOKEN.findall(written))
        if not found:
            return
        form = _Form(
            skill=skill,
            tokens=found,
            case_sensitive=ambiguous or written != written.lower(),
            ambiguous=ambiguous,
        )
        key = tuple(t.lower() for t in found)
        self._forms.setdefault(key, []).append(form)
        last = key[-1]
        if last.isalpha() and len(last) >= 3 and not last.endswith("s"):
            plural = _Form(skill, (*found[:-1], found[-1] + "s"), form.case_sensitive, ambiguous)
            self._plurals.setdefault((*key[:-1], last + "s"), []).append(plural)

    def __len__(self) -> int:
        return len(self.skills)

    def get(self, name: str) -> Skill | None:
        """Return the skill called ``name`` (its canonical, lower-case name), if there is one."""
        return self._by_name.get(name)

    def find(self, text: str) -> list[SkillHit]:
        """Return every skill occurrence in ``text``, longest form first, in text order."""
        toks = tokens(text)
        lower = [t.group().lower() for t in toks]
        # reach[i]: how many tokens a form starting at token i may span before punctuation.
        reach = [1] * len(toks)
        for j in range(len(toks) - 2, -1, -1):
            if not _PHRASE_BREAK.search(text, toks[j].end(), toks[j + 1].start()):
                reach[j] = reach[j + 1] + 1
        sure: list[tuple[int, int, int]] = []  # (first token, end token, skill)
        maybe: list[tuple[int, int, int]] = []
        i = 0
        while i < len(toks):
            found = None
            if lower[i] in self._starts:
                found = self._longest_at(toks, lower, i, min(self._longest, reach[i]))
            if found is None:
                i += 1
                continue
            end, form = found
            (maybe if form.ambiguous else sure).append((i, end, form.skill))
            i = end
        hits = list(sure)
        if maybe:
            present = _ngrams(lower, max((len(c) for cs in self._context for c in cs), default=1))
            sentence = [0] * len(toks)
            for j in range(1, len(toks)):
                gap = _SENTENCE_END.search(text, toks[j - 1].end(), toks[j].start())
                sentence[j] = sentence[j - 1] + (gap is not None)
            near = _Neighbours(sure)
            hits += [m for m in maybe if self._supported(m, near, present, sentence)]
        return [
            SkillHit(self.skills[skill], toks[first].start(), toks[end - 1].end())
            for first, end, skill in sorted(hits)
        ]

    def _longest_at(
        self, toks: list[re.Match[str]], lower: list[str], i: int, longest: int
    ) -> tuple[int, _Form] | None:
        for n in range(longest, 0, -1):
            forms = self._forms.get(tuple(lower[i : i + n]))
            if not forms:
                continue
            written = tuple(t.group() for t in toks[i : i + n])
            matching = [f for f in forms if not f.case_sensitive or f.tokens == written]
            if matching:
                # A form that needs no context beats an ambiguous one of the same length.
                return i + n, min(matching, key=lambda f: f.ambiguous)
        return None

    def _supported(
        self,
        hit: tuple[int, int, int],
        near: _Neighbours,
        present: set[tuple[str, ...]],
        sentence: list[int],
    ) -> bool:
        first, end, skill = hit
        if any(context in present for context in self._context[skill]):
            return True
        category = self.skills[skill].category
        return any(
            self.skills[other].category == category and sentence[o_first] == sentence[first]
            for o_first, other in near.around(first, end)
        )


class _Neighbours:
    """Sure hits found by where they end and start, so that an ambiguous hit looks only at
    those within ``_NEIGHBOUR_TOKENS`` of it (not at every one: that was quadratic)."""

    def __init__(self, sure: list[tuple[int, int, int]]) -> None:
        self.by_end: dict[int, list[tuple[int, int]]] = {}
        self.by_first: dict[int, list[tuple[int, int]]] = {}
        for o_first, o_end, other in sure:
            self.by_end.setdefault(o_end, []).append((o_first, other))
            self.by_first.setdefault(o_first, []).append((o_first, other))

    def around(self, first: int, end: int) -> Iterator[tuple[int, int]]:
        """Yield (first token, skill) of sure hits ending up to N tokens before ``first`` or
        starting up to N tokens after ``end``."""
        for gap in range(_NEIGHBOUR_TOKENS + 1):
            yield from self.by_end.get(first - gap, ())
            yield from self.by_first.get(end + gap, ())


def extract_skills(text: str, vocabulary: SkillVocabulary | None = None) -> list[ExtractedSkill]:
    """Return each skill named in ``text`` once, with every span naming it, in text order.

    >>> [(s.name, s.spans) for s in extract_skills("Go and Python; JS")]
    [('golang', ((0, 2),)), ('python', ((7, 13),)), ('javascript', ((15, 17),))]
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    spans: dict[Skill, list[tuple[int, int]]] = {}
    for hit in (vocabulary or builtin_vocabulary()).find(text):
        spans.setdefault(hit.skill, []).append((hit.start, hit.end))
    return [
        ExtractedSkill(skill.name, skill.kind, skill.category, tuple(where))
        for skill, where in spans.items()
    ]


def _split(value: str | None) -> Iterator[str]:
    for part in (value or "").split("|"):
        if part.strip():
            yield part.strip()


def _ngrams(words: list[str], longest: int) -> set[tuple[str, ...]]:
    return {
        tuple(words[i : i + n]) for n in range(1, longest + 1) for i in range(len(words) - n + 1)
    }


@lru_cache(maxsize=1)
def builtin_vocabulary() -> SkillVocabulary:
    """Return the vocabulary that ships with matcher (read once, then cached)."""
    text = resources.files("matcher").joinpath("data/skills.csv").read_text(encoding="utf-8")
    return SkillVocabulary(csv.DictReader(io.StringIO(text)), source="matcher/data/skills.csv")
