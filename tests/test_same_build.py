"""The faster build gives the very index the straightforward one did.

The reference below is the build as it stood before it was made faster (issue 12): one process,
every sentence analysed afresh, headings tried at every capital, words filtered list by list.
The index the package builds must hold the same arrays, bit for bit, on the bundled listings and
on real NHS postings, in one process and in several.
"""

from __future__ import annotations

import hashlib
import re
from array import array
from pathlib import Path

import numpy as np
import pytest

from matcher import analyse, skills
from matcher.analyse import (
    _AFTER_HEADING,
    _CAPITALS_RUN,
    _COLON_AFTER,
    _HEADING_MAX,
    _RUN_ON_BEFORE,
    _SENTENCE_END_BEFORE,
    _WORD,
    PLACEHOLDERS,
    SKILL_PREFIX,
    STOP_WORDS,
    Analyzer,
    _heading_kind,
    _listing_patterns,
    _singular,
    repeated_shingles,
    sentences,
)
from matcher.index import Index, _assemble, _Collected, build_index
from matcher.models import UNTITLED, Listing, Settings

from .conftest import SHARED

_CAPITALISED = _listing_patterns().capitalised
_PHRASE_AT = _listing_patterns().phrase_at

NHS = SHARED / "data" / "nhs_jobs" / "nhs_jobs_2020.jsonl"
NHS_SAMPLE = 700  # two chunks of listings and more, so that several processes share the work


def _reference_headings(text: str) -> list[tuple[int, int, str]]:
    found = []
    last_end = 0
    for capital in _CAPITALISED.finditer(text):
        start = capital.start()
        if start < last_end:
            continue
        after_space = start == 0 or text[start - 1].isspace()
        capitals = _CAPITALS_RUN.match(text, start, start + _HEADING_MAX)
        if capitals and capitals.end() == start + _HEADING_MAX:
            capitals = None
        if after_space and capitals and len(capitals.group()) > 1:
            kind = _heading_kind(capitals.group())
            if kind:
                found.append((start, capitals.end(), kind))
                last_end = capitals.end()
                continue
        phrase = _PHRASE_AT.match(text, start)
        if phrase is None:
            continue
        end = phrase.end()
        heading = phrase.group()
        kind = _heading_kind(heading)
        before = text[max(0, start - 2) : start]
        if (
            (after_space and _COLON_AFTER.match(text, end))
            or (
                (start == 0 or text[start - 1] == "\n" or _SENTENCE_END_BEFORE.search(before))
                and _AFTER_HEADING.match(text, end)
            )
            or (
                kind != "company"
                and " " in heading
                and heading.split(" ", 1)[0][1:].islower()
                and _RUN_ON_BEFORE.search(before)
                and _AFTER_HEADING.match(text, end)
                and not text.startswith("\n", end)
            )
        ):
            found.append((start, end, kind))
            last_end = end
    return found


def _reference_shingles(words: list[str]) -> frozenset[int]:
    if len(words) < 3 + 6 - 1:
        return frozenset()
    keys = [
        int.from_bytes(hashlib.blake2b(w.encode("utf-8"), digest_size=8).digest(), "little")
        for w in words
    ]
    mix_a, mix_b = 0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F
    return frozenset(
        (keys[i] * mix_a + keys[i + 1] * mix_b + keys[i + 2]) % 2**63
        for i in range(len(words) - 3 + 1)
    )


_NOT_TEXT = skills._NOT_TEXT
_PERSON = skills._PERSON


def _reference_masked(text: str) -> str:
    spans = [m.span() for m in _NOT_TEXT.finditer(text)]
    for m in _PERSON.finditer(text):
        group = next(g for g in ("name", "contact", "ref") if m.group(g))
        spans.append(m.span(group))
    first = skills._first_line(text)
    if first is not None:
        spans.append(first)
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _reference_find(self, text: str) -> list[skills.SkillHit]:
    text = skills._masked(text)
    toks = skills.tokens(text)
    lower = [t.group().lower() for t in toks]
    reach = [1] * len(toks)
    for j in range(len(toks) - 2, -1, -1):
        if not skills._breaks(text, toks[j].end(), toks[j + 1]):
            reach[j] = reach[j + 1] + 1
    sure: list[tuple[int, int, int]] = []
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
        hits += self._supported(text, toks, lower, sure, maybe)
    # Names that are skills (issue 23): a rule of what is found, not of how fast.
    if any(skills._may_be_name(toks, lower, first, end) for first, end, _ in hits):
        hits = self._not_names(text, toks, lower, hits)
    return [
        skills.SkillHit(self.skills[skill], toks[first].start(), toks[end - 1].end())
        for first, end, skill in sorted(hits)
    ]


