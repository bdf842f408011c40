"""Turning comments, the question they answer and the FFT rating into one sparse matrix."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from patientvoice.insight.engine.text import question_kind, straight_apostrophes

QUESTION_KINDS = ("unknown", "both", "improve", "good", "why", "other")
RATINGS = (None, 1, 2, 3, 4, 5, 6, 7)
# Comments longer than this are cut before vectorising: the first few thousand characters
# carry the themes, and it bounds the time and memory a 100k-character comment can take.
MAX_CHARS = 5000
_WORD = re.compile(r"\w+")
# The prefixed blocks are built already tokenised: "improve_nothing improve_at improve_all".
_SPACE_SEPARATED = r"\S+"
_RATING_BANDS = {1: "g", 2: "g", 3: "n", 4: "p", 5: "p"}


class Embedder(Protocol):
    """Dense comment vectors from a pretrained model (static token vectors, or the encoder)."""

    def fit(self, texts: Sequence[str]) -> Embedder: ...

    def transform(self, texts: Sequence[str]) -> np.ndarray: ...


class CommentFeatures:
    """Word 1–2-grams and character 2–5-grams (both TF-IDF, sublinear tf), plus one-hot context:
    question kind, rating, and their combination (a "3" after "What was good?" is not a "3"
    after "How could we improve?"), plus word 1–2-grams prefixed by the question kind, so that
    a linear model can tell "nothing" answering "What could be better?" from "nothing" answering
    "What was good?", and words prefixed by the rating band (measured together: sentiment
    accuracy +0.01, 3-class +0.01). Fitted vectorisers rather than hashing: the vocabulary is
    small (a few MB) and exact, and fitting costs seconds.

    With an `embedder`, each comment's unit-length vector from the pretrained encoder (or the
    static vectors distilled from it), times `embedding_weight`, is one more dense block: it
    knows that "rude" and "dismissive" are close, which 6,437 comments cannot teach."""

    def __init__(
        self,
        char_ngrams: tuple[int, int] = (2, 5),
        context_weight: float = 1.0,
        embedder: Embedder | None = None,
        embedding_weight: float = 1.0,
    ):
        self.char_ngrams = char_ngrams
        self.context_weight = context_weight
        self.embedder = embedder
        self.embedding_weight = embedding_weight
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
        self.question_words = TfidfVectorizer(
            ngram_range=(1, 2),
            min_df=2,
            sublinear_tf=True,
            token_pattern=_SPACE_SEPARATED,
            lowercase=False,
            dtype=np.float32,
        )
        self.rating_words = TfidfVectorizer(
            min_df=2,
            sublinear_tf=True,
            token_pattern=_SPACE_SEPARATED,
            lowercase=False,
            dtype=np.float32,
        )

    def fit(
        self, texts: Sequence[str], questions: Sequence[str], ratings: Sequence[int | None]
    ) -> CommentFeatures:
        cut = _cut(texts)
        self.words.fit(cut)
        self.chars.fit(cut)
        tokens = _tokens(cut)
        _fit_allowing_rare(
            self.question_words, _prefixed(tokens, [question_kind(q) for q in questions])
        )
        _fit_allowing_rare(self.rating_words, _prefixed(tokens, _rating_bands(ratings)))
        if self.embedder is not None:
            self.embedder.fit(cut)
        return self

    def transform(
        self, texts: Sequence[str], questions: Sequence[str], ratings: Sequence[int | None]
    ) -> sp.csr_matrix:
        cut = _cut(texts)
        blocks = [self.words.transform(cut), self.chars.transform(cut)]
        # Models saved before the prefixed blocks were added have neither.
        if hasattr(self, "question_words"):
            tokens = _tokens(cut)
            kinds = [question_kind(q) for q in questions]
            blocks.append(self.question_words.transform(_prefixed(tokens, kinds)))
            blocks.append(self.rating_words.transform(_prefixed(tokens, _rating_bands(ratings))))
        # Models saved before embeddings were added have no embedder.
        embedder = getattr(self, "embedder", None)
        if embedder is not None:
            vectors = embedder.transform(cut) * np.float32(self.embedding_weight)
            blocks.append(sp.csr_matrix(vectors))
        return sp.hstack(
            [
                *blocks,
                context_matrix(questions, ratings) * np.float32(self.context_weight),
            ],
            format="csr",
            dtype=np.float32,
        )

    def theme_columns(self) -> np.ndarray:
        """1 for the columns the theme head reads, 0 for the prefixed blocks: those help
        sentiment but measured worse for themes (macro-F1 0.488 -> 0.469)."""
        blocks = [
            np.ones(len(self.words.vocabulary_), dtype=np.float32),
            np.ones(len(self.chars.vocabulary_), dtype=np.float32),
        ]
        if hasattr(self, "question_words"):
            blocks.append(np.zeros(len(self.question_words.vocabulary_), dtype=np.float32))
            blocks.append(np.zeros(len(self.rating_words.vocabulary_), dtype=np.float32))
        if getattr(self, "embedder", None) is not None:
            blocks.append(np.ones(self.embedding_dimension, dtype=np.float32))
        n_context = len(QUESTION_KINDS) + len(RATINGS) + len(QUESTION_KINDS) * len(RATINGS)
        blocks.append(np.ones(n_context, dtype=np.float32))
        return np.concatenate(blocks)

    @property
    def embedding_dimension(self) -> int:
        return 0 if self.embedder is None else int(self.embedder.transform([""]).shape[1])

    def fit_transform(
        self, texts: Sequence[str], questions: Sequence[str], ratings: Sequence[int | None]
    ) -> sp.csr_matrix:
        return self.fit(texts, questions, ratings).transform(texts, questions, ratings)


def _cut(texts: Sequence[str]) -> list[str]:
    """Each text cut to MAX_CHARS, with plain apostrophes: comments typed on phones have "don’t"
    where most of the training comments have "don't", and the character n-grams would
    otherwise differ."""
    return [straight_apostrophes(t[:MAX_CHARS] if len(t) > MAX_CHARS else t) for t in texts]


def _fit_allowing_rare(vectoriser: TfidfVectorizer, documents: list[str]) -> None:
    """Fit; on a tiny training set where no prefixed word occurs twice, keep every word."""
    try:
        vectoriser.fit(documents)
    except ValueError:
        vectoriser.set_params(min_df=1).fit(documents)


def _tokens(texts: Sequence[str]) -> list[list[str]]:
    return [_WORD.findall(text.lower()) for text in texts]


def _prefixed(tokens: Sequence[list[str]], prefixes: Sequence[str]) -> list[str]:
    """Each word prefixed by its row's context: "improve_nothing", "p_rude"."""
    return [
        " ".join([f"{prefix}_{word}" for word in words])
        for words, prefix in zip(tokens, prefixes, strict=True)
    ]


def _rating_bands(ratings: Sequence[int | None]) -> list[str]:
    """Good (1–2), neutral (3), poor (4–5) or unknown (6, 7, missing)."""
    return [_RATING_BANDS.get(r, "u") if r is not None else "u" for r in ratings]


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
