"""The README's figures of the vocabularies are the data's, not what they were once."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter

import pytest

from matcher.skills.taxonomy import import_taxonomy

from .conftest import ROOT, SHARED

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def test_the_builtin_vocabulary_counts_are_the_csv_s():
    said = re.search(
        r"is written for this project: ([\d,]+) skills\s+\(([\d,]+) tools and technologies, "
        r"([\d,]+) knowledge areas, ([\d,]+) practices, ([\d,]+) soft skills\)",
        README,
    )
    assert said, "the README no longer says how many built-in skills there are"
    with (ROOT / "matcher" / "data" / "skills.csv").open(encoding="utf-8", newline="") as file:
        kinds = Counter(row["kind"] for row in csv.DictReader(file))
    expected = [sum(kinds.values()), kinds["tool"], kinds["knowledge"], kinds["practice"],
                kinds["soft"]]  # fmt: skip
    assert [_number(n) for n in said.groups()] == expected


@pytest.mark.parametrize(
    ("source", "file", "pattern"),
    [
        ("esco", "esco/skills_en.csv", r"That keeps ([\d,]+) ESCO skills with ([\d,]+) forms"),
        ("onet", "onet/Technology Skills.csv", r"\(([\d,]+) tools\)"),
    ],
)
def test_the_import_counts_are_those_of_importing_the_shared_releases(source, file, pattern):
    path = SHARED / "data" / file
    if not path.is_file():
        pytest.skip(f"{path} is not beside this checkout")
    said = re.search(pattern, README)
    assert said, f"the README no longer gives the {source} import's counts"
    stored = import_taxonomy(source, path)
    meta = json.loads(stored.with_suffix(".json").read_text(encoding="utf-8"))
    assert [_number(n) for n in said.groups()] == [meta["skills"], meta["forms"]][
        : len(said.groups())
    ]
