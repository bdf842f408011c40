"""The text model: training, prediction, saving and loading.

Themes: one linear SVM per theme over shared sparse features, each with its own decision
threshold chosen on grouped out-of-fold scores (rare themes need lower thresholds than the
default 0), and a Platt-scaled confidence. Sentiment: one multinomial logistic regression.
Both are stored as dense weight matrices so that prediction is one sparse matrix product.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import joblib
import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.svm import LinearSVC

from patientvoice.insight.engine.data import (
    ATTRIBUTION,
    LABELLING_NOT_POSSIBLE,
    Example,
    TrainingSet,
    load_training_set,
)
from patientvoice.insight.engine.encoder import ENCODER_PROVENANCE
from patientvoice.insight.engine.features import CommentFeatures, Embedder
from patientvoice.insight.engine.framework_examples import framework_examples
from patientvoice.insight.engine.safeguarding import load_detector, save_detector
from patientvoice.insight.engine.text import is_non_answer, normalise

if TYPE_CHECKING:
    from patientvoice.insight.engine.recipe import Recipe

MODEL_FILE = "model.joblib"
METADATA_FILE = "metadata.json"
# Unweighted classes and a stronger penalty than LinearSVC's default rank comments better for
# the rare themes than class_weight="balanced" did (mean best-F1 0.530 -> 0.550 across themes).
THEME_C = 0.25
SENTIMENT_C = 1.0
THRESHOLD_FOLDS = 4
MIN_POSITIVES_TO_TUNE = 3


@dataclass
class ThemeHead:
    labels: list[str]
    weights: np.ndarray  # (n_features, n_labels)
    bias: np.ndarray  # (n_labels,)
    thresholds: np.ndarray  # (n_labels,)
    platt: np.ndarray  # (n_labels, 2): confidence = sigmoid(a * score + b)

    def scores(self, features: sp.csr_matrix) -> np.ndarray:
        return np.asarray(features @ self.weights) + self.bias

    def decide(self, scores: np.ndarray) -> np.ndarray:
        """Boolean (n, labels). A comment gets at least one theme: when none passes its
        threshold, the most probable one. (Not the one nearest its threshold: for text the
        model cannot read, that is whichever rare theme has the lowest threshold.)"""
        chosen = scores >= self.thresholds
        empty = ~chosen.any(axis=1)
        if empty.any():
            likeliest = np.argmax(self.confidence(scores[empty]), axis=1)
            chosen[np.flatnonzero(empty), likeliest] = True
        return chosen

    def confidence(self, scores: np.ndarray) -> np.ndarray:
        return _sigmoid(scores * self.platt[:, 0] + self.platt[:, 1])


@dataclass
class SentimentHead:
    """A 5-class softmax, multiplied by a 3-class one (positive 1–2, neutral 3, negative 4–5)
    trained on the same rows: the coarse model's sharper view of the band measured +0.003 on
    both accuracies. Both are columns of one weight matrix, so still one sparse product."""

    classes: np.ndarray  # the sentiment values, 1 … 5
    weights: np.ndarray  # (n_features, n_classes [+ n_bands])
    bias: np.ndarray
    band_of_class: np.ndarray | None = None  # (n_classes,) column of each class's band

    def probabilities(self, features: sp.csr_matrix) -> np.ndarray:
        logits = np.asarray(features @ self.weights) + self.bias
        n = len(self.classes)
        fine = _softmax(logits[:, :n])
        band_of_class = getattr(self, "band_of_class", None)
        if band_of_class is None or logits.shape[1] == n:
            return fine
        joint = fine * _softmax(logits[:, n:])[:, band_of_class]
        return joint / joint.sum(axis=1, keepdims=True)


def _softmax(logits: np.ndarray) -> np.ndarray:
    logits = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    return np.asarray(exp / exp.sum(axis=1, keepdims=True))


def sentiment_band(values: np.ndarray) -> np.ndarray:
    """1–2 -> 0 (positive), 3 -> 1 (neutral or mixed), 4–5 -> 2 (negative)."""
    return np.select([values <= 2, values == 3], [0, 1], default=2)


@dataclass
class BatchResult:
    """Themes and sentiment for a batch, as arrays; `sentiment` is 0 where there is no text."""

    labels: list[str]
    chosen: np.ndarray  # bool (n, labels)
    confidence: np.ndarray  # (n, labels)
    sentiment: np.ndarray  # int (n,)
    sentiment_confidence: np.ndarray  # (n,)

    def themes(self, row: int) -> list[tuple[str, float]]:
        """(label, confidence) pairs for one row, most confident first."""
        columns = np.flatnonzero(self.chosen[row])
        pairs = [(self.labels[c], round(float(self.confidence[row, c]), 4)) for c in columns]
        return sorted(pairs, key=lambda pair: -pair[1])

    def theme_names(self, row: int) -> list[str]:
        return [label for label, _ in self.themes(row)]


@dataclass
class TextModel:
    features: CommentFeatures
    themes: ThemeHead
    sentiment: SentimentHead
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return str(self.metadata.get("version", "unversioned"))

    def predict_batch(
        self,
        texts: Sequence[str],
        questions: Sequence[str] | None = None,
        ratings: Sequence[int | None] | None = None,
    ) -> BatchResult:
        """Themes and sentiment only: the fast path used for CSV files."""
        n = len(texts)
        questions = questions if questions is not None else [""] * n
        ratings = ratings if ratings is not None else [None] * n
        labels = self.themes.labels
        chosen = np.zeros((n, len(labels)), dtype=bool)
        confidence = np.zeros((n, len(labels)), dtype=np.float32)
        sentiment = np.zeros(n, dtype=np.int8)
        sentiment_confidence = np.zeros(n, dtype=np.float32)
        answered = [i for i, text in enumerate(texts) if not is_non_answer(text)]
        skipped = np.setdiff1d(np.arange(n), answered)
        # Non-answers are decided by rule: no model has anything to say about them.
        chosen[skipped, labels.index(LABELLING_NOT_POSSIBLE)] = True
        confidence[skipped, labels.index(LABELLING_NOT_POSSIBLE)] = 1.0
        if answered:
            matrix = self.features.transform(
                [texts[i] for i in answered],
                [questions[i] for i in answered],
                [ratings[i] for i in answered],
            )
            scores = self.themes.scores(matrix)
            chosen[answered] = self.themes.decide(scores)
            confidence[answered] = self.themes.confidence(scores)
            probabilities = self.sentiment.probabilities(matrix)
            best = probabilities.argmax(axis=1)
            sentiment[answered] = self.sentiment.classes[best]
            sentiment_confidence[answered] = probabilities[np.arange(len(best)), best]
        return BatchResult(labels, chosen, confidence, sentiment, sentiment_confidence)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x, -30, 30))), dtype=np.float32)


def train(
    extra_examples: Iterable[Example] = (),
    *,
    training_set: TrainingSet | None = None,
    use_framework_examples: bool = True,
    evaluation: dict[str, Any] | None = None,
    recipe: Recipe | None = None,
) -> TextModel:
    """Train on the shipped labelled comments plus `extra_examples` (for instance comments a
    person reviewed in the product). An extra example with no labels teaches only sentiment;
    one with no sentiment teaches only themes. `recipe` says which features; by default the
    one the PATIENTVOICE_TEXT_MODEL setting names (fast or accurate, measured in ADR 0002)."""
    # Imported here: a recipe fits with this module's `fit`.
    from patientvoice.insight.engine.recipe import configured_recipe

    recipe = recipe or configured_recipe()
    training_set = training_set or load_training_set()
    extras = list(extra_examples)
    examples = training_set.examples + extras
    if use_framework_examples:
        examples += framework_examples()
    model = recipe.fit(examples, training_set.labels_seen)
    model.metadata = _metadata(training_set, extras, model, evaluation)
    model.metadata["recipe"] = recipe.describe()
    if recipe.features != "tfidf":
        model.metadata["pretrained_encoder"] = ENCODER_PROVENANCE
    return model


def fit(
    examples: Sequence[Example],
    labels: Sequence[str],
    *,
    embedder: Embedder | None = None,
    embedding_weight: float = 1.0,
    unrated_copies: bool = False,
) -> TextModel:
    """Fit features, theme and sentiment heads on `examples` (the building block that
    evaluation reuses on each fold). `embedder` adds pretrained comment vectors to the
    features; `unrated_copies` also teaches sentiment from each rated comment with its rating
    taken away, as comments from surveys and stories arrive."""
    answered = [e for e in examples if not is_non_answer(e.text)]
    features = CommentFeatures(embedder=embedder, embedding_weight=embedding_weight).fit(
        *_columns(answered)
    )
    labels = list(dict.fromkeys([*labels, *(lb for e in answered for lb in e.labels)]))
    if LABELLING_NOT_POSSIBLE not in labels:
        labels.append(LABELLING_NOT_POSSIBLE)
    themed = [e for e in answered if e.labels]
    theme_head = _fit_themes(features, themed, labels)
    rated = [e for e in answered if e.sentiment is not None]
    if unrated_copies:
        rated += [replace(e, rating=None) for e in rated if e.rating is not None]
    sentiment_head = _fit_sentiment(features.transform(*_columns(rated)), rated)
    return TextModel(features, theme_head, sentiment_head)


def _columns(examples: Sequence[Example]) -> tuple[list[str], list[str], list[int | None]]:
    return [e.text for e in examples], [e.question for e in examples], [e.rating for e in examples]


def _label_matrix(examples: Sequence[Example], labels: Sequence[str]) -> np.ndarray:
    index = {label: i for i, label in enumerate(labels)}
    y = np.zeros((len(examples), len(labels)), dtype=np.int8)
    for row, example in enumerate(examples):
        for label in example.labels:
            y[row, index[label]] = 1
    return y


def _fit_svms(x: sp.csr_matrix, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    weights = np.zeros((x.shape[1], y.shape[1]), dtype=np.float32)
    # A label never seen can never be predicted: a very negative bias says so.
    bias = np.full(y.shape[1], -10.0, dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for j in np.flatnonzero(y.sum(axis=0)):
            svm = LinearSVC(C=THEME_C, max_iter=2000).fit(x, y[:, j])
            weights[:, j] = svm.coef_[0]
            bias[j] = svm.intercept_[0]
    return weights, bias


def _fit_themes(
    features: CommentFeatures, examples: Sequence[Example], labels: Sequence[str]
) -> ThemeHead:
    # Columns the theme head does not read are zeroed, so their weights are 0.
    x = features.transform(*_columns(examples)) @ sp.diags(features.theme_columns())
    x = sp.csr_matrix(x, dtype=np.float32)
    y = _label_matrix(examples, labels)
    weights, bias = _fit_svms(x, y)
    oof = _out_of_fold_scores(x, y, [normalise(e.text) for e in examples])
    platt = np.array([_platt(oof[:, j], y[:, j]) for j in range(y.shape[1])])
    thresholds = np.array([_threshold(oof[:, j], y[:, j], platt[j]) for j in range(y.shape[1])])
    return ThemeHead(list(labels), weights, bias, thresholds, platt)


def _out_of_fold_scores(x: sp.csr_matrix, y: np.ndarray, groups: list[str]) -> np.ndarray:
    """Each example scored by SVMs that never saw it nor any identical comment. The fold
    models reuse the full vocabulary: a small optimism that only affects thresholds."""
    oof = np.zeros(y.shape, dtype=np.float32)
    for fit_rows, score_rows in GroupKFold(n_splits=THRESHOLD_FOLDS).split(x, groups=groups):
        weights, bias = _fit_svms(x[fit_rows], y[fit_rows])
        oof[score_rows] = np.asarray(x[score_rows] @ weights) + bias
    return oof


def _best_f1(scores: np.ndarray, truth: np.ndarray) -> float:
    """The highest F1 any cut-off on these scores reaches."""
    order = np.argsort(-scores)
    hits = truth[order]
    f1 = 2 * np.cumsum(hits) / (np.arange(1, len(hits) + 1) + hits.sum())
    return float(f1.max())


def _threshold(scores: np.ndarray, truth: np.ndarray, platt: np.ndarray) -> float:
    """A theme's score cut-off. For calibrated probabilities the cut-off that maximises
    expected F1 is half the best F1 reachable, so: the best F1 on the out-of-fold scores,
    halved, as a probability, mapped back to a score through the Platt curve. That is steadier
    for rare themes than the arg-max of a jagged out-of-fold F1 curve, which overshoots because
    the final model scores more confidently than the fold models. Themes with too few positives
    keep the SVM's own boundary, 0."""
    a, b = float(platt[0]), float(platt[1])
    if truth.sum() < MIN_POSITIVES_TO_TUNE or a <= 0:
        return 0.0
    p = min(max(_best_f1(scores, truth) / 2, 1e-3), 0.999)
    return float((np.log(p / (1 - p)) - b) / a)


