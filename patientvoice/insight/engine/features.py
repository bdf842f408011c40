"""Turning comments, the question they answer and the FFT rating into one sparse matrix."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from patientvoice.insight.engine.text import question_kind

QUESTION_KINDS = ("unknown", "both", "improve", "good", "why", "other")
RATINGS = (None, 1, 2, 3, 4, 5, 6, 7)
# Comments longer than this are cut before vectorising: the first few thousand characters
# carry the themes, and it bounds the time and memory a 100k-character comment can take.
MAX_CHARS = 5000


class CommentFeatures:
    """Word 1–2-grams and character 2–5-grams (both TF-IDF, sublinear tf), plus one-hot context:
    question kind, rating, and their combination (a "3" after "What was good?" is not a "3"
    after "How could we improve?"). Fitted vectorisers rather than hashing: the vocabulary is
    small (a few MB) and exact, and fitting costs seconds."""

    def __init__(self, char_ngrams: tuple[int, int] = (2, 5), context_weight: float = 1.0):
        self.char_ngrams = char_ngrams
        self.context_weight = context_weight
        self.words = TfidfVectorizer(
            ngram_range=(1, 2), min_df=2, sublinear_tf=True, dtype=np.float32
        )
        self.chars = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=char_ngrams,
            min_df=2,
            sublinear_tf=True,
            max_features=150_000,
            dtype=np.float32,
        )

    def fit(
        self, texts: Sequence[str], questions: Sequence[str], ratings: Sequence[int | None]
    ) -> CommentFeatures:
        cut = _cut(texts)
        self.words.fit(cut)
        self.chars.fit(cut)
        return self

    def transform(
        self, texts: Sequence[str], questions: Sequence[str], ratings: Sequence[int | None]
    ) -> sp.csr_matrix:
        cut = _cut(texts)
        return sp.hstack(
            [
                self.words.transform(cut),
                self.chars.transform(cut),
                context_matrix(questions, ratings) * np.float32(self.context_weight),
            ],
            format="csr",
            dtype=np.float32,
        )

    def fit_transform(
        self, texts: Sequence[str], questions: Sequence[str], ratings: Sequence[int | None]
    ) -> sp.csr_matrix:
        return self.fit(texts, questions, ratings).transform(texts, questions, ratings)


def _cut(texts: Sequence[str]) -> list[str]:
    return [t[:MAX_CHARS] if len(t) > MAX_CHARS else t for t in texts]


def context_matrix(questions: Sequence[str], ratings: Sequence[int | None]) -> sp.csr_matrix:
    """Three one-hot blocks per row: question kind, rating, and question kind × rating."""
    kinds = {kind: i for i, kind in enumerate(QUESTION_KINDS)}
    rating_index = {rating: i for i, rating in enumerate(RATINGS)}
    q = np.fromiter((kinds[question_kind(x)] for x in questions), dtype=np.int32)
    r = np.fromiter((rating_index.get(x, 0) for x in ratings), dtype=np.int32)
    n_q, n_r = len(QUESTION_KINDS), len(RATINGS)
    columns = np.stack([q, n_q + r, n_q + n_r + q * n_r + r], axis=1).ravel()
    rows = np.repeat(np.arange(len(q)), 3)
    data = np.ones(len(columns), dtype=np.float32)
    return sp.csr_matrix((data, (rows, columns)), shape=(len(q), n_q + n_r + n_q * n_r))
