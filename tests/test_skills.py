from __future__ import annotations

import csv
import re
from collections import defaultdict
from importlib import resources

import pytest

from matcher import Settings, SkillVocabulary, builtin_vocabulary, extract_skills
from matcher.analyse import Analyzer
from matcher.errors import MatcherError
from matcher.skills import KINDS, tokens


def found(text: str) -> list[tuple[str, str]]:
    return [(hit.skill.name, text[hit.start : hit.end]) for hit in builtin_vocabulary().find(text)]


def names(text: str) -> list[str]:
    return [name for name, _ in found(text)]


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        ("ML", "machine learning"),
        ("machine learning", "machine learning"),
        ("Machine-Learning", "machine learning"),
        ("k8s", "kubernetes"),
        ("Kubernetes", "kubernetes"),
        ("JS", "javascript"),
        ("JavaScript", "javascript"),
        ("LLMs", "large language models"),
        ("large language model", "large language models"),
        ("NLP", "natural language processing"),
        ("A/B testing", "a/b testing"),
        ("A-B testing", "a/b testing"),
        ("difference-in-differences", "difference-in-differences"),
        ("difference in differences", "difference-in-differences"),
        ("causal inference", "causal inference"),
        ("computer vision", "computer vision"),
    ],
)
def test_aliases_fold_to_one_canonical_skill(text, skill):
    assert names(f"Experience with {text} required.") == [skill]


@pytest.mark.parametrize("text", ["C++", "C#", ".NET", "Node.js", "ASP.NET"])
def test_names_with_symbols_survive(text):
    assert found(f"We use {text} daily.") == [(text.lower(), text)]


def test_longest_form_wins():
    assert names("time series database") == ["time series databases"]
    assert names("time series") == ["time series analysis"]


def test_java_is_not_javascript_and_case_rules_hold():
    assert names("java and javascript") == ["java", "javascript"]
    assert names("Give 5 ml twice daily") == []  # "ML" counts only in capitals
    assert names("ML models") == ["machine learning"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We go above and beyond for customers.", []),
        ("Go is our language of choice.", []),
        ("Go services with goroutines and channels.", ["golang"]),
        ("Experience programming in Java, C++, Python or Go.", ["java", "c++", "python", "golang"]),
        ("Statistical tools (Python, R or Stata).", ["python", "r", "stata"]),
        ("Grade R students", []),
        ("Our R&D team", ["research and development"]),
        ("C/C++ on embedded targets", ["c", "c++"]),
        ("Plan C is ready.", []),
        ("Spring hiring event in Seattle.", []),
        ("Spring and Hibernate on Java", ["spring framework", "hibernate orm", "java"]),
        ("A Swift taxi to the office.", []),
        ("Swift and SwiftUI for iOS apps.", ["swift (language)", "swiftui", "ios development"]),
    ],
)
def test_short_ambiguous_names_need_context(text, expected):
    assert names(text) == expected


def test_phrases_do_not_span_punctuation():
    assert names("a machine, learning fast") == []
    assert names("a machine. Learning is fun") == []
    assert names("a machine learning model") == ["machine learning"]


def test_spans_point_at_the_text():
    text = "Built ML pipelines on k8s with C++ and A/B tests."
    for hit in builtin_vocabulary().find(text):
        written = text[hit.start : hit.end]
        assert written and written == written.strip()
    assert [w for _, w in found(text)] == ["ML", "k8s", "C++", "A/B tests"]


def test_skills_become_single_terms_and_leave_no_word_behind():
    settings = Settings(skill_words=False, bigrams=False)
    terms = Analyzer(settings).terms("Machine learning and k8s, plus statistics homework.")
    assert "machine learning" in terms and "kubernetes" in terms
    assert "machine" not in terms and "learning" not in terms and "k8s" not in terms
    assert "homework" in terms  # words that are not skills still count


def test_skill_words_keep_the_words_of_a_skill_as_well():
    terms = Analyzer(Settings(bigrams=False, skill_words=True)).terms("Machine learning and k8s")
    assert terms == ["machine learning", "kubernetes", "machine", "learning", "k8s"]


