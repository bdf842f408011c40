"""A reproduction of pxtextmining's published TF-IDF + SVC models, to compare against.

From `pxtextmining/factories/factory_pipeline.py` (`create_and_train_svc_model` and
`create_sklearn_pipeline_sentiment`): TfidfVectorizer(ngram_range=(1, 2), max_df=0.9,
min_df=0) on the comment and a one-hot encoding of the standardised question, then
`MultiOutputClassifier(SVC(C=15, probability=True, class_weight="balanced", max_iter=1000,
cache_size=1000))` (rbf kernel, the default). Labels are those with probability > 0.5, and the
most probable label when none passes (their `fix_no_labels`). Sentiment is one SVC with the same
settings over the five classes. `min_df=1` stands in for `min_df=0`, which today's scikit-learn
rejects and which meant the same thing.

Both models here get the same rule for non-answers as ours, so the comparison is of the models.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import SVC

from patientvoice.insight.engine.data import Example
from patientvoice.insight.engine.features import QUESTION_KINDS
from patientvoice.insight.engine.text import question_kind


def _svc() -> SVC:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return SVC(C=15, probability=True, class_weight="balanced", max_iter=1000, cache_size=1000)


class PxTextMiningBaseline:
    def __init__(self, n_jobs: int = 1):
        self.n_jobs = n_jobs
        self.vectorizer = TfidfVectorizer(ngram_range=(1, 2), max_df=0.9, min_df=1)
        self.labels: list[str] = []
        self.theme_models: list[SVC | None] = []
        self.sentiment_model: SVC | None = None

    def _matrix(self, texts: Sequence[str], questions: Sequence[str]) -> sp.csr_matrix:
        kinds = {kind: i for i, kind in enumerate(QUESTION_KINDS)}
        rows = np.arange(len(questions))
        columns = [kinds[question_kind(q)] for q in questions]
        onehot = sp.csr_matrix(
            (np.ones(len(rows)), (rows, columns)), shape=(len(rows), len(QUESTION_KINDS))
        )
        return sp.hstack([onehot, self.vectorizer.transform(texts)], format="csr")

    def fit(self, examples: Sequence[Example], labels: Sequence[str]) -> PxTextMiningBaseline:
        themed = [e for e in examples if e.labels]
        self.vectorizer.fit([e.text for e in themed])
        self.labels = list(labels)
        x = self._matrix([e.text for e in themed], [e.question for e in themed])
        y = np.array([[label in e.labels for label in self.labels] for e in themed], dtype=int)
        self.theme_models = Parallel(n_jobs=self.n_jobs)(
            delayed(_fit_one)(x, y[:, j]) for j in range(len(self.labels))
        )
        rated = [e for e in examples if e.sentiment is not None]
        xs = self._matrix([e.text for e in rated], [e.question for e in rated])
        sentiments = np.array([e.sentiment for e in rated])
        self.sentiment_model = _fit_one(xs, sentiments, min_each=1)
        return self

    def predict(
        self, texts: Sequence[str], questions: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        """(bool label matrix, sentiment array) for answered comments."""
        x = self._matrix(texts, questions)
        probabilities = np.zeros((len(texts), len(self.labels)))
        for j, svc in enumerate(self.theme_models):
            if svc is not None:
                probabilities[:, j] = svc.predict_proba(x)[:, 1]
        chosen = probabilities > 0.5
        empty = ~chosen.any(axis=1)
        chosen[np.flatnonzero(empty), probabilities[empty].argmax(axis=1)] = True
        if self.sentiment_model is None:
            return chosen, np.full(len(texts), 3)
        return chosen, self.sentiment_model.predict(x)


def _fit_one(x: sp.csr_matrix, y: np.ndarray, min_each: int = 5) -> SVC | None:
    # An SVC needs two classes, and Platt scaling's internal 5-fold CV needs a few of each.
    counts = np.unique(y, return_counts=True)[1]
    if len(counts) < 2 or counts.min() < min_each:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        # scikit-learn 1.9 deprecates probability=True; it is what pxtextmining used.
        warnings.simplefilter("ignore", FutureWarning)
        return _svc().fit(x, y)
