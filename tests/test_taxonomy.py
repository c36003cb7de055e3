"""Importing ESCO and O*NET: which labels become matching terms, storage, and effect on runs."""

from __future__ import annotations

import csv
import json

import pytest

from matcher import Listing, Matcher, import_taxonomy, load_vocabulary, match_files
from matcher.errors import MatcherError
from matcher.skills import builtin_vocabulary, extract_skills, tokens
from matcher.skills.taxonomy import (
    ATTRIBUTIONS,
    esco_rows,
    merge_rows,
    onet_rows,
    remove_vocabulary,
    stored_vocabularies,
    vocabularies_dir,
)

from .conftest import SHARED, resume_path

ESCO = SHARED / "data" / "esco" / "skills_en.csv"
ONET = SHARED / "data" / "onet" / "Technology Skills.csv"
needs_esco = pytest.mark.skipif(not ESCO.is_file(), reason="../shared/data/esco is not here")
needs_onet = pytest.mark.skipif(not ONET.is_file(), reason="../shared/data/onet is not here")

ESCO_COLUMNS = ["conceptUri", "skillType", "reuseLevel", "preferredLabel", "altLabels"]
ESCO_SAMPLE = [
    # verbs are learned from skill/competence preferred labels: manage, operate, use
    ("skill/competence", "sector-specific", "manage musical staff", "manage staff of music"),
    ("skill/competence", "sector-specific", "manage a vineyard", "vineyard management"),
    ("skill/competence", "cross-sector", "operate tamping car", "tamping car operation"),
    ("skill/competence", "cross-sector", "operate a crane", "crane operation"),
    ("skill/competence", "cross-sector", "use spreadsheets software", "spreadsheet use"),
    ("skill/competence", "cross-sector", "use a lathe", "lathe turning"),
    ("knowledge", "sector-specific", "histology", "tissue science\nhistological"),
    ("knowledge", "cross-sector", "integrity", "honesty"),
    ("knowledge", "transversal", "Polish", "Polish language"),
    ("knowledge", "sector-specific", "Source (game engine)", "Source 2"),
    (
        "knowledge",
        "occupation-specific",
        "coordination of the logistics of large outdoor music festivals",
        "festival logistics",
    ),
    ("knowledge", "sector-specific", "LDAP", ""),
]


def write_esco(path, rows=ESCO_SAMPLE):
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(ESCO_COLUMNS)
        for i, (kind, reuse, preferred, alt) in enumerate(rows):
            writer.writerow([f"esco:{i}", kind, reuse, preferred, alt])
    return path


ONET_COLUMNS = ["O*NET-SOC Code", "Title", "Example", "Commodity Code", "Commodity Title"]
ONET_SAMPLE = [
    "Microsoft Excel",
    "Microsoft Word",
    "Microsoft PowerPoint",
    "Microsoft Project",
    "ESRI ArcGIS software",
    "ESRI ArcView",
    "ESRI ArcPad",
    "Spreadsheet software",
    "Structured query language SQL",
    "Tableau",
    "R",
]


def write_onet(path, examples=ONET_SAMPLE):
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(ONET_COLUMNS)
        for example in examples:
            writer.writerow(["11-1011.00", "Chief Executives", example, "1", "Office software"])
    return path


def forms(rows):
    return {row["name"]: row["aliases"].split("|") for row in rows}


def test_esco_rule_keeps_noun_phrases_and_drops_sentences_verbs_and_everyday_words(tmp_path):
    found = forms(esco_rows(write_esco(tmp_path / "skills_en.csv")))
    assert "manage musical staff" not in found  # verb phrases only: nothing to match
    assert found["manage a vineyard"] == ["vineyard management"]  # the noun form survives
    assert found["operate tamping car"] == ["tamping car operation"]
    assert found["histology"] == ["histology", "tissue science"]  # one-word alternative dropped
    assert "integrity" not in found  # cross-sector single word
    assert found["polish"] == ["polish language"]  # the bare language name is a nationality
    assert found["source"] == ["source 2"]  # bare "Source" needed its qualifier
    assert found["coordination of the logistics of large outdoor music festivals"] == [
        "festival logistics"
    ]
    assert found["ldap"] == ["LDAP"]  # acronyms keep their case, so they stay case-sensitive


