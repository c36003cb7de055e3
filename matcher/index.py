"""Stage 3, index: listings in, L2-normalised TF-IDF vectors stored term by term out.

The vectors are kept as postings: for each term, the listings that have it (in row order) and
their weights (float32). Scoring a resume then reads only the postings of the resume's terms,
and the same arrays can be written to disk and memory-mapped back (``matcher/store.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .analyse import Analyzer, Sentence, repeated_shingles, sentences
from .models import UNTITLED, Listing


class Terms(Protocol):
    """The index's terms: column number to term, and term to column number."""

    def __len__(self) -> int: ...
    def __getitem__(self, column: int) -> str: ...
    def column(self, term: str) -> int | None: ...


class TermTable:
    """Terms held in memory: a tuple and a dict."""

    def __init__(self, terms: Sequence[str]) -> None:
        self.terms = tuple(terms)
        self._columns = {term: column for column, term in enumerate(self.terms)}

    def __len__(self) -> int:
        return len(self.terms)

    def __getitem__(self, column: int) -> str:
        return self.terms[column]

    def column(self, term: str) -> int | None:
        return self._columns.get(term)


@dataclass(frozen=True)
class Index:
    """The listings' TF-IDF vectors (each L2-normalised), stored as postings per term.

    ``rows[indptr[c]:indptr[c + 1]]`` are the listings that have term ``c``, in order, and
    ``weights`` (same slice) their weights. ``asked_columns[asked_indptr[r]:asked_indptr[r+1]]``
    are the skills listing ``r`` asks for.
    """

    listings: Sequence[Listing]
    terms: Terms
    idf: np.ndarray  # float64, one per term
    indptr: np.ndarray  # int64, terms + 1
    rows: np.ndarray  # int32, one per non-zero
    weights: np.ndarray  # float32, one per non-zero
    is_skill: np.ndarray  # bool, one per term
    asked_indptr: np.ndarray  # int64, listings + 1
    asked_columns: np.ndarray  # int32
    sublinear_tf: bool

    @property
    def nnz(self) -> int:
        return len(self.rows)

    def asked(self, row: int) -> np.ndarray:
        """Return the columns of the skills listing ``row`` asks for."""
        return self.asked_columns[self.asked_indptr[row] : self.asked_indptr[row + 1]]

    def weights_at(self, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
        """Return the weights of ``rows`` in ``columns`` (columns x rows), 0 where absent."""
        out = np.zeros((len(columns), len(rows)), dtype=np.float64)
        for i, column in enumerate(columns.tolist()):
            start, end = int(self.indptr[column]), int(self.indptr[column + 1])
            postings = self.rows[start:end]
            at = np.searchsorted(postings, rows)
            inside = at < len(postings)
            hit = np.zeros(len(rows), dtype=bool)
            hit[inside] = postings[at[inside]] == rows[inside]
            out[i, hit] = self.weights[start + at[hit]]
        return out


def build_index(
    listings: Sequence[Listing],
    analyzer: Analyzer,
    progress: Callable[[int], None] | None = None,
) -> Index:
    """Return the TF-IDF index of ``listings`` under the analyzer's settings.

    ``progress(n)`` reports n more steps done, of ``2 * len(listings)`` (two passes).
    """
    import scipy.sparse as sp

    settings = analyzer.settings
    documents = []
    for done, listing in enumerate(listings, 1):
        documents.append(sentences(listing.description, settings))
        if progress and done % 1000 == 0:
            progress(1000)
    repeated = (
        repeated_shingles(documents, settings.boilerplate_min_listings)
        if settings.sections
        else set()
    )
    if settings.title_weight > 0:
        # The title, given or guessed from the text, is the listing's most telling line.
        documents = [
            [Sentence(listing.title, settings.title_weight, "title", frozenset()), *document]
            if listing.title and listing.title != UNTITLED
            else document
            for listing, document in zip(listings, documents, strict=True)
        ]
    analysed = []
    for done, document in enumerate(documents, 1):
        analysed.append(analyzer.weighted_terms(document, repeated))
        if progress and done % 1000 == 0:
            progress(1000)
    if progress:
        progress(2 * len(listings) - 2000 * (len(listings) // 1000))
    terms = sorted({term for weights, _ in analysed for term in weights})
    table = TermTable(terms)
    columns = table._columns
    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for weights, _ in analysed:
        indices.extend(columns[term] for term in weights)
        data.extend(weights.values())
        indptr.append(len(indices))
    counts = sp.csr_matrix(
        (_tf(np.asarray(data, dtype=np.float64), settings.sublinear_tf), indices, indptr),
        shape=(len(listings), len(terms)),
    )
    if terms:
        from sklearn.feature_extraction.text import TfidfTransformer

        transformer = TfidfTransformer(norm="l2", smooth_idf=True, sublinear_tf=False)
        matrix = sp.csc_matrix(transformer.fit_transform(counts))
        idf = np.asarray(transformer.idf_, dtype=np.float64)
    else:  # nothing but stop words and ambiguous names: every score will be zero
        matrix, idf = sp.csc_matrix(counts), np.zeros(0)
    matrix.sort_indices()
    asked_indptr = np.zeros(len(listings) + 1, dtype=np.int64)
    asked_lists = [sorted(columns[skill] for skill in skills) for _, skills in analysed]
    asked_indptr[1:] = np.cumsum([len(a) for a in asked_lists])
    skill_names = analyzer.vocabulary.names if analyzer.vocabulary else frozenset()
    return Index(
        listings=tuple(listings),
        terms=table,
        idf=idf,
        indptr=matrix.indptr.astype(np.int64),
        rows=matrix.indices.astype(np.int32),
        weights=matrix.data.astype(np.float32),
        is_skill=np.array([term in skill_names for term in terms], dtype=bool),
        asked_indptr=asked_indptr,
        asked_columns=np.array([c for a in asked_lists for c in a], dtype=np.int32),
        sublinear_tf=settings.sublinear_tf,
    )


def query_vector(index: Index, terms: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Return a text's L2-normalised TF-IDF vector in the index's terms: (columns, values).

    Columns are sorted; terms the index does not have are left out.
    """
    counts: dict[int, float] = {}
    for term in terms:
        column = index.terms.column(term)
        if column is not None:
            counts[column] = counts.get(column, 0.0) + 1.0
    columns = np.fromiter(sorted(counts), dtype=np.int64, count=len(counts))
    values = _tf(
        np.array([counts[c] for c in columns.tolist()], dtype=np.float64), index.sublinear_tf
    )
    values *= index.idf[columns]
    norm = np.sqrt(np.dot(values, values))
    if norm > 0:
        values /= norm
    return columns, values


def _tf(weights: np.ndarray, sublinear: bool) -> np.ndarray:
    """Term frequency from summed occurrence weights: 1 + ln(w) from w = 1 up, w below it.

    Section weights make a weight below 1 possible, where 1 + ln(w) would turn negative; the
    two pieces meet at w = 1 with the same slope, so the curve stays smooth and positive.
    """
    if not sublinear:
        return weights
    return np.where(weights >= 1.0, 1.0 + np.log(np.maximum(weights, 1.0)), weights)