def _reference_sentences(text: str, settings: Settings) -> list[analyse.Sentence]:
    if not settings.sections:
        return [analyse.Sentence(text, 1.0, "body", frozenset())]
    cuts = _reference_headings(text)
    any_legal = _listing_patterns().legal.search(text.lower()) is not None
    parts: list[tuple[str, str]] = []
    if not cuts:
        parts.append((text, "body"))
    else:
        parts.append((text[: cuts[0][0]], "intro"))
        for (_, end, kind), nxt in zip(cuts, [c[0] for c in cuts[1:]] + [len(text)], strict=True):
            parts.append((text[end:nxt], kind))
    result = []
    for part, kind in parts:
        weight = analyse.SECTION_WEIGHTS.get(kind, 1.0)
        for piece in analyse._SENTENCE_BREAK.split(part):
            piece = piece.strip().lstrip(":-\u2013\u2022* ").strip()
            if not piece:
                continue
            if any_legal and _listing_patterns().legal.search(piece.lower()):
                weight_here = min(weight, analyse.BOILERPLATE_WEIGHT)
            else:
                weight_here = weight
            shingles = (
                frozenset()
                if kind in analyse._NEVER_BOILERPLATE
                else _reference_shingles(_WORD.findall(piece.lower()))
            )
            preferred = kind == "preferred" or _listing_patterns().preferred.search(piece.lower()) is not None
            result.append(analyse.Sentence(piece, weight_here, kind, shingles, preferred))
    return result


class _ReferenceAnalyzer(Analyzer):
    """Every sentence analysed afresh, words filtered list by list."""

    def _sentence_terms(self, text: str):  # type: ignore[override]
        return self._split(text)

    def _unigrams(self, text: str) -> list[str]:
        words = _WORD.findall(text.lower())
        if self.settings.stop_words:
            words = [w for w in words if w not in STOP_WORDS and not w.isdigit()]
        if self.settings.placeholders:
            words = [w for w in words if w not in PLACEHOLDERS]
        if self.settings.plurals:
            names = {m.lower() for m in analyse._CAPITAL_S_NAME.findall(text)} if "S" in text else ()
            words = [w if w in names else _singular(w) for w in words]
        return words


def _reference_build(listings: list[Listing], settings: Settings) -> Index:
    """Return the index built the plain way: all in one process, each listing twice analysed."""
    analyzer = _ReferenceAnalyzer(settings)
    documents = [_reference_sentences(listing.description, settings) for listing in listings]
    repeated = (
        repeated_shingles(documents, settings.boilerplate_min_listings)
        if settings.sections
        else set()
    )
    columns: dict[str, int] = {}
    indptr, indices, data = array("q", [0]), array("i"), array("d")
    asked_indptr, asked, required = array("q", [0]), array("i"), array("b")
    for listing, document in zip(listings, documents, strict=True):
        title = listing.title if listing.title and listing.title != UNTITLED else None
        weights, asks = analyzer.listing_terms(document, title, repeated)
        indices.extend([columns.setdefault(t, len(columns)) for t in weights])
        data.extend(weights.values())
        indptr.append(len(indices))
        for skill, is_required in sorted(asks.items()):
            asked.append(columns[SKILL_PREFIX + skill])
            required.append(is_required)
        asked_indptr.append(len(asked))
    collected = _Collected(indptr, indices, data, asked_indptr, asked, required)
    keys = np.array(sorted(repeated), dtype=np.int64)
    return _assemble(listings, analyzer, columns, keys, collected)


ARRAYS = (
    "idf indptr rows weights parts asked_indptr asked_columns asked_required part_weights "
    "query_floors listing_floors repeated"
).split()


def _assert_same(built: Index, reference: Index) -> None:
    assert list(built.terms) == list(reference.terms)  # type: ignore[call-overload]
    for name in ARRAYS:
        mine, theirs = getattr(built, name), getattr(reference, name)
        assert mine.dtype == theirs.dtype, name
        assert np.array_equal(mine, theirs), name


def _nhs_listings(tmp_path: Path) -> list[Listing]:
    from matcher import load_listings

    sample = tmp_path / "nhs_sample.jsonl"
    with NHS.open(encoding="utf-8") as f:
        sample.write_text("".join(next(f) for _ in range(NHS_SAMPLE)), encoding="utf-8")
    return list(load_listings(sample))


def _reference(listings: list[Listing], settings: Settings, monkeypatch) -> Index:
    with monkeypatch.context() as patched:
        patched.setattr(analyse, "_headings", _reference_headings)
        patched.setattr(analyse, "_shingles", _reference_shingles)
        patched.setattr(skills, "_masked", _reference_masked)
        patched.setattr(skills.SkillVocabulary, "find", _reference_find)
        return _reference_build(listings, settings)


@pytest.mark.parametrize("settings", [Settings(), Settings.plain()], ids=["default", "plain"])
def test_bundled_listings_give_the_reference_index(fixture_listings, settings, monkeypatch):
    listings = list(fixture_listings)
    reference = _reference(listings, settings, monkeypatch)
    _assert_same(build_index(listings, Analyzer(settings), workers=1), reference)


@pytest.mark.skipif(not NHS.is_file(), reason="../shared/data/nhs_jobs is not beside this checkout")
@pytest.mark.parametrize("workers", [1, 2])
def test_nhs_postings_give_the_reference_index(tmp_path, workers, monkeypatch):
    listings = _nhs_listings(tmp_path)
    reference = _reference(listings, Settings(), monkeypatch)
    assert reference.nnz > 50_000  # a sample big enough to mean something
    _assert_same(build_index(listings, Analyzer(Settings()), workers=workers), reference)


