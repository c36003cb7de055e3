"""Reports as plain data, and the phrases every format shares ("covers 6 of 9 asked skills").

Every renderer starts from these dictionaries or phrases, so a match, a listing or a gap has
one shape whatever the format or command (``matcher/schema/report.schema.json`` describes it).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..errors import MatcherError
from ..models import (
    PART_NAMES,
    Candidate,
    GapReport,
    IndexInfo,
    Listing,
    Match,
    MatchReport,
    SkillsDocument,
    SkillsReport,
)

SHOWN_SKILLS = 5
SHOWN_MISSING = 5


def report_to_dict(report: MatchReport) -> dict[str, Any]:
    """Return the report as JSON-ready data; each match's term contributions sum to its score.

    With ``report.gaps`` set (``match_files(..., gaps=True)``) the gap report is under "gaps".
    """
    data: dict[str, Any] = {
        "matches": [match_to_dict(match) for match in report.matches],
        "listings": listings_to_dict(report),
        "attributions": list(report.attributions),
        "warnings": list(report.warnings),
    }
    if report.gaps is not None:
        data["gaps"] = gaps_to_dict(report.gaps)["gaps"]
    return data


def listings_to_dict(report: MatchReport | GapReport) -> dict[str, Any]:
    """Return what was ranked: counts, and the filters applied (same shape for every command)."""
    return {
        "count": report.listings_count,
        "duplicates_dropped": report.duplicates_dropped,
        "empty_skipped": report.empty_skipped,
        "considered": report.listings_considered,
        "location": report.location,
        "filters": list(report.filters),
    }


def explanation_to_dict(match: Match | Candidate) -> dict[str, Any]:
    """Return what explains one score: parts, coverage, skills and terms (shared by formats)."""
    coverage = match.coverage
    return {
        "rank": match.rank,
        "score": match.score,
        "parts": dict(match.parts),
        "coverage": None
        if coverage is None
        else {
            "asked": coverage.asked,
            "covered": coverage.covered,
            "required": coverage.required,
            "required_covered": coverage.required_covered,
            "text": coverage_text(match),
        },
        "matched": [
            {
                "skill": s.skill,
                "contribution": s.contribution,
                "share": s.share,
                "kind": s.kind,
                "required": s.required,
            }
            for s in match.matched
        ],
        "missing": [
            {"skill": s.skill, "weight": s.weight, "required": s.required, "kind": s.kind}
            for s in match.missing
        ],
        "terms": [
            {"term": t.term, "part": t.part, "contribution": t.contribution, "skill": t.is_skill}
            for t in match.terms
        ],
    }


def listing_to_dict(listing: Listing) -> dict[str, Any]:
    """Return a listing's identity and the fields filters read (not its description)."""
    return {
        "id": listing.id,
        "title": listing.title,
        "company": listing.company,
        "location": listing.location,
        "url": listing.url,
        "remote": listing.remote,
        "employment_type": listing.employment_type,
        "date_posted": listing.date_posted,
        "salary": None
        if listing.salary_min is None and listing.salary_max is None
        else {
            "min": listing.salary_min,
            "max": listing.salary_max,
            "currency": listing.salary_currency,
            "period": listing.salary_period,
        },
    }


def match_to_dict(match: Match) -> dict[str, Any]:
    """Return one match as plain data: rank, score, listing, then its explanation."""
    data = explanation_to_dict(match)
    return {"rank": data.pop("rank"), "score": data.pop("score"),
            "listing": listing_to_dict(match.listing), **data}  # fmt: skip


def gaps_to_dict(report: GapReport) -> dict[str, Any]:
    """Return the gap report as JSON-ready data."""
    return {
        "gaps": [
            {
                "skill": g.skill,
                "kind": g.kind,
                "gain": g.gain,
                "relative": g.relative,
                "asked_by": g.asked_by,
                "required_by": g.required_by,
                "gains": list(g.gains),
                "moves": [{"from": a, "to": b} for a, b in g.moves],
            }
            for g in report.gaps
        ],
        "matches": [match_to_dict(m) for m in report.matches],
        "listings": listings_to_dict(report),
        "left_out": {"not_helping": report.not_helping, "kinds": report.kinds_left_out},
        "attributions": list(report.attributions),
        "warnings": list(report.warnings),
    }


def skills_to_dict(report: SkillsReport) -> dict[str, Any]:
    """Return the skills report as JSON-ready data; ``text[start:end]`` is each span."""
    return {
        "source": report.source,
        "kind": report.kind,
        "documents": [
            {
                "label": document.label,
                "skills": [
                    {
                        "name": skill.name,
                        "kind": skill.kind,
                        "category": skill.category,
                        "spans": [
                            {"start": a, "end": b, "text": document.text[a:b]}
                            for a, b in skill.spans
                        ],
                    }
                    for skill in document.skills
                ],
            }
            for document in report.documents
        ],
        "attributions": list(report.attributions),
        "warnings": list(report.warnings),
    }


