"""Settings refuse a bad value when built, naming the field; the parts are one registry."""

from __future__ import annotations

import dataclasses
import math

import pytest

from matcher.models import PART_NAMES, PART_NUMBER, PARTS
from matcher.settings import Settings


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("preferred_weight", -1.0, "from 0.0 to 1.0"),
        ("preferred_weight", 1.5, "from 0.0 to 1.0"),
        ("resume_lead", 5, "from 0.0 to 1.0"),
        ("skill_pivot", -0.1, ">= 0.0"),
        ("query_pivot", -2.0, ">= 0.0"),
        ("skill_part", -0.2, ">= 0.0"),
        ("title_part", math.nan, "finite number"),
        ("word_part", math.inf, "finite number"),
        ("word_part", "0.6", "finite number"),
        ("query_pivot", True, "finite number"),
        ("boilerplate_min_listings", 0, "whole number >= 1"),
        ("boilerplate_min_listings", 2.5, "whole number >= 1"),
        ("sections", 1, "True or False"),
        ("skills", "yes", "True or False"),
    ],
)
def test_a_bad_value_is_refused_naming_the_field(field, value, says):
    with pytest.raises(ValueError, match=rf"Settings\.{field} must be .*{says}") as raised:
        Settings(**{field: value})
    assert repr(value) in str(raised.value)


def test_no_part_in_use_with_a_weight_is_refused():
    with pytest.raises(ValueError, match="one part in use must weigh more than 0"):
        Settings(skill_part=0.0, title_part=0.0, word_part=0.0)
    # The skills part is not in use without skills: its weight cannot carry the score.
    with pytest.raises(ValueError, match="title_part, word_part"):
        Settings(skills=False, skill_part=1.0, title_part=0.0, word_part=0.0)


def test_every_default_and_plain_setting_is_accepted():
    assert Settings() == Settings(**{f.name: f.default for f in dataclasses.fields(Settings)})
    assert Settings.plain().part_weights() == (0.0, 0.0, 1.0)


def test_part_weights_follow_the_registry():
    settings = Settings(skill_part=2.0, title_part=1.0, word_part=1.0)
    weights = dict(zip(PART_NAMES, settings.part_weights(), strict=True))
    assert weights == {"skills": 0.5, "title": 0.25, "words": 0.25}
    assert sum(Settings().part_weights()) == pytest.approx(1.0)
    off = dict(zip(PART_NAMES, Settings(skills=False).part_weights(), strict=True))
    assert off["skills"] == 0.0 and off["title"] + off["words"] == pytest.approx(1.0)


def test_the_registry_names_each_part_once_with_its_settings():
    assert len(set(PART_NAMES)) == len(PARTS) and list(PART_NUMBER.values()) == list(range(len(PARTS)))
    assert [p.prefix for p in PARTS].count("") == 1  # one part takes the unprefixed terms
    fields = {f.name for f in dataclasses.fields(Settings)}
    for part in PARTS:
        assert part.weight in fields and part.query_floor in PART_NAMES
        assert part.needs is None or part.needs in fields
        assert part.listing_pivot is None or part.listing_pivot in fields


def test_the_json_schema_names_the_registry_parts():
    """The published schema is data for other programs: a new part must be added there too."""
    import json
    from importlib import resources

    schema = json.loads(
        resources.files("matcher").joinpath("schema/report.schema.json").read_text("utf-8")
    )
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("description", "").startswith("Each part's contribution"):
                found.append(tuple(node["properties"]))
            if "enum" in node and "words" in node["enum"]:
                found.append(tuple(node["enum"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    assert found and all(names == PART_NAMES for names in found)


def test_a_saved_index_with_a_setting_out_of_range_is_damaged(tmp_path, default_matcher):
    import json

    from matcher import Matcher
    from matcher.errors import IndexFormatError
    from matcher.index.store import meta_checksum

    folder = default_matcher.save(tmp_path / "jobs.index")
    meta_path = folder / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["settings"]["preferred_weight"] = -1.0  # signed again, as a careful tamperer would
    meta["checksum"] = meta_checksum(meta)
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(IndexFormatError, match="preferred_weight must be from 0.0 to 1.0"):
        Matcher.load(folder, verify=False)
