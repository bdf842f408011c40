"""An optional, slower second stage for the safeguarding detector: the sentences the fast stage
is unsure of (its score in a band around its threshold) are read again by the full sentence
encoder, and a logistic regression on the encoder's sentence vector (with the fast score beside
it) decides them. Sentences above the band stay flagged and those below it stay clear, so the
second stage only ever reads a few sentences in a hundred.

It needs the encoder package at prediction time, so it is off by default and turned on with
the setting PATIENTVOICE_SAFEGUARDING_SECOND_STAGE=true (`engine_reader`).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from patientvoice.insight.engine.safeguarding import (
    FALSE_ALARM_LIMIT,
    RECALL_MARGIN,
    RECALL_TARGET,
    LabelledSentence,
    figures_from,
)

# The band: from the fast score that keeps this share of concerns, up to the fast score above
# which at most this share of the `none` sentences lie.
BAND_RECALL = 0.995
BAND_TOP_FALSE_ALARMS = 0.02
SECOND_C = 1.0


class Vectors:
    """The full encoder's sentence vectors, cached per text (recipe.EncoderEmbedder)."""

    def __init__(self) -> None:
        from patientvoice.insight.engine.encoder import load_encoder
        from patientvoice.insight.engine.recipe import DEFAULT_CACHE_DIR, EncoderEmbedder

        self.embedder = EncoderEmbedder(load_encoder(), DEFAULT_CACHE_DIR)

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        return self.embedder.transform(list(texts))


@dataclass
class SecondStage:
    low: float
    high: float
    weights: np.ndarray  # (hidden + 1,): encoder vector, then the fast score's logit
    bias: float
    threshold: float
    metadata: dict[str, Any]

    def decide(self, vectors: np.ndarray, fast: np.ndarray) -> np.ndarray:
        x = np.hstack([vectors, _logit(fast)[:, None]])
        return np.asarray(_sigmoid(x @ self.weights + self.bias) >= self.threshold)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


def _fit(x: np.ndarray, y: np.ndarray) -> LogisticRegression:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return LogisticRegression(C=SECOND_C, max_iter=2000, class_weight="balanced").fit(x, y)


def train_second_stage(
    sentences: Sequence[LabelledSentence],
    fast_scores: np.ndarray,
    fast_threshold: float,
    categories: Sequence[str],
    vectors: Vectors | None = None,
    folds: int = 5,
) -> SecondStage:
    """From the fast stage's grouped out-of-fold scores: the band, then grouped out-of-fold
    second-stage scores for the band's sentences, its threshold (recall first, as the fast
    stage's), and the combined figures."""
    vectors = vectors or Vectors()
    y = np.array([s.is_concern for s in sentences], dtype=bool)
    none = ~y & np.array([s.source != "fft" for s in sentences], dtype=bool)
    positives = np.sort(fast_scores[y])
    low = float(positives[int(np.floor((1 - BAND_RECALL) * len(positives)))])
    low = min(low, fast_threshold)
    negatives = np.sort(fast_scores[none]) if none.any() else np.sort(fast_scores[~y])
    high = float(
        negatives[min(len(negatives) - 1, int((1 - BAND_TOP_FALSE_ALARMS) * len(negatives)))]
    )
    high = max(high, fast_threshold)
    band = np.flatnonzero((fast_scores >= low) & (fast_scores < high))
    x = np.hstack(
        [vectors([sentences[i].text for i in band.tolist()]), _logit(fast_scores[band])[:, None]]
    )
    groups = [sentences[i].group for i in band.tolist()]
    second = np.zeros(len(band))
    n_folds = min(folds, len(set(groups)))
    for fit_rows, test_rows in GroupKFold(n_splits=n_folds).split(x, groups=groups):
        model = _fit(x[fit_rows], y[band][fit_rows])
        second[test_rows] = model.predict_proba(x[test_rows])[:, 1]
    # Threshold: the highest keeping combined recall at the target plus margin.
    above = fast_scores >= high
    target = min(RECALL_TARGET + RECALL_MARGIN, 1.0)
    candidates = np.unique(np.concatenate([[0.0], second]))[::-1]
    threshold = 0.0
    for candidate in candidates:
        flagged = above.copy()
        flagged[band] = second >= candidate
        if flagged[y].mean() >= target:
            threshold = float(candidate)
            break
    flagged = above.copy()
    flagged[band] = second >= threshold
    figures = figures_from(flagged, categories, sentences)
    model = _fit(x, y[band])
    return SecondStage(
        low,
        high,
        model.coef_.ravel(),
        float(model.intercept_[0]),
        threshold,
        {
            "band": [round(low, 4), round(high, 4)],
            "band_share_of_training_sentences": round(len(band) / len(sentences), 4),
            "threshold": round(threshold, 4),
            "false_alarm_limit": FALSE_ALARM_LIMIT,
            "cross_validation": figures,
        },
    )
