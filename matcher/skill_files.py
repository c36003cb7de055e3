"""Files in, skill reports out: the library calls of ``matcher skills`` (show the skills in a
file; import, list and remove vocabularies). Matching is ``matcher.api``'s job.

Bad input raises ``MatcherError`` subclasses naming the file and the problem
(``ResumeReadError``, ``ListingFormatError``, ``VocabularyError``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import read as _readers  # listing readers imported on first use: see read/__init__
from .api import VocabularyChoice, choose_vocabulary
from .models import SkillsDocument, SkillsReport
from .read.resumes import read_resume_text
from .skills import extract_skills

__all__ = ["import_vocabulary", "remove_vocabulary", "skills_in_file", "vocabularies"]


def skills_in_file(path: str | Path, *, vocabulary: VocabularyChoice = None) -> SkillsReport:
    """Return the skills named in a resume, or in each listing of a listings file or folder.

    A ``.pdf``, ``.docx``, ``.md`` file or ``-`` is a resume. A ``.txt`` file is listings when
    it holds a saved page of them (location lines), otherwise one text. Anything else is read
    as listings.
    """
    vocab = choose_vocabulary(vocabulary)
    documents: list[SkillsDocument] = []
    warnings: tuple[str, ...] = ()
    suffix = Path(path).suffix.lower()
    kind = "resume"
    listings_suffix = suffix in _readers.LISTING_SUFFIXES
    resume = str(path) == "-" or (not listings_suffix and not Path(path).is_dir())
    if not resume:
        listing_set = _readers.load_listings([path])
        resume = suffix == ".txt" and len(listing_set) == 1 and not listing_set[0].location
    if resume:
        read = read_resume_text(path)
        warnings = read.warnings
        found = tuple(extract_skills(read.text, vocab))
        documents.append(SkillsDocument(str(path), read.text, found))
    else:
        kind = "listings"
        for listing in listing_set:
            label = f"{listing.title} ({listing.id})"
            found = tuple(extract_skills(listing.description, vocab))
            documents.append(SkillsDocument(label, listing.description, found))
    return SkillsReport(str(path), kind, tuple(documents), vocab.attributions, warnings)


def import_vocabulary(
    source: str, path: str | Path, name: str | None = None
) -> tuple[Path, dict[str, Any], str]:
    """Import a taxonomy file (``source`` "esco" or "onet") as a skill vocabulary used by every
    later run; return where it is stored, what it holds (``stored_vocabularies``' entry) and
    the credit its licence asks for. Raises ``VocabularyError``."""
    from .skills.taxonomy import ATTRIBUTIONS, import_taxonomy, stored_vocabularies

    stored = import_taxonomy(source, path, name)
    return stored, stored_vocabularies()[stored.stem], ATTRIBUTIONS[source]


def vocabularies() -> tuple[int, dict[str, dict[str, object]]]:
    """Return the number of skills in the built-in vocabulary, and each imported one's
    description by name (``stored_vocabularies``)."""
    from .skills import builtin_vocabulary
    from .skills.taxonomy import stored_vocabularies

    return len(builtin_vocabulary()), stored_vocabularies()


def remove_vocabulary(name: str) -> None:
    """Delete the imported vocabulary ``name``; raises ``VocabularyError`` when there is none."""
    from .skills.taxonomy import remove_vocabulary as remove

    remove(name)