def many_to_dicts(results: list[tuple[str, list[Match] | MatcherError]]) -> list[dict[str, Any]]:
    """Return one object per resume: ``{"resume", "matches"}`` or ``{"resume", "error"}``."""
    return [
        {"resume": name, "error": result.problem}
        if isinstance(result, MatcherError)
        else {"resume": name, "matches": [match_to_dict(m) for m in result]}
        for name, result in results
    ]


def candidates_to_dict(
    listing: Listing, candidates: list[Candidate], errors: list[MatcherError] | tuple = ()
) -> dict[str, Any]:
    """Return resumes ranked for one listing; "errors" lists resumes that could not be read."""
    data: dict[str, Any] = {
        "listing": listing_to_dict(listing),
        "candidates": [
            {"rank": c.rank, "score": c.score, "resume": c.resume, **explanation_to_dict(c)}
            for c in candidates
        ],
    }
    if errors:
        data["errors"] = [{"resume": e.source, "error": e.problem} for e in errors]
    return data


def index_info_to_dict(info: IndexInfo) -> dict[str, Any]:
    """Return what a saved index holds as plain data."""
    return dataclasses.asdict(info)


# ----------------------------------------------------------------------------- phrases


def coverage_text(match: Match | Candidate) -> str:
    """Return "covers 6 of 9 asked skills (required 5 of 6)", or "asks for no skills"."""
    c = match.coverage
    if c is None or c.asked == 0:
        return "asks for no skills"
    s = "" if c.asked == 1 else "s"
    text = f"covers {c.covered} of {c.asked} asked skill{s}"
    if 0 < c.required < c.asked:
        text += f" (required {c.required_covered} of {c.required})"
    return text


def percent(value: float, score: float) -> str:
    """Return ``value`` as a whole percentage of ``score`` ("42%"); "0%" for a zero score."""
    return f"{100 * value / score:.0f}%" if score > 0 else "0%"


def parts_text(match: Match | Candidate, sep: str = " · ") -> str:
    """Return the score split by part as shares: "skills 42% · title 18% · words 40%"."""
    return sep.join(f"{part} {percent(value, match.score)}" for part, value in match.parts.items())


def other_terms(match: Match | Candidate, limit: int = 2, join: str = " ") -> str:
    """Return the largest shared terms that are not skills, ``limit`` of each part, with their
    share of the score: "title: scientist 18%; words: neurips 5%, model 3%" (``join`` between
    a term and its share). Every part that gave to the score is named by its largest terms."""
    groups: dict[str, list[str]] = {}
    for t in match.terms:
        if t.is_skill or len(groups.setdefault(t.part, [])) >= limit:
            continue
        groups[t.part].append(f"{t.term}{join}{percent(t.contribution, match.score)}")
    return "; ".join(f"{part}: {', '.join(items)}" for part, items in groups.items() if items)


def plural(n: int, word: str, plural_word: str | None = None) -> str:
    """Return "1 listing", "2 listings" (``plural_word`` for irregular plurals)."""
    return f"{n:,} {word if n == 1 else plural_word or word + 's'}"


def summary(report: MatchReport) -> str:
    """Return one line saying what was ranked: how many listings, dropped, filtered."""
    parts = [f"{len(report.matches)} best of {plural(report.listings_considered, 'listing')}"]
    if report.location:
        parts[0] += f" in '{report.location}'"
    if report.location or report.filters:
        parts[0] += f" (of {report.listings_count:,})"
    return "; ".join([*parts, *report.filters, *_dropped(report)])


def _dropped(report: MatchReport | GapReport) -> list[str]:
    """Return what reading left out: duplicates, listings without a description."""
    said = []
    if report.duplicates_dropped:
        said.append(f"{plural(report.duplicates_dropped, 'duplicate')} dropped")
    if report.empty_skipped:
        said.append(f"{report.empty_skipped} without a description skipped")
    return said


def empty_message(report: MatchReport | GapReport) -> str:
    """Return why no listing is shown."""
    if report.listings_considered == 0 and report.filters:
        return "No listing passes the filters."
    if report.location and report.listings_considered == 0:
        return f"No listing's location contains '{report.location}'."
    return "No listing shares a term with this resume."


def listed(items: list[str], limit: int, sep: str) -> str:
    """Return the first ``limit`` items joined by ``sep``, "+N more" for the rest, or "-"."""
    shown = items[:limit]
    if len(items) > limit:
        shown.append(f"+{len(items) - limit} more")
    return sep.join(shown) or "-"


def matched_text(match: Match | Candidate, limit: int = SHOWN_SKILLS, sep: str = "\n") -> str:
    """Return the matched skills with their share of the score, one per ``sep``."""
    return listed([f"{s.skill} {s.share:.0%}" for s in match.matched], limit, sep)


def missing_text(match: Match | Candidate, limit: int = SHOWN_MISSING, sep: str = "\n") -> str:
    """Return the missing skills, required first; preferred ones marked, soft ones counted."""
    hard = [s for s in match.missing if s.kind != "soft"]
    soft = len(match.missing) - len(hard)
    items = [s.skill if s.required else f"{s.skill} (preferred)" for s in hard]
    text = listed(items, limit, sep)
    if soft:
        more = f"+{plural(soft, 'soft skill')}"
        text = more if text == "-" else f"{text}{sep}{more}"
    return text


