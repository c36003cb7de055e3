from __future__ import annotations

import codecs
import json

import pytest

from matcher import ListingFormatError, load_listings
from matcher.read import content_id, guess_title

from .conftest import LISTINGS, SHARED, needs_shared

SEED_TEXT = """Some article text that is not a listing.

Related content

US, WA, Seattle
We are looking for an Applied Scientist to build machine learning models. Key job responsibilities Build models in Python.
IL, Tel Aviv
Come join us as a Data Engineer. You will build pipelines with Spark and SQL.
US, WA, Seattle
We are looking for an Applied Scientist to build machine learning models. Key job responsibilities Build models in Python.
"""

RECORDS = [
    {
        "id": "a1",
        "title": "Frontend Developer",
        "company": "Acme",
        "location": "Berlin, DE",
        "description": "Build React apps in TypeScript.",
        "url": "https://example.com/a1",
    },
    {"title": "Economist", "location": "Remote", "text": "Causal inference with Stata."},
]


def _csv(rows: list[list[str]], delimiter: str = ",") -> str:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue()


GOOD_FILES = {
    "listings.json": json.dumps(RECORDS),
    "wrapped.json": json.dumps({"listings": RECORDS}),
    "listings.jsonl": "\n".join(json.dumps(r) for r in RECORDS) + "\n",
    "listings.csv": _csv(
        [
            ["id", "title", "company", "location", "description", "url"],
            [
                "a1",
                "Frontend Developer",
                "Acme",
                "Berlin, DE",
                "Build React apps in TypeScript.",
                "https://example.com/a1",
            ],
            ["", "Economist", "", "Remote", "Causal inference with Stata.", ""],
        ]
    ),
    "listings.tsv": _csv(
        [
            ["title", "location", "text"],
            ["Frontend Developer", "Berlin, DE", "Build React apps in TypeScript."],
            ["Economist", "Remote", "Causal inference with Stata."],
        ],
        delimiter="\t",
    ),
}


@pytest.mark.parametrize("name", sorted(GOOD_FILES))
def test_reads_each_structured_format(tmp_path, name):
    path = tmp_path / name
    path.write_text(GOOD_FILES[name], encoding="utf-8")
    listings = load_listings(path)
    assert [item.title for item in listings] == ["Frontend Developer", "Economist"]
    assert [item.location for item in listings] == ["Berlin, DE", "Remote"]
    assert listings[1].description == "Causal inference with Stata."
    assert listings[0].source == str(path)


def test_given_fields_are_kept_and_missing_ones_derived(tmp_path):
    path = tmp_path / "l.json"
    path.write_text(json.dumps(RECORDS), encoding="utf-8")
    first, second = load_listings(path)
    assert (first.id, first.company, first.url) == ("a1", "Acme", "https://example.com/a1")
    assert second.id == content_id("Causal inference with Stata.")
    assert (second.company, second.url) == (None, None)


def test_reads_jobspy_export_columns(tmp_path):
    path = tmp_path / "jobs.csv"
    path.write_text(
        _csv(
            [
                [
                    "id",
                    "site",
                    "job_url",
                    "job_url_direct",
                    "title",
                    "company",
                    "location",
                    "date_posted",
                    "job_type",
                    "description",
                    "company_url",
                ],
                [
                    "in-123",
                    "indeed",
                    "https://indeed.example/123",
                    "",
                    "Data Scientist",
                    "Acme",
                    "Austin, TX, US",
                    "2026-11-01",
                    "fulltime",
                    "Build **models** in Python.",
                    "https://acme.example",
                ],
            ]
        ),
        encoding="utf-8",
    )
    (listing,) = load_listings(path)
    assert listing.id == "in-123"
    assert listing.url == "https://indeed.example/123"
    assert (listing.title, listing.company, listing.location) == (
        "Data Scientist",
        "Acme",
        "Austin, TX, US",
    )


def test_seed_page_listings_after_related_content(tmp_path):
    path = tmp_path / "page.txt"
    path.write_text(SEED_TEXT, encoding="utf-8")
    listings = load_listings(path)
    assert len(listings) == 2
    assert listings.duplicates_dropped == 1
    assert [item.location for item in listings] == ["US, WA, Seattle", "IL, Tel Aviv"]
    assert [item.title for item in listings] == ["Applied Scientist", "Data Engineer"]


