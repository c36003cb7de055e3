"""Finding skills in text: tokens, the longest form at each position, context support for
ambiguous names, and the text that is never searched (addresses, people's names).

Matching works on tokens, so "A/B testing", "A-B testing" and "a b testing" are the same, the
longest form wins at each position, and short ambiguous names ("Go", "R", "C") count only with
supporting context. ``SkillFinder`` is the matching half of ``SkillVocabulary``, which holds the
data and sets up the state declared here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from ..models import ExtractedSkill
from ..read.personal import (
    ADDRESS,
    CONTACT,
    OTHER_HEADING,
    SKILLS_HEADING,
    SKILLS_LABEL,
    header_end,
    masked,
)

if TYPE_CHECKING:
    from .vocabulary import Compiled, Skill, SkillVocabulary

# A token is a run of letters and digits with internal dots (node.js, asp.net), an optional
# leading dot (.net) and a trailing ++, + or # (c++, c#). Everything else separates tokens.
TOKEN = re.compile(r"(?:(?<![\w.])\.)?[^\W_]+(?:\.[^\W_]+)*(?:\+\+|\+|#)?")
# Punctuation that ends a phrase: a skill of several words never spans it, so "user experience,
# design" is not "ux design".
_PHRASE_BREAK = re.compile(r"[,;:.!?()\[\]{}|\u2022\u00b7]|\n\s*\n")
# What may stand between the items of a list of skills: "Python, R or Stata", "Python/C/Java",
# "Python 3, R", "SQL, and/or R".
_LIST_GAP = re.compile(r"(?:[ \t,/;&+|]|\band\b|\bor\b|\d+(?:\.\d+)*\+?)*", re.IGNORECASE)
_LIST_SEPARATOR = re.compile(r"[,/|;\u2022\u00b7]")
_SKILLS_LINE = re.compile(r"[ \t]*[#*_-]*[ \t]*" + SKILLS_LABEL + r"[ \t]*[*_]*[ \t]*:", re.I)


@dataclass(frozen=True)
class SkillHit:
    """One occurrence of a skill in a text: ``text[start:end]`` is what was written."""

    skill: Skill
    start: int
    end: int


class _Match(NamedTuple):  # a form as matching uses it, made when its key is first met
    skill: int
    written: str  # its tokens as written, joined by single spaces
    case_sensitive: bool
    ambiguous: bool


def tokens(text: str) -> list[re.Match[str]]:
    """Return the skill-matching tokens of ``text`` (see ``TOKEN``) as matches, in text order:
    ``m.start()``/``m.end()`` are character offsets into ``text``."""
    return list(TOKEN.finditer(text))


class SkillFinder:
    """Finds a vocabulary's skills in text: the matching half of ``SkillVocabulary``.

    ``SkillVocabulary._setup`` sets the state declared below from a ``Compiled`` form; a finder
    is never made alone.
    """

    compiled: Compiled
    _names: list[str]
    _categories: list[str]
    _index: dict[str, int]  # a skill's number by its name
    _groups: dict[str, int]  # a group of forms' number by its key
    _group_forms: dict[int, list[_Match]]  # made when a text first names their key
    _implied: dict[tuple[str, ...], tuple[str, ...]]
    _longest: int
    _starts: frozenset[str]
    _longest_from: dict[str, int]
    _singles: frozenset[str]
    _pairs: frozenset[str]

    def _skill(self, i: int) -> Skill:
        # Declared for the methods below; ``SkillVocabulary`` makes skills on first use.
        raise NotImplementedError

    def _forms(self, key: str) -> list[_Match] | None:
        """Return the forms whose key is ``key`` (lower-case tokens joined by spaces)."""
        group = self._groups.get(key)
        if group is None:
            return None
        forms = self._group_forms.get(group)
        if forms is None:
            c = self.compiled
            forms = self._group_forms[group] = [
                _Match(
                    c.form_skills[f],
                    c.form_written[f],
                    c.form_case_sensitive[f],
                    c.form_ambiguous[f],
                )  # fmt: skip
                for f in range(c.group_indptr[group], c.group_indptr[group + 1])
            ]
        return forms

    def _context(self, skill: int) -> list[str]:
        c = self.compiled
        return c.contexts[c.context_indptr[skill] : c.context_indptr[skill + 1]]

    def find(self, text: str) -> list[SkillHit]:
        """Return every skill occurrence in ``text``, longest form first, in text order.

        Web and e-mail addresses and people's names (a resume's name line, "Dr. Ruby Jenkins",
        a references line, "contact our recruiter ...") are not searched. A skill of several
        words never spans punctuation, a bullet or a line break (unless the next line goes on
        in lower case, as a sentence wrapped by a PDF does). An ambiguous name counts only with
        support: a telling word anywhere in the text, a line or section that lists skills
        ("Languages: C"), or a list it stands in with a skill of its category ("Python, R").
        """
        text = masked(text)
        toks: list[re.Match[str]] | None = None
        if text.isascii():  # lower-casing moves no character: the tokens are the same
            lower = TOKEN.findall(text.lower())
        else:
            toks = tokens(text)
            lower = [t.group().lower() for t in toks]
        if not lower:
            return []
        following = lower[1:]
        following.append("")
        starts, singles, pairs = self._starts, self._singles, self._pairs
        candidates = [
            i
            for i, (word, after) in enumerate(zip(lower, following, strict=True))
            if word in starts and (word in singles or f"{word} {after}" in pairs)
        ]
        if not candidates:
            return []
        if toks is None:
            toks = tokens(text)
        sure: list[tuple[int, int, int]] = []  # (first token, end token, skill)
        maybe: list[tuple[int, int, int]] = []
        last = len(toks) - 1
        broken: dict[int, bool] = {}  # gap j (after token j): whether it ends a phrase
        resume_at = 0
        longest_from = self._longest_from
        for i in candidates:
            if i < resume_at:
                continue  # inside the form found before
            # How many tokens a form starting here may span before a break (at most as many as
            # the longest form that starts with this word).
            reach = 1
            for j in range(i, min(i + longest_from[lower[i]] - 1, last)):
                if j not in broken:
                    end, after_j = toks[j].end(), toks[j + 1]
                    # Most tokens are one space apart, which never ends a phrase.
                    broken[j] = not (after_j.start() == end + 1 and text[end] == " ") and (
                        _breaks(text, end, after_j)
                    )
                if broken[j]:
                    break
                reach += 1
            found = self._longest_at(toks, lower, i, reach)
            if found is None:
                continue
            resume_at, form = found
            (maybe if form.ambiguous else sure).append((i, resume_at, form.skill))
        hits = list(sure)
        if maybe:
            hits += self._supported(text, toks, lower, sure, maybe)
        if any(_may_be_name(toks, lower, first, end) for first, end, _ in hits):
            hits = _not_names(self, text, toks, lower, hits)
        return [
            SkillHit(self._skill(skill), toks[first].start(), toks[end - 1].end())
            for first, end, skill in sorted(hits)
        ]

    def implied(self, hit: SkillHit, text: str) -> tuple[str, ...]:
        """Return the other skills that the words of a hit name inside it.

        "AWS SageMaker" holds "AWS": whoever names the one names the other ("amazon web
        services"); "time series econometrics" holds "time series". Only sure (not ambiguous)
        forms count, matched as the vocabulary matches them (case-sensitive ones by case).
        """
        written = tuple(t.group() for t in TOKEN.finditer(text, hit.start, hit.end))
        if len(written) < 2:
            return ()
        found = self._implied.get(written)
        if found is None:
            names: dict[str, None] = {}
            lower = tuple(w.lower() for w in written)
            for size in range(len(written) - 1, 0, -1):
                for start in range(len(written) - size + 1):
                    for form in self._forms(" ".join(lower[start : start + size])) or ():
                        if form.ambiguous or form.skill == self._index[hit.skill.name]:
                            continue
                        if form.case_sensitive and form.written != " ".join(
                            written[start : start + size]
                        ):
                            continue
                        names[self._names[form.skill]] = None
            found = self._implied[written] = tuple(names)
        return found

    def _longest_at(
        self, toks: list[re.Match[str]], lower: list[str], i: int, longest: int
    ) -> tuple[int, _Match] | None:
        for n in range(longest, 0, -1):
            forms = self._forms(" ".join(lower[i : i + n]))
            if not forms:
                continue
            matching = [f for f in forms if not f.case_sensitive]
            if len(matching) < len(forms):  # only then is the case as written needed
                written = " ".join(t.group() for t in toks[i : i + n])
                matching = [f for f in forms if not f.case_sensitive or f.written == written]
            if matching:
                # A form that needs no context beats an ambiguous one of the same length.
                return i + n, min(matching, key=lambda f: f.ambiguous)
        return None

    def _supported(
        self,
        text: str,
        toks: list[re.Match[str]],
        lower: list[str],
        sure: list[tuple[int, int, int]],
        maybe: list[tuple[int, int, int]],
    ) -> list[tuple[int, int, int]]:
        """Return the ambiguous hits in ``maybe`` that their context supports."""
        present = _ngrams(lower, self.compiled.longest_context)
        listing_lines = _skills_lines(text)
        supported: list[tuple[int, int, int]] = []
        waiting: list[tuple[int, int, int]] = []
        for hit in maybe:
            first, _, skill = hit
            if any(c in present for c in self._context(skill)) or _in_spans(
                toks[first].start(), listing_lines
            ):
                supported.append(hit)
            else:
                waiting.append(hit)
        # A list's items support one another, also through an ambiguous item already supported
        # ("Python, C, R"). Two items are listed together only when nothing but separators
        # stands between them, so only neighbours in text order can be: a run of neighbours
        # listed together is supported as a whole when any of it is. One pass, linear.
        if not waiting:
            return supported
        pending = set(waiting)
        hits = sorted(sure + supported + waiting)
        run: list[tuple[int, int, int]] = [hits[0]]
        for previous, hit in zip(hits, hits[1:], strict=False):
            if not self._listed_with(text, toks, hit, previous):
                supported += _supported_run(run, pending)
                run = []
            run.append(hit)
        supported += _supported_run(run, pending)
        return supported

    def _listed_with(
        self,
        text: str,
        toks: list[re.Match[str]],
        hit: tuple[int, int, int],
        other: tuple[int, int, int],
    ) -> bool:
        first, end, skill = hit
        o_first, o_end, o_skill = other
        if self._categories[o_skill] != self._categories[skill]:
            return False
        if o_end <= first:
            gap = text[toks[o_end - 1].end() : toks[first].start()]
        elif end <= o_first:
            gap = text[toks[end - 1].end() : toks[o_first].start()]
        else:
            return False
        return len(gap) <= 40 and _LIST_GAP.fullmatch(gap) is not None


def _breaks(text: str, start: int, following: re.Match[str]) -> bool:
    """Return whether the text between ``start`` and the token ``following`` ends a phrase."""
    if _PHRASE_BREAK.search(text, start, following.start()):
        return True
    if "\n" not in text[start : following.start()]:
        return False
    # A line break ends a phrase, unless it only wraps a sentence: nothing but spaces around
    # it and the next line going on in lower case ("gradient\nboosting on 40M rows").
    return not (text[start : following.start()].isspace() and following.group()[0].islower())


# Skills written as one word that is also a common first name, surname or place name: such a
# word names the skill only where its line says it is technical (``_not_names``).
_NAME_SKILLS = frozenset(
    """ada adam addie athena aria bert cadence cassandra dart django docker gatsby java jenkins
    julia kafka kotlin delphi helm packer perl ruby rust sage scala spark spring swift""".split()
)
# Words that make a line technical: it speaks of tools, code or systems.
_TECH_WORDS = frozenset(
    """language languages programming program programmed code coded coding codebase wrote
    written develop developed developing development developer developers build built
    building framework frameworks library libraries tool tools tooling stack pipeline pipelines
    ci cd deploy deployed deployment deployments service services api apis software backend
    frontend script scripts scripting automation automated server servers app apps
    application applications platform platforms engineer engineering engineers proficient
    proficiency experience experienced using sdk ide compiler version versions""".split()
)


def _not_names(
    finder: SkillFinder,
    text: str,
    toks: list[re.Match[str]],
    lower: list[str],
    hits: list[tuple[int, int, int]],
) -> list[tuple[int, int, int]]:
    """Return ``hits`` less the skills written as one capitalised word that is also a
    person's or a place's name ("Rust", "Jenkins Road") where their own line gives no
    technical context.

    Such a word counts only on a line that lists skills ("Tools: Jenkins"), names another
    skill, one of its own context phrases or a technical word ("built CI pipelines in
    Jenkins"); never in a resume's contact header or on an address line, whatever else
    the line holds.
    """
    header_stop = header_end(text)
    listing_lines = _skills_lines(text)
    kept = []
    for hit in hits:
        first, end, skill = hit
        if not _may_be_name(toks, lower, first, end):
            kept.append(hit)
            continue
        start = toks[first].start()
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", start)
        line_end = len(text) if line_end < 0 else line_end
        line = text[line_start:line_end]
        if start < header_stop or ADDRESS.search(line) or CONTACT.search(line):
            continue
        if _in_spans(start, listing_lines):
            kept.append(hit)
            continue
        # A list item's line is its list: its items and the line that introduces them
        # ("experience developing systems using:" over "• Java", "• Spring").
        line_start, line_end = _item_list(text, line_start, line_end)
        on_line = [
            i for i, t in enumerate(toks) if line_start <= t.start() < line_end and i != first
        ]
        words = {lower[i] for i in on_line}
        others = any(
            o_first != first and line_start <= toks[o_first].start() < line_end
            for o_first, _, _ in hits
        )
        present = _ngrams([lower[i] for i in on_line], finder.compiled.longest_context)
        if (
            others
            or not _TECH_WORDS.isdisjoint(words)
            or any(c in present for c in finder._context(skill))
        ):
            kept.append(hit)
    return kept


def _may_be_name(toks: list[re.Match[str]], lower: list[str], first: int, end: int) -> bool:
    """Return whether a hit is one word of ``_NAME_SKILLS`` written with a capital, as names
    are ("Jenkins", "RUST"; "kafka" names no one)."""
    return end - first == 1 and lower[first] in _NAME_SKILLS and toks[first].group()[0].isupper()


_ITEM = re.compile(r"[ \t]*(?:[-*\u2022\u00b7\u25aa\u25e6]|\d{1,2}[.)])[ \t]+\S")


def _item_list(text: str, start: int, end: int) -> tuple[int, int]:
    """Return the span of the list that the line ``text[start:end]`` is an item of: its items
    (blank lines between them allowed) and the line before the first; the line's own span
    when it is no list item."""
    if not _ITEM.match(text, start):
        return start, end
    first, last = start, end
    while first > 0:  # up to the line that introduces the list
        before = text.rfind("\n", 0, first - 1) + 1
        line = text[before : first - 1]
        first = before
        if line.strip() and not _ITEM.match(line):
            break
    while last < len(text):  # down to the last item
        after = text.find("\n", last + 1)
        after = len(text) if after < 0 else after
        line = text[last + 1 : after]
        if line.strip() and not _ITEM.match(line):
            break
        last = after
    return first, last


def _skills_lines(text: str) -> list[tuple[int, int]]:
    """Return the spans of lines that list skills: after a skills label or under a heading."""
    spans: list[tuple[int, int]] = []
    under_heading = False
    position = 0
    for line in text.split("\n"):
        end = position + len(line)
        if not line.strip():
            under_heading = False
        elif SKILLS_HEADING.fullmatch(line):
            under_heading = True
        elif OTHER_HEADING.fullmatch(line):
            under_heading = False
        elif _SKILLS_LINE.match(line) or (under_heading and _list_like(line)):
            spans.append((position, end))
        else:
            under_heading = False  # prose: the list under the heading has ended
        position = end + 1
    return spans


def _list_like(line: str) -> bool:
    """Return whether a line reads as items of a list rather than a sentence."""
    words = len(line.split())
    return words <= 6 or len(_LIST_SEPARATOR.findall(line)) >= max(2, words // 4)


def _in_spans(offset: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= offset < end for start, end in spans)


def extract_skills(text: str, vocabulary: SkillVocabulary | None = None) -> list[ExtractedSkill]:
    """Return each skill named in ``text`` once, with every span naming it, in text order.

    Spans are ``(start, end)`` character offsets into ``text``; ``vocabulary`` defaults to the
    built-in one. Raises ``TypeError`` when ``text`` is not a ``str`` (a list of texts, bytes).

    >>> [(s.name, s.spans) for s in extract_skills("Go and Python; JS")]
    [('golang', ((0, 2),)), ('python', ((7, 13),)), ('javascript', ((15, 17),))]
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    from .vocabulary import builtin_vocabulary  # here: vocabulary.py imports this module

    spans: dict[Skill, list[tuple[int, int]]] = {}
    for hit in (vocabulary or builtin_vocabulary()).find(text):
        spans.setdefault(hit.skill, []).append((hit.start, hit.end))
    return [
        ExtractedSkill(skill.name, skill.kind, skill.category, tuple(where))
        for skill, where in spans.items()
    ]


def _supported_run(
    run: list[tuple[int, int, int]], pending: set[tuple[int, int, int]]
) -> list[tuple[int, int, int]]:
    """Return the ambiguous hits of a run of items listed together, if any item is sure."""
    if all(hit in pending for hit in run):
        return []
    return [hit for hit in run if hit in pending]


def _ngrams(words: list[str], longest: int) -> set[str]:
    return {
        " ".join(words[i : i + n]) for n in range(1, longest + 1) for i in range(len(words) - n + 1)
    }
