"""The field names accepted in JSON and CSV listing records."""

from __future__ import annotations

# First match wins. JobSpy's CSV export (title, company, location, description, job_url, ...)
# needs no mapping.
FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("id", "job_id", "listing_id"),
    "title": ("title", "job_title", "position"),
    "company": ("company", "company_name", "employer", "hiring_org", "organization"),
    "location": ("location", "job_location", "locality", "city"),
    "description": ("description", "text", "job_description", "body"),
    "url": ("url", "job_url", "job_url_direct", "link", "apply_url"),
}
