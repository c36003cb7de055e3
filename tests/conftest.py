from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
LISTINGS = FIXTURES / "listings"
RESUMES = FIXTURES / "resumes"
SHARED = ROOT.parent / "shared"
PROFILES = ("ml_scientist", "economist", "rf_systems_engineer", "frontend_developer")
RESUME_FORMATS = ("txt", "md", "pdf", "docx")

needs_shared = pytest.mark.skipif(
    not (SHARED / "seeds").is_dir(), reason="../shared/seeds is not beside this checkout"
)


@pytest.fixture(scope="session")
def fixture_listings():
    from matcher import load_listings

    return load_listings(LISTINGS)


@pytest.fixture(scope="session")
def default_matcher(fixture_listings):
    from matcher import Matcher

    return Matcher(fixture_listings)


def resume_path(profile: str, fmt: str = "txt") -> Path:
    return RESUMES / f"{profile}.{fmt}"


@pytest.fixture(autouse=True)
def data_dir(tmp_path_factory, monkeypatch):
    """Keep every test away from the user's own imported vocabularies."""
    folder = tmp_path_factory.mktemp("matcher-data")
    monkeypatch.setenv("MATCHER_DATA_DIR", str(folder))
    return folder