def test_onet_rule_makes_tools_with_safe_short_forms(tmp_path):
    found = forms(onet_rows(write_onet(tmp_path / "Technology Skills.csv")))
    assert found["microsoft excel"] == ["Microsoft Excel"]  # "Excel" could be a word: not alone
    assert found["microsoft word"] == ["Microsoft Word"]
    assert found["microsoft powerpoint"] == ["Microsoft PowerPoint", "PowerPoint"]
    assert found["esri arcgis"] == ["ESRI ArcGIS", "ArcGIS"]
    assert found["structured query language sql"] == [
        "Structured query language SQL",
        "Structured query language",
        "SQL",
    ]
    assert "spreadsheet" not in found and "spreadsheet software" not in found  # generic
    assert "r" not in found  # too short to be safe without context
    assert all(row["kind"] == "tool" for row in onet_rows(tmp_path / "Technology Skills.csv"))


def test_merge_keeps_the_first_owner_of_a_name_or_form():
    first = [{"name": "python", "kind": "tool", "aliases": "python|py3"}]
    later = [
        {"name": "python (computer programming)", "kind": "knowledge", "aliases": "Python|PY3"},
        {"name": "pandas", "kind": "tool", "aliases": "pandas|python"},
        {"name": "python", "kind": "knowledge", "aliases": "cpython"},
    ]
    merged = merge_rows([first, later])
    assert [(row["name"], row["aliases"]) for row in merged] == [
        ("python", "python|py3"),
        ("pandas", "pandas"),
    ]


def test_import_stores_a_readable_csv_with_its_attribution(tmp_path, data_dir):
    path = import_taxonomy("esco", write_esco(tmp_path / "skills_en.csv"))
    assert path.parent == vocabularies_dir() and path.parent.is_relative_to(data_dir)
    meta = json.loads(path.with_suffix(".json").read_text())
    assert meta["attribution"] == ATTRIBUTIONS["esco"] and meta["skills"] == len(
        esco_rows(tmp_path / "skills_en.csv")
    )
    assert list(stored_vocabularies()) == ["esco"]
    vocabulary = load_vocabulary()
    assert vocabulary.attributions == (ATTRIBUTIONS["esco"],)
    assert [s.name for s in extract_skills("vineyard management and Python", vocabulary)] == [
        "manage a vineyard",
        "python",
    ]
    # The built-in vocabulary, read compiled from the data folder (compiled there on first use).
    builtin = load_vocabulary(["builtin"])
    assert builtin.compiled == builtin_vocabulary().compiled
    assert builtin.source == builtin_vocabulary().source
    assert "manage a vineyard" in load_vocabulary(["esco"]).names
    assert "python" not in load_vocabulary(["esco"]).names
    remove_vocabulary("esco")
    assert stored_vocabularies() == {}


def test_a_failed_import_leaves_the_stored_vocabulary_whole(tmp_path):
    import_taxonomy("onet", write_onet(tmp_path / "Technology Skills.csv"))
    before = (vocabularies_dir() / "onet.csv").read_bytes()
    bad = tmp_path / "bad.csv"
    bad.write_text("Example,Commodity Title\n")
    with pytest.raises(MatcherError, match="has no rows"):
        import_taxonomy("onet", bad)
    assert (vocabularies_dir() / "onet.csv").read_bytes() == before
    assert [p.name for p in vocabularies_dir().iterdir()] == ["onet.csv", "onet.json"] or sorted(
        p.name for p in vocabularies_dir().iterdir()
    ) == ["onet.csv", "onet.json"]


@pytest.mark.parametrize(
    ("source", "content", "problem"),
    [
        ("esco", None, "no such file"),
        ("esco", "a,b\n1,2\n", "has no column 'preferredLabel'"),
        ("onet", "Example\nExcel\n", "has no column 'Commodity Title'"),
        ("esco", b"\xff\xfe\x00bad", "is not UTF-8 text"),
    ],
)
def test_bad_taxonomy_files_are_named_in_the_error(tmp_path, source, content, problem):
    path = tmp_path / "taxonomy.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    with pytest.raises(MatcherError) as error:
        import_taxonomy(source, path)
    assert str(error.value) == f"{path}: {problem}" or str(error.value).startswith(
        f"{path}: {problem}"
    )


def test_unknown_vocabulary_names_are_refused():
    with pytest.raises(MatcherError, match="no such vocabulary; known: builtin"):
        load_vocabulary(["esco"])
    with pytest.raises(MatcherError, match="not a usable vocabulary name"):
        import_taxonomy("esco", "x.csv", name="../escape")