def _platt(scores: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    if truth.sum() == 0 or truth.sum() == len(truth):
        return (1.0, -10.0 if truth.sum() == 0 else 10.0)
    lr = LogisticRegression(C=100.0).fit(scores.reshape(-1, 1), truth)
    return (float(lr.coef_[0, 0]), float(lr.intercept_[0]))


def _fit_sentiment(x: sp.csr_matrix, examples: Sequence[Example]) -> SentimentHead:
    y = np.array([e.sentiment for e in examples])
    bands = sentiment_band(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        lr = LogisticRegression(C=SENTIMENT_C, max_iter=300).fit(x, y)
        if len(np.unique(bands)) < 3 or len(lr.classes_) < 2:
            # Too few kinds of sentiment to learn bands from (tiny training sets).
            return SentimentHead(
                classes=lr.classes_.astype(np.int8),
                weights=_coef(lr).T.astype(np.float32),
                bias=_intercept(lr).astype(np.float32),
            )
        coarse = LogisticRegression(C=SENTIMENT_C, max_iter=300).fit(x, bands)
    return SentimentHead(
        classes=lr.classes_.astype(np.int8),
        weights=np.hstack([_coef(lr).T, coarse.coef_.T]).astype(np.float32),
        bias=np.concatenate([_intercept(lr), coarse.intercept_]).astype(np.float32),
        band_of_class=sentiment_band(lr.classes_),
    )


def _coef(lr: LogisticRegression) -> np.ndarray:
    """(n_classes, n_features), also for two classes (where sklearn keeps one row)."""
    if len(lr.classes_) == 2:
        return np.vstack([-lr.coef_[0] / 2, lr.coef_[0] / 2])
    return np.asarray(lr.coef_)


def _intercept(lr: LogisticRegression) -> np.ndarray:
    if len(lr.classes_) == 2:
        return np.array([-lr.intercept_[0] / 2, lr.intercept_[0] / 2])
    return np.asarray(lr.intercept_)


def _metadata(
    training_set: TrainingSet,
    extras: list[Example],
    model: TextModel,
    evaluation: dict[str, Any] | None,
) -> dict[str, Any]:
    trained_at = datetime.datetime.now(tz=datetime.UTC)
    # The version names what was learned, not only what it was learned from: the same data
    # trained by changed code is a different model and must not share a version.
    digest = hashlib.sha256(
        json.dumps(
            [training_set.sha256, [(e.text, e.labels, e.sentiment) for e in extras]],
            default=str,
        ).encode()
    )
    for array in (model.themes.weights, model.themes.thresholds, model.sentiment.weights):
        digest.update(np.ascontiguousarray(array).tobytes())
    fingerprint = digest.hexdigest()
    return {
        "version": f"px-{trained_at:%Y%m%d}-{fingerprint[:8]}",
        "trained_at": trained_at.isoformat(),
        "training_data_sha256": training_set.sha256,
        "training_examples": len(training_set.examples),
        "extra_examples": len(extras),
        "labels": model.themes.labels,
        "thresholds": {
            label: round(float(t), 4)
            for label, t in zip(model.themes.labels, model.themes.thresholds, strict=True)
        },
        "sentiment_classes": [int(c) for c in model.sentiment.classes],
        "evaluation": evaluation or {},
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "attribution": ATTRIBUTION,
    }


def save_model(model: TextModel, directory: Path) -> Path:
    """Write the model and its metadata.json. The metadata is written last, and both by
    rename, so a reader that sees a new metadata.json also sees the model it describes."""
    directory.mkdir(parents=True, exist_ok=True)
    # The safeguarding detector, when attached, is its own file (engine/safeguarding.py).
    detector = getattr(model, "safeguarding", None)
    if detector is not None:
        save_detector(detector, directory)
    temporary = directory / (MODEL_FILE + ".tmp")
    joblib.dump(replace(model), temporary, compress=3)  # replace(): the fields only
    temporary.replace(directory / MODEL_FILE)
    meta_temporary = directory / (METADATA_FILE + ".tmp")
    meta_temporary.write_text(json.dumps(model.metadata, indent=2, ensure_ascii=False) + "\n")
    meta_temporary.replace(directory / METADATA_FILE)
    return directory


class ModelNotFound(FileNotFoundError):
    pass


def load_model(directory: Path) -> TextModel:
    path = directory / MODEL_FILE
    if not path.exists():
        raise ModelNotFound(f"No text model in {directory}: run `patientvoice train`")
    model = joblib.load(path)
    if not isinstance(model, TextModel):
        raise TypeError(f"{path} does not hold a TextModel")
    metadata_path = directory / METADATA_FILE
    if metadata_path.exists():
        model.metadata = json.loads(metadata_path.read_text())
    model.safeguarding = load_detector(directory)  # type: ignore[attr-defined]
    return model
