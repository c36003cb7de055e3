"""Filters: remote, job type, date posted, salary and place, on listings files and saved indexes."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest

from matcher import Matcher
from matcher.api import match_files
from matcher.filters import (
    HYBRID,
    ON_SITE,
    REMOTE,
    UNKNOWN,
    Filters,
    job_type,
    job_type_bits,
    listing_facts,
    parse_amount,
    parse_since,
    workplace,
    yearly_salary,
)
from matcher.models import Listing

from .conftest import SHARED, resume_path
from .test_cli import run

ML = "We need machine learning, Python and SQL for forecasting models."
# One skill of its own per listing, so that none is a duplicate or all boilerplate.
OWN = dict(zip("abcdefgh", ("pytorch", "statistics", "spark", "tableau", "docker", "scala",
                            "kubernetes", "tensorflow"), strict=True))  # fmt: skip
RESUME = ML + " I use " + ", ".join(OWN.values()) + "."


def _listing(id: str, **facts) -> Listing:
    extra = facts.pop("description", "")
    description = f"{ML} You know {OWN.get(id, 'kafka')}. {extra}".strip()
    return Listing(
        id=id, title=facts.pop("title", "Data Scientist"), description=description, **facts
    )


# Eight listings, one fact at a time; a: remote by its field, e: remote by its text.
LISTINGS = [
    _listing("a", remote=True, employment_type="FULL_TIME", date_posted="2026-11-20",
             salary_min=90000, salary_max=120000, salary_currency="USD", salary_period="YEAR"),
    _listing("b", remote=False, employment_type="fulltime", date_posted="2026-10-01",
             salary_min=40, salary_max=50, salary_currency="USD", salary_period="hourly"),
    _listing("c", title="Data Scientist (Hybrid)", remote=True, employment_type="contract",
             salary_min=50000, salary_max=60000, salary_currency="GBP", salary_period="yearly"),
    _listing("d", employment_type="PART_TIME", date_posted="2026-11-25T09:00:00+0000"),
    _listing("e", description="This is a work from home role."),
    _listing("f", description="Experience with remote sensing data."),
    _listing("g", location="Remote, US"),
    _listing("h", description="A hybrid working pattern: two days in the office."),
]  # fmt: skip
TODAY = date(2026, 11, 29)


def _ids(filters: Filters, listings=LISTINGS) -> list[str]:
    result = filters.mask(listings, listing_facts(listings))
    return [x.id for x, kept in zip(listings, result.keep, strict=True) if kept]


@pytest.mark.parametrize(
    ("listing", "expected"),
    [(LISTINGS[0], REMOTE), (LISTINGS[1], ON_SITE), (LISTINGS[2], HYBRID), (LISTINGS[3], UNKNOWN),
     (LISTINGS[4], REMOTE), (LISTINGS[5], UNKNOWN), (LISTINGS[6], REMOTE), (LISTINGS[7], HYBRID),
     (_listing("i", description="Home working available."), REMOTE),
     (_listing("j", description="Remote patient monitoring of wards."), UNKNOWN)],
)  # fmt: skip
def test_workplace_from_fields_and_text(listing, expected):
    assert workplace(listing) == expected


def test_remote_keeps_remote_only_and_hybrid_is_not_remote():
    assert _ids(Filters(workplace="remote")) == ["a", "d", "e", "f", "g"]  # d, f do not say
    assert _ids(Filters(workplace="remote", unknown="drop")) == ["a", "e", "g"]
    assert _ids(Filters(workplace="hybrid", unknown="drop")) == ["c", "h"]


def test_the_choice_for_listings_that_do_not_say_is_shown():
    facts = listing_facts(LISTINGS)
    kept = Filters(workplace="remote").mask(LISTINGS, facts)
    assert kept.said == ("remote only (2 listings not saying kept)",)
    dropped = Filters(job_types=("full-time",), unknown="drop").mask(LISTINGS, facts)
    assert dropped.said == ("full-time (4 listings not saying dropped)",)
    assert dropped.unknown == {"job type": 4}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("FULL_TIME", {"full-time"}), ("fulltime", {"full-time"}), ("Full-time, Contract",
     {"full-time", "contract"}), ("Permanent", {"permanent"}), ("INTERN", {"internship"}),
     ("CONTRACTOR", {"contract"}), ("", set()), ("Bank", set())],
)  # fmt: skip
def test_job_types_are_normalised(text, expected):
    from matcher.filters import JOB_TYPES

    bits = job_type_bits(text)
    assert {name for i, name in enumerate(JOB_TYPES) if bits >> i & 1} == expected


def test_job_type_filter_and_a_users_spelling():
    assert job_type("Full time") == "full-time"
    with pytest.raises(ValueError, match="unknown job type 'gig'; expected one of full-time"):
        job_type("gig")
    assert _ids(Filters(job_types=("part-time", "contract"), unknown="drop")) == ["c", "d"]


def test_posted_since_a_date_or_days():
    assert parse_since("2026-11-01") == date(2026, 11, 1)
    assert parse_since("7", today=TODAY) == date(2026, 11, 22)
    with pytest.raises(ValueError, match="neither a date"):
        parse_since("last week")
    since = Filters.parse(posted_since="7", unknown="drop", today=TODAY)
    assert _ids(since) == ["d"]  # a date-time is read by its day
    assert _ids(Filters(posted_since=date(2026, 11, 20), unknown="drop")) == ["a", "d"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("50000", (50000, None, None)), ("60k", (60000, None, None)), ("£40,000", (40000, "GBP", None)),
     ("30/hour", (30, None, 2080)), ("45000 GBP a year", (45000, "GBP", 1)),
     ("USD 120k", (120000, "USD", None)), ("3,500 per month", (3500, None, 12))],
)  # fmt: skip
def test_amounts_are_read(text, expected):
    assert parse_amount(text) == expected


def test_a_bad_amount_is_refused():
    with pytest.raises(ValueError, match="is not an amount"):
        parse_amount("lots")
    with pytest.raises(ValueError, match="unknown period 'fortnight'"):
        parse_amount("3000/fortnight")


def test_salary_is_made_yearly_and_currency_is_kept_apart():
    assert yearly_salary(LISTINGS[1]) == 50 * 2080  # hourly: top of the range, 2,080 hours
    assert np.isnan(yearly_salary(LISTINGS[3]))
    assert _ids(Filters.parse(salary_min="100k", unknown="drop")) == ["a", "b"]
    # In dollars: the GBP listing cannot be compared, so it counts as not saying.
    assert _ids(Filters.parse(salary_min="USD 55k", unknown="drop")) == ["a", "b"]
    assert _ids(Filters.parse(salary_min="£55k", unknown="drop")) == ["c"]
    assert _ids(Filters.parse(salary_min="45/hour", unknown="drop")) == ["a", "b"]
    said = Filters.parse(salary_min="£55k").describe({"salary": 7})
    assert said == ("paying up to at least 55,000 a year (GBP) (7 listings not saying kept)",)


def test_location_is_kept():
    assert _ids(Filters(location="remote, us")) == ["g"]


def test_files_and_a_saved_index_give_the_same_answer(tmp_path):
    matcher = Matcher(LISTINGS)
    matcher.save(tmp_path / "jobs.index")
    loaded = Matcher.load(tmp_path / "jobs.index")
    for name in ("remote", "job_types", "posted", "salary_yearly", "salary_currency"):
        assert np.array_equal(
            getattr(loaded.index_, name), getattr(matcher.index_, name), equal_nan=True
        )
    filters = Filters.parse(workplace="remote", salary_min="80k")
    ranked = [m.listing.id for m in matcher.match(RESUME, top_k=10, filters=filters)]
    assert sorted(ranked) == ["a", "d", "e", "f", "g"]  # b pays less; d-g do not say
    assert [m.listing.id for m in loaded.match(RESUME, top_k=10, filters=filters)] == ranked
    batch = loaded.match_many([RESUME], filters=filters)
    assert [[m.listing.id for m in ms] for ms in batch] == [ranked]


def test_a_saved_index_answers_without_reading_its_listings(tmp_path, monkeypatch):
    Matcher(LISTINGS).save(tmp_path / "jobs.index")
    loaded = Matcher.load(tmp_path / "jobs.index")

    def refuse(*args):
        raise AssertionError("a listing was parsed")

    monkeypatch.setattr(type(loaded.listings), "__getitem__", refuse)
    monkeypatch.setattr(type(loaded.listings), "__iter__", refuse)
    result = loaded.filter(
        Filters.parse(workplace="hybrid", job_types=["contract"], unknown="drop")
    )
    assert result is not None and result.keep.tolist() == [False, False, True] + [False] * 5


def _jobs_file(tmp_path):
    path = tmp_path / "jobs.jsonl"
    rows = [
        {"id": x.id, "title": x.title, "description": x.description, "location": x.location,
         "is_remote": x.remote, "job_type": x.employment_type, "date_posted": x.date_posted,
         "min_amount": x.salary_min, "max_amount": x.salary_max, "currency": x.salary_currency,
         "interval": x.salary_period}
        for x in LISTINGS
    ]  # fmt: skip
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def test_cli_filters_on_files_and_indexes_and_says_so(tmp_path):
    jobs = _jobs_file(tmp_path)
    (tmp_path / "cv.txt").write_text(RESUME)
    resume = str(tmp_path / "cv.txt")
    on_files = json.loads(
        run("match", resume, str(jobs), "--remote", "--if-unknown", "drop", "-f", "json").stdout
    )
    assert {m["listing"]["id"] for m in on_files["matches"]} == {"a", "e", "g"}
    assert on_files["listings"]["considered"] == 3
    assert on_files["listings"]["filters"] == ["remote only (2 listings not saying dropped)"]
    run("index", "build", str(jobs), "-o", str(tmp_path / "jobs.index"), "-q")
    on_index = json.loads(
        run(
            "match",
            resume,
            "-i",
            str(tmp_path / "jobs.index"),
            "--remote",
            "--if-unknown",
            "drop",
            "-f",
            "json",
        ).stdout
    )
    assert on_index["matches"] == on_files["matches"]
    table = run("match", resume, str(jobs), "--job-type", "contract", "--salary-min", "£50k").stdout
    assert " ".join(table.split()).startswith(
        "5 best of 5 listings (of 8); contract (4 listings not saying kept); paying up to at "
        "least 50,000 a year (GBP) (7 listings not saying kept)"
    )  # c, and e-h, which say neither
    gaps = json.loads(
        run(
            "gaps", resume, str(jobs), "--workplace", "hybrid", "--if-unknown", "drop", "-f", "json"
        ).stdout
    )
    assert {m["listing"]["id"] for m in gaps["matches"]} == {"c", "h"}
    assert gaps["listings"]["considered"] == 2
    many = run(
        "match-many",
        resume,
        "--listings",
        str(jobs),
        "--posted-since",
        "2026-11-21",
        "--if-unknown",
        "drop",
    )
    assert [m["listing"]["id"] for m in json.loads(many.stdout)["matches"]] == ["d"]


@pytest.mark.parametrize(
    ("option", "message"),
    [(["--posted-since", "last week"], "neither a date"), (["--salary-min", "lots"], "not an amount"),
     (["--job-type", "gig"], "unknown job type 'gig'")],
)  # fmt: skip
def test_cli_bad_filter_text_is_a_usage_error(option, message):
    result = run("match", str(resume_path("ml_scientist")), *option)
    assert result.exit_code == 2 and message in result.stderr


@pytest.mark.skipif(
    not (SHARED / "field_cases").is_dir(),
    reason="../shared/field_cases is not beside this checkout",
)
def test_jobspy_and_schema_org_fields_are_read_for_filters():
    from matcher import load_listings

    jobspy = load_listings([SHARED / "field_cases" / "12-jobspy-csv-markdown" / "jobs.csv"])
    facts = listing_facts(jobspy)
    assert facts["remote"].tolist() == [ON_SITE, REMOTE]
    assert facts["salary_yearly"][0] == 175000.0 and np.isnan(facts["salary_yearly"][1])
    assert (facts["job_types"] == 1).all()  # fulltime
    schema = load_listings(
        [SHARED / "field_cases" / "13-schemaorg-jobposting-json" / "jobpostings.json"]
    )
    assert listing_facts(schema)["posted"].tolist() == [
        (date(2024, 4, 18) - date(1970, 1, 1)).days,
        (date(2024, 4, 20) - date(1970, 1, 1)).days,
    ]


@pytest.mark.skipif(
    not (SHARED / "data" / "nhs_jobs").is_dir(),
    reason="../shared/data/nhs_jobs is not beside this checkout",
)
def test_nhs_postings_filter_by_type_and_date(tmp_path):
    source = SHARED / "data" / "nhs_jobs" / "nhs_jobs_2020.jsonl"
    with source.open(encoding="utf-8") as file:
        head = [next(file) for _ in range(400)]
    (tmp_path / "nhs.jsonl").write_text("".join(head), encoding="utf-8")
    expected = sum(json.loads(line)["employment_type"] == "TEMPORARY" for line in head)
    report = match_files(
        resume_path("ml_scientist"), [tmp_path / "nhs.jsonl"],
        filters=Filters(job_types=("temporary",), unknown="drop"),
    )  # fmt: skip
    assert 0 < report.listings_considered <= expected  # identical postings collapse
    assert all(m.listing.employment_type == "TEMPORARY" for m in report.matches)
