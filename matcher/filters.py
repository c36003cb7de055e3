"""What a job seeker filters on besides the text: remote, job type, date posted, salary, place.

Listings carry these facts as read (``Listing.remote``, ``employment_type``, ``date_posted``,
``salary_*``), in the words of JobSpy, schema.org JobPosting or the NHS data. ``listing_facts``
turns them into one small array each, normalised (job types to a bit set, dates to days,
salaries to a yearly amount); a saved index stores those arrays, so a filter on an index of
any size reads five arrays and parses no listing. ``Filters.mask`` answers from the arrays.

Remote work is read from the fields and from the text: ``remote`` in the title or location,
or a phrase such as "work from home", "home working", "fully remote" in the description, makes
a listing remote; "hybrid" makes it hybrid, which is not remote (hybrid wins over remote when
both are said: "remote or hybrid" jobs ask for some office time). "Remote" alone in a
description is not read ("remote sensing", "remote patient monitoring").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from .models import JOB_TYPES, Listing, job_type_bits, per_year

# ``remote`` array values.
UNKNOWN, ON_SITE, REMOTE, HYBRID = -1, 0, 1, 2
WORKPLACES = {"remote": REMOTE, "hybrid": HYBRID, "on-site": ON_SITE}

_SYMBOLS = {"$": "USD", "£": "GBP", "€": "EUR", "¥": "JPY", "₹": "INR"}
NO_DATE = np.iinfo(np.int32).min
# The arrays ``listing_facts`` returns, as ``Index`` fields and a saved index's files.
FACTS = ("remote", "job_types", "posted", "salary_yearly", "salary_currency")
_EPOCH = date(1970, 1, 1)

_HYBRID = re.compile(r"\bhybrid\b", re.IGNORECASE)
_REMOTE_WORD = re.compile(r"\bremote(ly)?\b|\bwfh\b|\bhome[- ]?(based|working)\b", re.I)
_REMOTE_PHRASE = re.compile(
    r"\b(work(ing)? (from|at) home|home[- ]?working|home[- ]?based|fully remote|100% remote|"
    r"remote[- ](first|only|role|position|job|work(ing)?|opportunity|friendly)|"
    r"work(ing)? remotely|telecommut\w*|wfh)\b",
    re.IGNORECASE,
)


def workplace(listing: Listing) -> int:
    """Return where a listing's work is done: ``REMOTE``, ``HYBRID``, ``ON_SITE`` or ``UNKNOWN``.

    The field (JobSpy ``is_remote``, schema.org ``jobLocationType``) first; the text says
    hybrid over it, and says remote when the field is not given.
    """
    head = f"{listing.title}\n{listing.location or ''}"
    if _HYBRID.search(head) or re.search(
        r"\bhybrid (work|working|role|position|model|schedule|pattern)", listing.description, re.I
    ):
        return HYBRID
    if listing.remote is not None:
        return REMOTE if listing.remote else ON_SITE
    if _REMOTE_WORD.search(head) or _REMOTE_PHRASE.search(listing.description):
        return REMOTE
    return UNKNOWN


def job_type(text: str) -> str:
    """Return the normalised job type a user named ("full time", "FULL_TIME" -> "full-time").

    Raises ``ValueError`` naming the choices when it is none of ``JOB_TYPES``.
    """
    bits = job_type_bits(text)
    if bits == 0 or bits & (bits - 1):
        raise ValueError(f"unknown job type {text!r}; expected one of {', '.join(JOB_TYPES)}")
    return JOB_TYPES[bits.bit_length() - 1]


def day_number(text: str | None) -> int:
    """Return an ISO date's (or date-time's) day number since 1970-01-01, or ``NO_DATE``."""
    try:
        return (date.fromisoformat((text or "").strip()[:10]) - _EPOCH).days
    except ValueError:
        return int(NO_DATE)


def currency_code(text: str | None) -> int:
    """Return an ISO 4217 code ("USD") packed in an int (0: none), for an array."""
    code = _SYMBOLS.get((text or "").strip(), (text or "").strip().upper())
    if not re.fullmatch(r"[A-Z]{3}", code):
        return 0
    return int.from_bytes(code.encode("ascii"), "big")


def yearly_salary(listing: Listing) -> float:
    """Return the top of a listing's pay range as a yearly amount, NaN when not given.

    A salary given without its period is taken as yearly (said with the filter).
    """
    top = listing.salary_max if listing.salary_max is not None else listing.salary_min
    if top is None:
        return float("nan")
    return float(top) * (per_year(listing.salary_period) or 1)


def listing_facts(listings: Iterable[Listing]) -> dict[str, np.ndarray]:
    """Return the arrays filters read, one value per listing, keyed as ``Index`` fields.

    ``remote`` int8 (``workplace``), ``job_types`` uint16 bit sets, ``posted`` int32 day
    numbers (``NO_DATE``: not given), ``salary_yearly`` float64 (NaN: not given) and
    ``salary_currency`` uint32 (``currency_code``; 0: not given).
    """
    rows = [
        (
            workplace(item),
            job_type_bits(item.employment_type),
            day_number(item.date_posted),
            yearly_salary(item),
            currency_code(item.salary_currency),
        )
        for item in listings
    ]
    remote, types, posted, salary, currency = zip(*rows, strict=True) if rows else ((),) * 5
    return {
        "remote": np.array(remote, dtype=np.int8),
        "job_types": np.array(types, dtype=np.uint16),
        "posted": np.array(posted, dtype=np.int32),
        "salary_yearly": np.array(salary, dtype=np.float64),
        "salary_currency": np.array(currency, dtype=np.uint32),
    }


def parse_since(text: str, today: date | None = None) -> date:
    """Return the date ``--posted-since`` means: an ISO date, or a number of days before today.

    Raises ``ValueError`` for anything else.
    """
    text = text.strip()
    if text.isdigit():
        return (today or date.today()) - timedelta(days=int(text))
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is neither a date (2026-11-01) nor a number of days (30)"
        ) from None


def parse_amount(text: str) -> tuple[float, str | None, int | None]:
    """Return (amount, currency, periods per year) from "50000", "60k", "£40,000", "30/hour",
    "45000 GBP a year". Currency and period are None when not said.

    Raises ``ValueError`` when no amount can be read.
    """
    found = re.fullmatch(
        r"\s*(?P<pre>[A-Za-z]{3}|[$£€¥₹])?\s*(?P<num>\d[\d,_]*(?:\.\d+)?)\s*(?P<k>[kKmM])?"
        r"\s*(?P<post>[A-Za-z]{3}(?![a-z]))?\s*(?:(?:/|per|a|an)\s*(?P<period>[A-Za-z]+))?\s*",
        text,
    )
    if not found:
        raise ValueError(f"{text!r} is not an amount (e.g. 50000, 60k, GBP 40000, 30/hour)")
    amount = float(found["num"].replace(",", "").replace("_", ""))
    amount *= {"k": 1e3, "m": 1e6}.get((found["k"] or "").lower(), 1)
    symbol = found["pre"] or found["post"]
    currency = _SYMBOLS.get(symbol or "", (symbol or "").upper()) or None
    periods = None
    if found["period"]:
        periods = per_year(found["period"])
        if periods is None:
            raise ValueError(f"{text!r}: unknown period {found['period']!r} (year, month, hour…)")
    return amount, currency, periods


@dataclass(frozen=True)
class Filters:
    """Which listings to rank: every condition given must hold.

    - ``location``: the location contains this text, ignoring case.
    - ``workplace``: "remote", "hybrid" or "on-site" (see ``workplace``; hybrid is not remote).
    - ``job_types``: any of these (``JOB_TYPES``).
    - ``posted_since``: posted on this day or later.
    - ``salary_min``: the top of the pay range, yearly, at least this; ``salary_currency``
      (ISO 4217) the currency it is in: a listing paid in another is treated as not giving a
      salary (no exchange rates are assumed). Without a currency any is compared.
    - ``unknown``: "keep" or "drop" the listings that do not give a field a condition reads.
    """

    location: str | None = None
    workplace: str | None = None
    job_types: tuple[str, ...] = ()
    posted_since: date | None = None
    salary_min: float | None = None
    salary_currency: str | None = None
    unknown: str = "keep"

    def __post_init__(self) -> None:
        if self.unknown not in ("keep", "drop"):
            raise ValueError(f"unknown must be 'keep' or 'drop', not {self.unknown!r}")
        if self.workplace is not None and self.workplace not in WORKPLACES:
            raise ValueError(f"workplace must be one of {', '.join(WORKPLACES)}")
        for name in self.job_types:
            if name not in JOB_TYPES:
                choices = ", ".join(JOB_TYPES)
                raise ValueError(f"unknown job type {name!r}; expected one of {choices}")

    @classmethod
    def parse(
        cls,
        *,
        location: str | None = None,
        workplace: str | None = None,
        job_types: Sequence[str] = (),
        posted_since: str | None = None,
        salary_min: str | None = None,
        unknown: str = "keep",
        today: date | None = None,
    ) -> Filters:
        """Return the filters a user wrote as text (see ``parse_since``, ``parse_amount``,
        ``job_type``); a salary with a period ("30/hour") is made yearly.

        Raises ``ValueError`` with a message for the user for text that cannot be read.
        """
        amount = currency = None
        if salary_min is not None:
            value, currency, periods = parse_amount(salary_min)
            amount = value * (periods or 1)
        return cls(
            location=location,
            workplace=workplace,
            job_types=tuple(dict.fromkeys(job_type(name) for name in job_types)),
            posted_since=parse_since(posted_since, today) if posted_since else None,
            salary_min=amount,
            salary_currency=currency,
            unknown=unknown,
        )

    @property
    def active(self) -> bool:
        """Whether any condition is set."""
        return bool(self.facts_used or self.location)

    @property
    def facts_used(self) -> tuple[str, ...]:
        """The conditions on listing facts that are set (not location)."""
        used = []
        if self.workplace:
            used.append("workplace")
        if self.job_types:
            used.append("job_types")
        if self.posted_since:
            used.append("posted_since")
        if self.salary_min is not None:
            used.append("salary_min")
        return tuple(used)

    def mask(self, listings: Sequence[Listing], facts: dict[str, np.ndarray]) -> FilterResult:
        """Return which listings pass, from ``facts`` (``listing_facts``' arrays) and, for
        ``location``, the listings' locations; with how many lacked each field read."""
        n = len(listings)
        keep = np.ones(n, dtype=bool)
        unknown: dict[str, int] = {}
        drop_unknown = self.unknown == "drop"

        def apply(known: np.ndarray, passes: np.ndarray, name: str) -> None:
            unknown[name] = int(n - known.sum())
            keep[:] &= np.where(known, passes, not drop_unknown)

        if self.location:
            wanted = self.location.casefold()
            keep &= np.array([wanted in (x.location or "").casefold() for x in listings], bool)
        if self.workplace:
            remote = facts["remote"]
            apply(remote != UNKNOWN, remote == WORKPLACES[self.workplace], "workplace")
        if self.job_types:
            bits = sum(1 << JOB_TYPES.index(name) for name in self.job_types)
            types = facts["job_types"]
            apply(types != 0, (types & bits) != 0, "job type")
        if self.posted_since:
            posted = facts["posted"]
            day = (self.posted_since - _EPOCH).days
            apply(posted != NO_DATE, posted >= day, "date posted")
        if self.salary_min is not None:
            salary = facts["salary_yearly"]
            known = ~np.isnan(salary)
            if self.salary_currency:
                known &= facts["salary_currency"] == currency_code(self.salary_currency)
            apply(known, np.nan_to_num(salary, nan=-np.inf) >= self.salary_min, "salary")
        return FilterResult(keep, unknown, self.describe(unknown))

    def describe(self, unknown: dict[str, int] | None = None) -> tuple[str, ...]:
        """Return each condition as said to people, with how listings without it were treated:
        ("remote only (12 without it kept)", "posted since 2026-11-01")."""
        unknown = unknown or {}
        said = []

        def note(text: str, name: str) -> str:
            count = unknown.get(name)
            if not count:
                return text
            verb = "dropped" if self.unknown == "drop" else "kept"
            word = "listing" if count == 1 else "listings"
            return f"{text} ({count:,} {word} not saying {verb})"

        if self.workplace:
            said.append(note(f"{self.workplace} only", "workplace"))
        if self.job_types:
            said.append(note(" or ".join(self.job_types), "job type"))
        if self.posted_since:
            said.append(note(f"posted since {self.posted_since.isoformat()}", "date posted"))
        if self.salary_min is not None:
            currency = self.salary_currency or "any currency"
            said.append(
                note(f"paying up to at least {self.salary_min:,.0f} a year ({currency})", "salary")
            )
        return tuple(said)


@dataclass(frozen=True)
class FilterResult:
    """The listings a ``Filters`` lets through (``keep``, bool per listing), how many lacked
    each field read (``unknown``), and the conditions as said to people (``said``)."""

    keep: np.ndarray
    unknown: dict[str, int]
    said: tuple[str, ...]