def test_the_reference_differs_where_the_code_would():
    """The comparison can fail: an index of other listings is not the reference's."""
    listings = [Listing("1", "Nurse", "Requirements: nursing degree. Duties: ward rounds.")]
    other = [Listing("1", "Nurse", "Requirements: nursing degrees. Duties: ward rounds daily.")]
    with pytest.raises(AssertionError):
        _assert_same(
            build_index(other, Analyzer(Settings()), workers=1),
            _reference_build(listings, Settings()),
        )


@pytest.mark.parametrize(
    "text",
    [
        "About the team Our team builds",
        "ABOUT US\nWe are a trust. Key responsibilities: run clinics",
        "Ba\u017fic qualifications: a degree",  # a long s matches "s" when case is ignored
        "Essential\n- registered nurse\nDesirable\n- ICU experience",
        "What you'll do: lead. Who you are: kind. The Role - manage wards",
        "Tools\u212a and Technology: SQL",
    ],
)
def test_headings_are_found_as_before(text):
    assert analyse._headings(text) == _reference_headings(text)


def test_headings_are_found_as_before_in_nhs_postings():
    if not NHS.is_file():
        pytest.skip("../shared/data/nhs_jobs is not beside this checkout")
    import json

    with NHS.open(encoding="utf-8") as f:
        texts = [json.loads(next(f))["description"] or "" for _ in range(2000)]
    assert sum(len(_reference_headings(t)) for t in texts) > 500
    for text in texts:
        assert analyse._headings(text) == _reference_headings(text)


def test_word_forms_are_the_reference_ones():
    text = "Nurses AWS NeurIPS analysts the Company Name caches coaches NEWS news businesses"
    for settings in (Settings(), Settings.plain(), Settings(plurals=False)):
        assert Analyzer(settings)._unigrams(text) == _ReferenceAnalyzer(settings)._unigrams(text)
    assert re.search("nurse", " ".join(Analyzer(Settings())._unigrams(text)))


@pytest.mark.parametrize(
    "text",
    [
        "See WWW.NHS.UK/jobs or mail jo@trust.nhs.uk",
        "Apply at nhsjobs.com/apply today. Contact Dr. Ruby Jenkins",
        "Jane Smith\nPython developer, github.com/jane",
        "no address here at all",
    ],
)
def test_addresses_and_names_are_masked_as_before(text):
    assert skills._masked(text) == _reference_masked(text)
    assert skills._masked(text.lower()) == _reference_masked(text.lower())


def test_resumes_are_masked_as_before():
    from .conftest import RESUMES

    texts = [p.read_text(encoding="utf-8") for p in sorted(RESUMES.glob("*.txt"))]
    assert texts
    for text in texts:
        assert skills._masked(text) == _reference_masked(text)


def test_skills_are_found_as_before_in_resumes_and_postings():
    from .conftest import LISTINGS, RESUMES

    texts = [p.read_text(encoding="utf-8") for p in sorted(RESUMES.glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted(LISTINGS.glob("*.txt"))]
    texts += ["Python, R or C; Go and gradient\nboosting. Node and Express", "C++ / C# / .NET"]
    if NHS.is_file():
        import json

        with NHS.open(encoding="utf-8") as f:
            texts += [json.loads(next(f))["description"] or "" for _ in range(300)]
    vocabulary = skills.builtin_vocabulary()
    found = 0
    for text in texts:
        hits = vocabulary.find(text)
        assert hits == _reference_find(vocabulary, text)
        found += len(hits)
    assert found > (1000 if NHS.is_file() else 300)  # enough hits to compare, with or without


def test_sentences_are_cut_as_before():
    texts = [
        "Key responsibilities:\n\u2022 Lead ward rounds.  - Audit notes\n\nAbout us: We are a trust.",
        "  :- Lone piece with spaces \u2013 and dashes  ",
        "Salary range $30,000 per year. Equal opportunity employer. A plus: Python is a plus.",
    ]
    if NHS.is_file():
        import json

        with NHS.open(encoding="utf-8") as f:
            texts += [json.loads(next(f))["description"] or "" for _ in range(1000)]
    for settings in (Settings(), Settings.plain()):
        for text in texts:
            assert sentences(text, settings) == _reference_sentences(text, settings)


@pytest.mark.parametrize(
    "text",
    [
        "Contact Jane Smith for details",
        "Speak to our recruiter Tom Jones",
        "References: Ann Lee",
        "Dr Who and Mrs Brown",
        "CONTACT Jane Smith",
        "Reach out to the hiring manager Sam Hill",
        "Referee\u017f: Ann Lee",  # a long s: "referees" ignoring case
        "\u0130nformation only",
        "nothing to see here",
    ],
)
def test_names_are_masked_as_before(text):
    assert skills._masked(text) == _reference_masked(text)