def where(listing: Listing) -> str:
    """Return "Company · Location", or "-"."""
    return " · ".join(p for p in (listing.company, listing.location) if p) or "-"


def left_out(report: GapReport) -> str:
    """Return what the gap report leaves out and why, or "" if nothing."""
    parts = []
    if report.not_helping:
        parts.append(f"{plural(report.not_helping, 'skill')} that would not raise the scores")
    if report.kinds_left_out:
        parts.append(f"{plural(report.kinds_left_out, 'soft skill')} (--kinds to include them)")
    return "; ".join(parts)


def no_gaps_text(report: GapReport, title: str) -> str:
    """Return the lines of a gap report with no gap to advise: title, why, what was left out."""
    message = "None to advise." if report.matches else empty_message(report)
    left = left_out(report)
    return f"{title}\n{message}\n" + (f"{left[0].upper()}{left[1:]}.\n" if left else "")


def _parts_said() -> str:
    """Return "three parts, skills, title and words": the parts of ``PARTS``, counted."""
    numbers = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    n = len(PART_NAMES)
    named = PART_NAMES[0] if n == 1 else f"{', '.join(PART_NAMES[:-1])} and {PART_NAMES[-1]}"
    return f"{numbers[n] if n < len(numbers) else n} part{'s' * (n != 1)}, {named}"


CAPTION = (
    f"Score (0 to 1): the sum of {_parts_said()}, each a cosine "
    "similarity times its weight; the parts' shares add up to the score. Matched skills and "
    "the largest other shared terms show their share of the score. Missing: asked-for skills "
    "the resume lacks, required first."
)


def gaps_title(report: GapReport) -> str:
    """Return the gap report's heading: what was ranked, and the filters applied (as
    ``summary`` says them for matches)."""
    n = len(report.matches)
    of = plural(report.listings_considered, "listing")
    if report.location:
        of += f" in '{report.location}'"
    if report.location or report.filters:
        of += f", {report.listings_count:,} in all"
    heading = (
        f"Skills missing from the resume's {n} best matches (of {of}), by what naming each "
        "would add to their scores"
    )
    return "; ".join([heading, *report.filters, *_dropped(report)])


def gaps_caption(report: GapReport) -> str:
    """Return how to read a gap report, and what it left out."""
    caption = (
        "Gain: how much the score (0 to 1) of each listing that asks for the skill rises, on "
        "average, when the resume names it once more (in brackets, as a share of those "
        "scores), every score re-computed exactly; the list is ordered by gain times how many "
        f"ask. Moves: those listings' places among the {len(report.matches)} that change."
    )
    left = left_out(report)
    return caption + (f" Left out: {left}." if left else "")


def gap_rows(report: GapReport) -> list[list[str]]:
    """Return the gap report's rows as text: #, skill, kind, gain, asked by, moves."""
    n = len(report.matches)
    return [
        [
            str(i),
            g.skill,
            g.kind or "-",
            f"+{g.gain:.3f} ({g.relative:+.0%})",
            f"{g.asked_by} of {n}" + (f", {g.required_by} require" if g.required_by else ""),
            ", ".join(f"#{a}\u2192#{b}" for a, b in g.moves) or "-",
        ]
        for i, g in enumerate(report.gaps, 1)
    ]


GAP_HEADER = ["#", "Skill", "Kind", "Gain", "Asked by", "Moves"]


def skill_rows(document: SkillsDocument, shown: int = 3) -> tuple[str, list[list[str]]]:
    """Return a document's heading ("cv.md: 37 skills") and its rows: skill, kind, times, where."""
    title = f"{document.label}: {plural(len(document.skills), 'skill')}"
    rows = [
        [skill.name, skill.kind, str(len(skill.spans)), spans_text(document, skill.spans, shown)]
        for skill in document.skills
    ]
    return title, rows


SKILLS_HEADER = ["Skill", "Kind", "Times", "Where (characters: text)"]


def spans_text(document: SkillsDocument, spans: tuple[tuple[int, int], ...], shown: int) -> str:
    """Return "80-89: Front-end; 565-574: Front-End; +1 more"."""
    items = [f"{a}-{b}: {' '.join(document.text[a:b].split())}" for a, b in spans]
    return listed(items, shown, "; ")


CANDIDATES_HEADER = ["#", "Score", "Resume", "Matched skills", "Missing skills"]


def candidates_title(listing: Listing, candidates: list[Candidate]) -> str:
    """Return "3 resumes ranked for Data Scientist (j1)"."""
    return f"{plural(len(candidates), 'resume')} ranked for {listing.title} ({listing.id})"


def candidate_rows(candidates: list[Candidate]) -> list[list[str]]:
    """Return one row per resume: rank, score, file name, matched and missing skills."""
    return [
        [
            str(c.rank),
            f"{c.score:.3f}",
            c.resume.replace("\\", "/").rsplit("/", 1)[-1],  # the file name; JSON has the path
            matched_text(c),
            missing_text(c),
        ]
        for c in candidates
    ]