def test_builtin_vocabulary_file_is_consistent():
    text = resources.files("matcher").joinpath("data/skills.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert list(rows[0]) == ["name", "kind", "category", "aliases", "ambiguous", "context"]
    assert len(rows) == len(builtin_vocabulary()) >= 1000
    owners: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        assert row["name"] == row["name"].lower().strip(), row
        assert row["kind"] in KINDS, row
        assert bool(row["ambiguous"]) == bool(row["context"]), row
        for form in filter(None, (row["aliases"] + "|" + row["ambiguous"]).split("|")):
            key = " ".join(t.group().lower() for t in tokens(form))
            owners[key].add(row["name"])
        for form in filter(None, row["ambiguous"].split("|")):
            # an ambiguous skill's name must not collide with the plain word it is spelled as
            assert len(row["name"]) == 1 or form.lower() != row["name"], row
    shared = {form: skills for form, skills in owners.items() if len(skills) > 1}
    assert shared == {}


def test_vocabulary_errors_name_the_file_and_line(tmp_path):
    path = tmp_path / "v.csv"
    path.write_text("name,kind,category,aliases,ambiguous,context\nrust,metal,x,rust,,\n")
    with pytest.raises(MatcherError, match=re.escape(f"{path}: line 2: kind 'metal'")):
        SkillVocabulary.from_csv(path)
    path.write_text("name,kind,category,aliases,ambiguous,context\na,tool,x,a,,\na,tool,x,b,,\n")
    with pytest.raises(MatcherError, match="line 3: skill 'a' is listed twice"):
        SkillVocabulary.from_csv(path)


def test_a_custom_vocabulary_changes_what_counts():
    vocabulary = SkillVocabulary(
        [
            {
                "name": "basket weaving",
                "kind": "practice",
                "category": "craft",
                "aliases": "basket weaving|BW",
                "ambiguous": "",
                "context": "",
            }
        ]
    )
    analyzer = Analyzer(Settings(), vocabulary)
    assert analyzer.skill_terms("Expert in BW and basket-weaving.") == ["basket weaving"] * 2


def test_extract_skills_groups_every_span_under_one_canonical_skill():
    text = "Python (primary), JS and JavaScript; java. We Go far. Also k8s and Kubernetes."
    skills = {s.name: s for s in extract_skills(text)}
    assert [text[a:b] for a, b in skills["javascript"].spans] == ["JS", "JavaScript"]
    assert [text[a:b] for a, b in skills["python"].spans] == ["Python"]
    assert [text[a:b] for a, b in skills["kubernetes"].spans] == ["k8s", "Kubernetes"]
    assert skills["java"].kind == "tool" and "golang" not in skills
    assert list(skills) == ["python", "javascript", "java", "kubernetes"]  # order of first use


def test_extract_skills_takes_the_longest_form_first():
    vocabulary = SkillVocabulary(
        [
            {"name": "machine learning", "kind": "knowledge", "aliases": "machine learning"},
            {
                "name": "machine learning engineering",
                "kind": "practice",
                "aliases": "machine learning engineer|machine learning engineering",
            },
        ]
    )
    text = "Machine learning engineer with machine learning research"
    assert [(s.name, s.spans) for s in extract_skills(text, vocabulary)] == [
        ("machine learning engineering", ((0, 25),)),
        ("machine learning", ((31, 47),)),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We write Go every day.", []),
        ("We write Go and Python.", ["golang", "python"]),
        ("Go services with goroutines", ["golang"]),
        ("Go-to-market lead", ["go-to-market strategy"]),
    ],
)
def test_extract_skills_needs_context_for_short_names(text, expected):
    assert [s.name for s in extract_skills(text)] == expected


def test_extract_skills_refuses_bytes():
    with pytest.raises(TypeError, match="text must be a str"):
        extract_skills(b"python")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Good numeracy and literacy skills are essential.", ["numeracy", "literacy"]),
        ("IT literacy required", ["computer literacy"]),
        ("Experience of literacy intervention in schools", ["literacy instruction"]),
    ],
)
def test_literacy_asked_of_a_candidate_is_not_teaching_it(text, expected):
    """A care listing's "numeracy and literacy" asks the candidate's own skills (trial, 2026-11)."""
    assert [hit.skill.name for hit in builtin_vocabulary().find(text)] == expected


def test_a_vocabulary_pickles_as_its_compiled_form_while_it_is_in_use():
    """Dask pickles task arguments between processes, while other tasks may be matching."""
    import pickle
    import threading

    from .conftest import RESUMES

    vocabulary = SkillVocabulary(builtin_vocabulary().rows, source="in memory")  # rows: a closure
    texts = [p.read_text(encoding="utf-8") for p in sorted(RESUMES.glob("*.txt"))]
    before = pickle.dumps(vocabulary)
    stop = threading.Event()

    def match() -> None:
        while not stop.is_set():
            for text in texts:
                vocabulary.find(text)

    worker = threading.Thread(target=match)
    worker.start()
    try:
        copies = [pickle.loads(pickle.dumps(vocabulary)) for _ in range(20)]
    finally:
        stop.set()
        worker.join()
    assert pickle.dumps(vocabulary) == before  # the caches filled by matching are not pickled
    for copy in copies[:2]:
        assert [[(h.skill.name, h.start, h.end) for h in copy.find(t)] for t in texts] == [
            [(h.skill.name, h.start, h.end) for h in vocabulary.find(t)] for t in texts
        ]
        assert copy.rows == vocabulary.rows and copy.attributions == vocabulary.attributions


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # Media and public relations say "digital communications" for their channels (issue 20:
        # an NHS "Digital Media Assistant" ranked first for an RF engineer on it).
        ("Digital Media Assistant: you will run our digital communications and social media.", False),
        ("Director of Communications. Lead internal and digital communications.", False),
        ("Experience in digital communications: modulation, OFDM and antennas.", True),
    ],
)
def test_digital_communications_is_the_rf_skill_only_beside_rf_words(text, found):
    assert ("digital communications" in {s.name for s in extract_skills(text)}) is found
