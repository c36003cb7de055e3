"""Stage 3, index: listings in, an L2-normalised TF-IDF matrix over their terms out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfTransformer

from .analyse import Analyzer, Sentence, repeated_shingles, sentences
from .models import UNTITLED, Listing


@dataclass(frozen=True)
class Index:
    """The listings' TF-IDF vectors (one L2-normalised row each) and what they are made of."""

    listings: tuple[Listing, ...]
    terms: tuple[str, ...]
    vocabulary: Mapping[str, int]
    idf: np.ndarray
    matrix: sp.csr_matrix
    is_skill: np.ndarray  # one bool per term
    asked: tuple[frozenset[int], ...]  # per listing: the skill columns it asks for
    sublinear_tf: bool


def build_index(listings: Sequence[Listing], analyzer: Analyzer) -> Index:
    """Return the TF-IDF index of ``listings`` under the analyzer's settings."""
    settings = analyzer.settings
    documents = [sentences(listing.description, settings) for listing in listings]
    if settings.title_weight > 0:
        # The title, given or guessed from the text, is the listing's most telling line.
        documents = [
            [Sentence(listing.title, settings.title_weight, "title", frozenset()), *document]
            if listing.title and listing.title != UNTITLED
            else document
            for listing, document in zip(listings, documents, strict=True)
        ]
    repeated = (
        repeated_shingles(documents, settings.boilerplate_min_listings)
        if settings.sections
        else set()
    )
    analysed = [analyzer.weighted_terms(document, repeated) for document in documents]
    terms = tuple(sorted({term for weights, _ in analysed for term in weights}))
    vocabulary = {term: column for column, term in enumerate(terms)}
    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for weights, _ in analysed:
        for term, weight in weights.items():
            indices.append(vocabulary[term])
            data.append(weight)
        indptr.append(len(indices))
    counts = sp.csr_matrix(
        (_tf(np.asarray(data, dtype=np.float64), settings.sublinear_tf), indices, indptr),
        shape=(len(listings), len(terms)),
    )
    counts.sort_indices()
    if terms:
        transformer = TfidfTransformer(norm="l2", smooth_idf=True, sublinear_tf=False)
        matrix = sp.csr_matrix(transformer.fit_transform(counts))
        idf = np.asarray(transformer.idf_, dtype=np.float64)
    else:  # nothing but stop words and ambiguous names: every score will be zero
        matrix, idf = counts, np.zeros(0)
    skill_names = analyzer.vocabulary.names if analyzer.vocabulary else frozenset()
    return Index(
        listings=tuple(listings),
        terms=terms,
        vocabulary=vocabulary,
        idf=idf,
        matrix=matrix,
        is_skill=np.array([term in skill_names for term in terms], dtype=bool),
        asked=tuple(frozenset(vocabulary[skill] for skill in skills) for _, skills in analysed),
        sublinear_tf=settings.sublinear_tf,
    )


def query_vector(index: Index, terms: Sequence[str]) -> sp.csr_matrix:
    """Return the L2-normalised TF-IDF row of a text's terms in the index's vocabulary."""
    columns: dict[int, float] = {}
    for term in terms:
        column = index.vocabulary.get(term)
        if column is not None:
            columns[column] = columns.get(column, 0.0) + 1.0
    keys = np.fromiter(sorted(columns), dtype=np.int64, count=len(columns))
    values = _tf(np.array([columns[k] for k in keys], dtype=np.float64), index.sublinear_tf)
    values *= index.idf[keys]
    norm = np.sqrt(np.dot(values, values))
    if norm > 0:
        values /= norm
    return sp.csr_matrix((values, keys, [0, len(keys)]), shape=(1, len(index.terms)))


def _tf(weights: np.ndarray, sublinear: bool) -> np.ndarray:
    """Term frequency from summed occurrence weights: 1 + ln(w) from w = 1 up, w below it.

    Section weights make a weight below 1 possible, where 1 + ln(w) would turn negative; the
    two pieces meet at w = 1 with the same slope, so the curve stays smooth and positive.
    """
    if not sublinear:
        return weights
    return np.where(weights >= 1.0, 1.0 + np.log(np.maximum(weights, 1.0)), weights)
