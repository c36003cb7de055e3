"""Exceptions the library raises for bad input; the CLI turns them into one-line errors."""

from __future__ import annotations

from pathlib import Path


class MatcherError(Exception):
    """Bad input the user can fix: carries the file it concerns and what is wrong with it."""

    def __init__(self, source: str | Path, problem: str) -> None:
        self.source = str(source)
        self.problem = problem
        super().__init__(f"{self.source}: {problem}")


class ListingFormatError(MatcherError):
    """A listings file could not be read or has no usable listings."""


class ResumeReadError(MatcherError):
    """A resume could not be read or holds no text."""


class IndexFormatError(MatcherError):
    """A saved index is missing, damaged, tampered with, or from a newer matcher."""


class VocabularyError(MatcherError):
    """A taxonomy file or stored vocabulary cannot be used."""


class OutputError(MatcherError):
    """A report cannot be written where asked: the file is not matcher's, or not writable."""


class ClusterError(MatcherError):
    """A Dask cluster cannot run the job: the extra is missing, the scheduler cannot be
    reached, or workers keep dying."""