def test_imported_skills_change_matching_as_documented(tmp_path):
    """A phrase the built-in vocabulary lacks becomes one skill term, matched and explained."""
    import_taxonomy("esco", write_esco(tmp_path / "skills_en.csv"))
    listings = [
        Listing(
            "a", "Vineyard hand", "Requirements: vineyard management and tamping car operation."
        ),
        Listing("b", "Warehouse", "Requirements: tamping car operation, stock counts."),
        Listing("c", "Clerk", "Requirements: filing, typing."),
    ]
    resume = "Ten years of vineyard management."
    plain = Matcher(listings).match(resume)
    esco = Matcher(listings, vocabulary=load_vocabulary()).match(resume)
    assert [s.skill for s in esco[0].matched] == ["manage a vineyard"]
    assert [s.skill for s in esco[0].missing] == ["operate tamping car"]
    assert plain[0].matched == ()
    assert {t.term for t in plain[0].terms} == {"vineyard", "management", "vineyard management"}


@needs_esco
def test_esco_import_from_the_real_file_keeps_labels_short_and_specific():
    rows = esco_rows(ESCO)
    all_forms = [f for row in rows for f in row["aliases"].split("|")]
    assert 5_000 < len(rows) < 13_896
    assert max(len(tokens(f)) for f in all_forms) <= 4
    lowered = {f.lower() for f in all_forms}
    assert not lowered & {"manage musical staff", "integrity", "polish", "breaking", "report"}
    assert {"dermatology", "seismology", "cold-calling"} <= lowered


@needs_onet
def test_onet_import_from_the_real_file():
    found = forms(onet_rows(ONET))
    assert found["microsoft excel"] == ["Microsoft Excel"]
    assert "ArcGIS" in found["esri arcgis"]
    assert "word processing" not in found and "web browser" not in found


@needs_esco
@needs_onet
def test_cli_runs_show_attribution_once_imported(data_dir):
    from .test_cli import run

    for source, path in (("esco", ESCO), ("onet", ONET)):
        result = run("skills", "import", source, str(path))
        assert result.exit_code == 0, result.output
        assert ATTRIBUTIONS[source] in result.stdout
    listed = run("skills", "list").stdout
    assert "esco:" in listed and "onet:" in listed
    shown = run("match", str(resume_path("economist")), "--top", "2", columns=200)
    assert ATTRIBUTIONS["esco"] in shown.stdout and ATTRIBUTIONS["onet"] in shown.stdout
    builtin_only = run("match", str(resume_path("economist")), "-n", "2", "-V", "builtin")
    assert "ESCO" not in builtin_only.stdout
    data = json.loads(run("match", str(resume_path("economist")), "-f", "json").stdout)
    assert data["attributions"] == [ATTRIBUTIONS["esco"], ATTRIBUTIONS["onet"]]


def test_cli_import_errors_are_one_line(tmp_path):
    from .test_cli import run

    result = run("skills", "import", "esco", str(tmp_path / "missing.csv"))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path / 'missing.csv'}: no such file\n"
    result = run("match", str(resume_path("economist")), "-V", "nope")
    assert result.exit_code == 1 and result.stderr.startswith("Error: nope: no such vocabulary")
    assert match_files  # the library call the CLI wraps


def test_short_rows_are_skipped_and_counted(tmp_path, capsys):
    from typer.testing import CliRunner

    from matcher.cli import app

    path = write_esco(tmp_path / "skills_en.csv")
    with path.open("a", encoding="utf-8") as f:
        f.write("esco:99,knowledge,sector-specific\n")  # cut short: no preferredLabel
    result = CliRunner().invoke(app, ["skills", "import", "esco", str(path)])
    assert result.exit_code == 0
    assert result.stderr == "Skipped 1 rows shorter than the header\n"
    assert stored_vocabularies()["esco"]["skipped_rows"] == 1


@pytest.mark.parametrize("source", ["esco", "onet"])
def test_a_file_of_short_rows_only_is_one_line_error(tmp_path, source):
    path = tmp_path / f"{source}.csv"
    header = (
        "preferredLabel,altLabels,skillType,reuseLevel"
        if source == "esco"
        else ("O*NET-SOC Code,Title,Example,Commodity Code,Commodity Title")
    )
    path.write_text(f"{header}\nmachine learning\n11-1011.00,Chief Executives\n")
    with pytest.raises(MatcherError, match=f"{source}.csv: has no complete rows"):
        import_taxonomy(source, path)


@pytest.mark.skipif(
    not (SHARED / "reliability_cases").is_dir(), reason="../shared/reliability_cases is absent"
)
def test_the_reliability_case_of_a_short_esco_row():
    case = SHARED / "reliability_cases" / "esco_short_row.csv"
    with pytest.raises(MatcherError, match="esco_short_row.csv: has no complete rows"):
        import_taxonomy("esco", case)