def test_plain_text_file_is_one_posting(tmp_path):
    path = tmp_path / "posting.txt"
    path.write_text("Senior Economist\n\nWe are hiring a Senior Economist to run experiments.\n")
    (listing,) = load_listings(path)
    assert listing.title == "Senior Economist"
    assert listing.location is None


def test_identical_text_collapses_and_keeps_every_location(tmp_path):
    text = "We are seeking a Data Scientist to own causal inference."
    rows = [{"description": text, "location": loc} for loc in ("Austin", "Boston", "Austin")]
    rows.append({"description": "  We are seeking a Data Scientist   to own causal inference. "})
    path = tmp_path / "dupes.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows))
    listings = load_listings(path)
    assert len(listings) == 1
    assert listings.duplicates_dropped == 3
    assert listings[0].location == "Austin; Boston"


def test_duplicates_collapse_across_files(tmp_path):
    for name in ("a.json", "b.json"):
        (tmp_path / name).write_text(json.dumps(RECORDS))
    listings = load_listings([tmp_path / "a.json", tmp_path / "b.json"])
    assert len(listings) == 2 and listings.duplicates_dropped == 2


def test_folder_reads_every_supported_file_and_skips_others(tmp_path):
    (tmp_path / "one.json").write_text(json.dumps(RECORDS[:1]))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "two.jsonl").write_text(json.dumps(RECORDS[1]) + "\n")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4 not a listing")
    (tmp_path / ".hidden.json").write_text("not json")
    listings = load_listings(tmp_path)
    assert sorted(item.title for item in listings) == ["Economist", "Frontend Developer"]


def test_clashing_given_ids_are_made_unique(tmp_path):
    rows = [{"id": "7", "description": "First job."}, {"id": "7", "description": "Second job."}]
    path = tmp_path / "ids.json"
    path.write_text(json.dumps(rows))
    assert [item.id for item in load_listings(path)] == ["7", "7-2"]


def test_empty_descriptions_are_skipped_and_counted(tmp_path):
    rows = [{"title": "A", "description": ""}, {"title": "B", "description": "Real text."}]
    path = tmp_path / "some-empty.json"
    path.write_text(json.dumps(rows))
    listings = load_listings(path)
    assert [item.title for item in listings] == ["B"] and listings.empty_skipped == 1


def test_content_ids_are_stable_and_ignore_spacing():
    assert content_id("Build  models.\n") == content_id("build models.")
    assert content_id("Build models.") != content_id("Build pipelines.")


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Offered Position: Economist III Job Location: Jersey City", "Economist III"),
        ("We are looking for talented Applied Scientists to join the team.", "Applied Scientist"),
        (
            "The team is seeking a dedicated, skilled Applied Science Manager with",
            "Applied Science Manager",
        ),
        ("As a Systems Engineer, this role is responsible", "Systems Engineer"),
        ("As a Prime Video technologist, you will", "Prime Video Technologist"),
        ("We make zero waste happen every day.", "Untitled listing"),
    ],
)
def test_guess_title(text, title):
    assert guess_title(text) == title


def test_bundled_fixture_listings(fixture_listings):
    assert len(fixture_listings) == 19
    assert fixture_listings.duplicates_dropped == 1
    assert len({item.id for item in fixture_listings}) == 19
    assert sum(item.title == "Applied Scientist" for item in fixture_listings) >= 5


@needs_shared
def test_fixtures_hold_every_seed_listing():
    from_seeds = load_listings(sorted((SHARED / "seeds").glob("*.txt")))
    bundled = load_listings(LISTINGS)
    assert [(x.location, x.description) for x in bundled] == [
        (x.location, x.description) for x in from_seeds
    ]
    assert bundled.duplicates_dropped == from_seeds.duplicates_dropped


# --------------------------------------------------------------------------- bad input

