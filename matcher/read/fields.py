"""The fields of a listing record: which names they go by, and how nested values are read.

Records come from JSON, JSON Lines and CSV files: matcher's own field names, JobSpy's export
(``title, company, location, description, job_url, is_remote, job_type, date_posted,
min_amount, max_amount, currency, interval``), the NHS jobs data (``hiring_org, locality,
employment_type, date_posted``) and schema.org JobPosting objects (``title,
hiringOrganization.name, jobLocation.address.*, jobLocationType, employmentType, datePosted,
baseSalary, url``, as job boards embed them in their pages as JSON-LD).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

# First match wins.
FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("id", "job_id", "listing_id"),
    "title": ("title", "job_title", "position"),
    "company": (
        "company",
        "company_name",
        "employer",
        "hiring_org",
        "hiringorganization",
        "organization",
    ),
    "location": ("location", "job_location", "joblocation", "locality", "city"),
    "description": ("description", "text", "job_description", "body"),
    "url": ("url", "job_url", "job_url_direct", "link", "apply_url"),
}
_REMOTE = ("is_remote", "remote")
_EMPLOYMENT = ("employment_type", "employmenttype", "job_type")
_DATE = ("date_posted", "dateposted")
_ADDRESS_PARTS = (
    "streetAddress",
    "addressLocality",
    "addressRegion",
    "postalCode",
    "addressCountry",
)
_MISSING = ("", "nan", "none", "null")


def lower_keys(record: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``record`` with its top-level keys lower-cased (schema.org writes camelCase)."""
    return {str(key).strip().lower(): value for key, value in record.items()}


def text_field(record: Mapping[str, Any], names: tuple[str, ...]) -> str | None:
    """Return the first of ``names`` in ``record`` that holds text, nested values read."""
    for name in names:
        value = _plain(record.get(name))
        if value:
            return value
    return None


def _plain(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, list):
        parts = [p for p in (_plain(v) for v in value) if p]
        return "; ".join(dict.fromkeys(parts)) or None
    if isinstance(value, dict):
        return _object_text(value)
    text = str(value).strip()
    return None if text.lower() in _MISSING else text


def _object_text(value: Mapping[str, Any]) -> str | None:
    # schema.org: an Organization by its name, a Place by its address, an address by its
    # parts, an identifier by its value; other objects by their plain values.
    if "address" in value:
        return _plain(value["address"])
    if any(part in value for part in _ADDRESS_PARTS):
        parts = [_plain(value.get(part)) for part in _ADDRESS_PARTS]
        return ", ".join(p for p in parts if p) or None
    for key in ("name", "value"):
        if key in value:
            return _plain(value[key])
    parts = [_plain(v) for k, v in value.items() if not str(k).startswith("@")]
    return ", ".join(p for p in parts if p) or None


def facts(record: Mapping[str, Any]) -> dict[str, Any]:
    """Return the optional ``Listing`` fields a record gives: remote, employment type, salary.

    ``record`` has lower-cased keys. Values that are not given stay out of the result.
    """
    found: dict[str, Any] = {}
    remote = _remote(record)
    if remote is not None:
        found["remote"] = remote
    employment = text_field(record, _EMPLOYMENT)
    if employment:
        found["employment_type"] = employment
    date = text_field(record, _DATE)
    if date:
        found["date_posted"] = date
    found.update(_salary(record))
    return found


def _remote(record: Mapping[str, Any]) -> bool | None:
    kind = _plain(record.get("joblocationtype"))
    if kind and "telecommute" in kind.lower():
        return True
    for name in _REMOTE:
        value = record.get(name)
        if isinstance(value, bool):
            return value
        text = (_plain(value) or "").lower()
        if text in ("true", "yes", "1"):
            return True
        if text in ("false", "no", "0"):
            return False
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(str(value).replace(",", "").strip())
    except ValueError:
        return None
    # NaN is "not given"; so is a number past a float's range ("1e999", a 5,000-digit salary
    # read as text), which no filter or report could use.
    return number if math.isfinite(number) else None


def _salary(record: Mapping[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    base = record.get("basesalary")
    if isinstance(base, dict):  # schema.org MonetaryAmount
        value = base.get("value")
        currency = _plain(base.get("currency"))
        if isinstance(value, dict):  # QuantitativeValue
            low = _number(value.get("minValue", value.get("value")))
            high = _number(value.get("maxValue", value.get("value")))
            period = _plain(value.get("unitText"))
        else:
            low = high = _number(value)
            period = _plain(base.get("unitText"))
        found.update(salary_min=low, salary_max=high, salary_currency=currency)
        found["salary_period"] = period
    else:  # JobSpy's columns
        found.update(
            salary_min=_number(record.get("min_amount")),
            salary_max=_number(record.get("max_amount")),
            salary_currency=_plain(record.get("currency")),
            salary_period=_plain(record.get("interval")),
        )
    return {key: value for key, value in found.items() if value is not None}