BAD_FILES = {
    "malformed JSON": ("bad.json", b'[{"description": "x",}]', "not valid JSON (line 1"),
    "JSON not a list": ("bad.json", b'"just a string"', "expected a JSON list"),
    "JSON item not an object": (
        "bad.json",
        b'[{"description": "x"}, 3]',
        "item 2 is not a JSON object",
    ),
    "JSON item without description": (
        "bad.json",
        b'[{"title": "x"}]',
        "item 1 has no 'description'",
    ),
    "malformed JSON Lines": (
        "bad.jsonl",
        b'{"description": "x"}\n{"description": \n',
        "line 2 is not valid JSON",
    ),
    "ragged CSV": (
        "bad.csv",
        b"title,description\nA,text one\nB,text two,extra\n",
        "line 3 has 3 fields, the header has 2",
    ),
    "missing description column": (
        "bad.csv",
        b"title,url\nA,http://x\n",
        "no column named 'description' or 'text' (found: title, url; read as comma-separated)",
    ),
    "unterminated CSV quote": ("bad.csv", b'title,description\nA,"text\n', "line"),
    "seed location without description": (
        "bad.txt",
        b"Related content\n\nUS, WA, Seattle\n",
        "has no description line",
    ),
    "seed text where a location belongs": (
        "bad.txt",
        b"Related content\n\nUS, WA, Seattle\nA job.\nNot a location\nAnother job.\n",
        "line 5: expected a location line",
    ),
    "empty JSON": ("empty.json", b"", "the file is empty"),
    "empty CSV": ("empty.csv", b"  \n", "the file is empty"),
    "empty text": ("empty.txt", b"", "the file is empty"),
    "empty JSON Lines": ("empty.jsonl", b"\n\n", "the file is empty"),
    "no descriptions at all": (
        "blank.json",
        b'[{"description": ""}]',
        "no listings with a description",
    ),
    "binary JSON": (
        "binary.json",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "looks like a binary file",
    ),
    "binary CSV": ("binary.csv", bytes(range(256)), "looks like a binary file"),
    "undecodable CSV": ("latin.csv", b"title,description\nA,caf\x81\x8d\n", "undecodable byte"),
    "undecodable JSON Lines": ("bad.jsonl", b'{"description": "\x90\x9d"}\n', "undecodable byte"),
    "broken UTF-16": (
        "utf16.json",
        codecs.BOM_UTF16_LE + b"[\x00{\x00\x00\xd8",
        "not valid UTF-16",
    ),
    "unsupported extension": ("jobs.xlsx", b"PK\x03\x04", "unsupported listings format '.xlsx'"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_listing_files_raise_one_line_errors_naming_the_file(tmp_path, case):
    name, data, expected = BAD_FILES[case]
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ListingFormatError) as info:
        load_listings(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert expected in message
    assert "\n" not in message


def test_missing_path_and_empty_folder(tmp_path):
    with pytest.raises(ListingFormatError, match="no such file or folder"):
        load_listings(tmp_path / "nope.json")
    with pytest.raises(ListingFormatError, match="no listing files in this folder"):
        load_listings(tmp_path)


def test_windows_1252_and_bom_encodings_are_read(tmp_path):
    text = "title,description\nCafé Manager,Run the café’s kitchen.\n"
    for name, data in {
        "cp1252.csv": text.encode("cp1252"),
        "bom8.csv": codecs.BOM_UTF8 + text.encode("utf-8"),
        "bom16.csv": text.encode("utf-16"),
    }.items():
        path = tmp_path / name
        path.write_bytes(data)
        (listing,) = load_listings(path)
        assert listing.title == "Café Manager", name
        assert listing.description == "Run the café’s kitchen."


def test_jsonl_strings_may_hold_unicode_line_separators(tmp_path):
    # Real postings (NHS jobs) carry U+2028 inside descriptions, unescaped.
    text = "Nurse wanted.\u2028Night shifts.\u2029Band 5."
    path = tmp_path / "jobs.jsonl"
    path.write_text(
        json.dumps({"description": text}, ensure_ascii=False) + "\r\n" + json.dumps(RECORDS[0]),
        encoding="utf-8",
    )
    listings = load_listings(path)
    # One record, not three; normalisation then makes the separators line ends.
    assert len(listings) == 2
    assert listings[0].description == "Nurse wanted.\nNight shifts.\nBand 5."
