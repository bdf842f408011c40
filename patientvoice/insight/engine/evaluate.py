"""Honest figures from the training data only: grouped cross-validation, ours beside the
pxtextmining SVC reproduction, trained and scored on the same folds."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.metrics import f1_score, precision_recall_fscore_support
from sklearn.model_selection import GroupKFold

from patientvoice.insight.engine.baseline import PxTextMiningBaseline
from patientvoice.insight.engine.data import (
    LABELLING_NOT_POSSIBLE,
    Example,
    TrainingSet,
    load_training_set,
)
from patientvoice.insight.engine.framework_examples import framework_examples
from patientvoice.insight.engine.recipe import Recipe
from patientvoice.insight.engine.text import is_non_answer, normalise

MACRO_MIN_POSITIVES = 5
# The figures a held-out set of this share of the data would give, averaged over this many
# random draws of it: such a set only counts the themes with >= 5 positives *in it*.
SAMPLE_SHARE = 0.25
SAMPLE_DRAWS = 200
# Every figure a Scores summary holds, with the name people read it under.
MEASURES = {
    "micro_f1": "Themes micro-F1",
    "macro_f1": "Themes macro-F1",
    "sentiment_accuracy_5": "Sentiment accuracy, 5 classes",
    "sentiment_accuracy_3": "Sentiment accuracy, 3 classes",
    "sentiment_accuracy_5_without_rating": "Sentiment accuracy, 5 classes, without the rating",
    "sentiment_accuracy_3_without_rating": "Sentiment accuracy, 3 classes, without the rating",
    "answered_micro_f1": "Themes micro-F1, answered only",
    "answered_macro_f1": "Themes macro-F1, answered only",
    "sampled_macro_f1": f"Themes macro-F1, {SAMPLE_SHARE:.0%} samples",
}
OURS = "patientvoice"
BASELINE = "pxtextmining SVC (reproduction)"


@dataclass
class Scores:
    micro_f1: float
    macro_f1: float
    sentiment_accuracy_5: float
    sentiment_accuracy_3: float
    # The same theme figures over answered comments only: blank and "did not answer" rows are
    # labelled by rule and always right, so they lift micro-F1 without saying anything about
    # the model.
    answered_micro_f1: float = 0.0
    answered_macro_f1: float = 0.0
    # Macro-F1 as a held-out quarter of the data would score it (see `_sampled_macro_f1`).
    sampled_macro_f1: float = 0.0
    # Sentiment of the same comments predicted with their FFT rating taken away, as comments
    # from surveys, stories and event notes arrive.
    sentiment_accuracy_5_without_rating: float = 0.0
    sentiment_accuracy_3_without_rating: float = 0.0
    per_label: dict[str, dict[str, float]] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> dict[str, float]:
        return {key: round(getattr(self, key), 4) for key in MEASURES}


@dataclass
class Report:
    folds: int
    examples: int
    labels: list[str]
    macro_labels: list[str]
    models: dict[str, Scores]
    recipe: dict[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """What the model's metadata.json records, for staff to see."""
        return {
            "method": (
                f"{self.folds}-fold cross-validation on {self.examples} training comments, "
                "identical texts in the same fold; macro-F1 over themes with "
                f">= {MACRO_MIN_POSITIVES} positives ({len(self.macro_labels)}); 'answered only' "
                "leaves out blank comments, which are labelled by rule; "
                f"'{SAMPLE_SHARE:.0%} samples' averages {SAMPLE_DRAWS} random quarters of the "
                f"comments, each over its themes with >= {MACRO_MIN_POSITIVES} positives; "
                "'without the rating' predicts sentiment again with the FFT rating removed"
            ),
            "recipe": self.recipe,
            **{
                name: {**scores.summary(), "per_label_f1": _per_label_f1(scores)}
                for name, scores in self.models.items()
            },
        }


def _per_label_f1(scores: Scores) -> dict[str, float]:
    return {label: round(v["f1"], 4) for label, v in scores.per_label.items()}


# A predictor returns, for the test comments: themes (bool, n × labels), sentiment, and
# sentiment predicted without the rating.
Predictions = tuple[np.ndarray, np.ndarray, np.ndarray]
Predictor = Callable[[list[Example], list[Example], list[str]], Predictions]


def evaluate(
    folds: int = 5,
    *,
    training_set: TrainingSet | None = None,
    subset: int | None = None,
    baseline: bool = True,
    n_jobs: int = 1,
    seed: int = 0,
    recipe: Recipe | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> Report:
    """Cross-validate our model (and the baseline) with GroupKFold on normalised text, so a
    comment and its duplicates are never on both sides. `subset` samples that many comments
    first, for quick runs; the figures are then only indicative."""
    training_set = training_set or load_training_set()
    examples = list(training_set.examples)
    if subset and subset < len(examples):
        # A reproducible sample for quick runs, not anything secret.
        examples = random.Random(seed).sample(examples, subset)  # noqa: S311
    labels = training_set.labels_seen
    truth = _truth(examples, labels)
    splits = grouped_folds(examples, folds)
    recipe = recipe or Recipe()
    predictors: dict[str, Predictor] = {
        OURS: lambda train, test, lbs: _ours(train, test, lbs, recipe)
    }
    if baseline:
        predictors[BASELINE] = lambda train, test, lbs: _baseline(train, test, lbs, n_jobs)
    models = {}
    for name, predictor in predictors.items():
        started = time.monotonic()
        chosen = np.zeros(truth.shape, dtype=bool)
        sentiment = np.zeros(len(examples), dtype=int)
        unrated = np.zeros(len(examples), dtype=int)
        for number, (fit_rows, test_rows) in enumerate(splits, start=1):
            train = [examples[i] for i in fit_rows]
            test = [examples[i] for i in test_rows]
            chosen[test_rows], sentiment[test_rows], unrated[test_rows] = predictor(
                train, test, labels
            )
            progress(f"{name}: fold {number} of {folds} done")
        scores = _score(truth, chosen, examples, sentiment, labels, unrated)
        scores.seconds = time.monotonic() - started
        models[name] = scores
    return Report(
        folds, len(examples), labels, _macro_labels(truth, labels), models, recipe.describe()
    )


def grouped_folds(examples: Sequence[Example], folds: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train rows, test rows) per fold: GroupKFold over the answered comments, so identical
    texts share a fold, with every non-answer in the first fold's test rows.

    Non-answers teach neither model anything (both leave them out of training and label them
    by rule), but they are one huge group of identical texts: GroupKFold over all comments put
    them in one fold and filled the other four with more answered comments, so most folds
    trained on 73% of the answered comments instead of 80%."""
    answered = np.array([i for i, e in enumerate(examples) if not is_non_answer(e.text)])
    fold_of = np.zeros(len(examples), dtype=int)
    groups = [normalise(examples[i].text) for i in answered]
    for number, (_, test) in enumerate(GroupKFold(n_splits=folds).split(answered, groups=groups)):
        fold_of[answered[test]] = number
    return [(np.flatnonzero(fold_of != k), np.flatnonzero(fold_of == k)) for k in range(folds)]


def _truth(examples: Sequence[Example], labels: Sequence[str]) -> np.ndarray:
    return np.array([[label in e.labels for label in labels] for e in examples], dtype=bool)


def _macro_labels(truth: np.ndarray, labels: Sequence[str]) -> list[str]:
    counts = truth.sum(axis=0)
    return [label for label, n in zip(labels, counts, strict=True) if n >= MACRO_MIN_POSITIVES]


def _ours(
    train: list[Example], test: list[Example], labels: list[str], recipe: Recipe
) -> Predictions:
    # The framework's quoted examples may quote a comment in the test fold: drop those.
    held_out = {normalise(e.text) for e in test}
    extra = [e for e in framework_examples() if normalise(e.text) not in held_out]
    model = recipe.fit(train + extra, labels)
    texts, questions = [e.text for e in test], [e.question for e in test]
    result = model.predict_batch(texts, questions, [e.rating for e in test])
    without_rating = model.predict_batch(texts, questions, None)
    columns = [model.themes.labels.index(label) for label in labels]
    return (
        result.chosen[:, columns],
        result.sentiment.astype(int),
        without_rating.sentiment.astype(int),
    )


def _baseline(
    train: list[Example], test: list[Example], labels: list[str], n_jobs: int
) -> Predictions:
    answered_train = [e for e in train if not is_non_answer(e.text)]
    model = PxTextMiningBaseline(n_jobs=n_jobs).fit(answered_train, labels)
    chosen = np.zeros((len(test), len(labels)), dtype=bool)
    sentiment = np.zeros(len(test), dtype=int)
    answered = [i for i, e in enumerate(test) if not is_non_answer(e.text)]
    skipped = [i for i, e in enumerate(test) if is_non_answer(e.text)]
    chosen[skipped, labels.index(LABELLING_NOT_POSSIBLE)] = True
    if answered:
        themes, moods = model.predict(
            [test[i].text for i in answered], [test[i].question for i in answered]
        )
        chosen[answered], sentiment[answered] = themes, moods
    # pxtextmining never reads the rating: its sentiment is the same without it.
    return chosen, sentiment, sentiment


def _score(
    truth: np.ndarray,
    chosen: np.ndarray,
    examples: Sequence[Example],
    sentiment: np.ndarray,
    labels: Sequence[str],
    sentiment_without_rating: np.ndarray | None = None,
) -> Scores:
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, chosen, average=None, zero_division=0
    )
    per_label = {
        label: {
            "precision": float(precision[j]),
            "recall": float(recall[j]),
            "f1": float(f1[j]),
            "support": int(support[j]),
        }
        for j, label in enumerate(labels)
    }
    rated = np.array([e.sentiment is not None for e in examples])
    expected = np.array([e.sentiment or 0 for e in examples])[rated]
    unrated = sentiment if sentiment_without_rating is None else sentiment_without_rating
    answered = np.array([not is_non_answer(e.text) for e in examples])
    return Scores(
        micro_f1=float(f1_score(truth, chosen, average="micro", zero_division=0)),
        macro_f1=_macro_f1(truth, chosen),
        answered_micro_f1=float(
            f1_score(truth[answered], chosen[answered], average="micro", zero_division=0)
        ),
        answered_macro_f1=_macro_f1(truth[answered], chosen[answered]),
        sampled_macro_f1=_sampled_macro_f1(truth, chosen),
        sentiment_accuracy_5=_accuracy(expected, sentiment[rated]),
        sentiment_accuracy_3=_accuracy(_three(expected), _three(sentiment[rated])),
        sentiment_accuracy_5_without_rating=_accuracy(expected, unrated[rated]),
        sentiment_accuracy_3_without_rating=_accuracy(_three(expected), _three(unrated[rated])),
        per_label=per_label,
    )


def _accuracy(expected: np.ndarray, predicted: np.ndarray) -> float:
    return float(np.mean(expected == predicted)) if len(expected) else 0.0


def _macro_f1(truth: np.ndarray, chosen: np.ndarray) -> float:
    """Macro-F1 over the themes with >= 5 positives in these rows."""
    columns = np.flatnonzero(truth.sum(axis=0) >= MACRO_MIN_POSITIVES)
    if not len(columns):
        return 0.0
    return float(f1_score(truth[:, columns], chosen[:, columns], average="macro", zero_division=0))


def _sampled_macro_f1(truth: np.ndarray, chosen: np.ndarray, seed: int = 0) -> float:
    """Mean macro-F1 over random draws of a quarter of the comments, each over the themes with
    >= 5 positives in that draw. Scored over the whole file, macro-F1 also counts themes with 5
    to 20 positives, most of which a held-out quarter would leave out; this is the figure such
    a held-out set would give, from the same cross-validated predictions."""
    rng = np.random.default_rng(seed)
    size = max(1, int(len(truth) * SAMPLE_SHARE))
    values = []
    for _ in range(SAMPLE_DRAWS):
        rows = rng.choice(len(truth), size=size, replace=False)
        values.append(_macro_f1(truth[rows], chosen[rows]))
    return float(np.mean(values))


def _three(values: np.ndarray) -> np.ndarray:
    """1–2 positive, 3 neutral or mixed, 4–5 negative; 0 (no prediction) stays apart."""
    return np.select([values == 0, values <= 2, values == 3], [0, 1, 2], default=3)


def format_report(report: Report) -> str:
    names = list(report.models)
    width = max(len(label) for label in report.labels) + 2
    lines = [
        f"Grouped {report.folds}-fold cross-validation on {report.examples} training comments "
        "(identical texts kept in the same fold; the answered comments split evenly, the",
        "blank ones, which both models label by rule, all tested in the first fold).",
        f"Macro-F1 is over the {len(report.macro_labels)} themes with at least "
        f"{MACRO_MIN_POSITIVES} positives.",
        "'Answered only' leaves out blank and 'did not answer' comments, which are labelled by "
        "rule.",
        f"'{SAMPLE_SHARE:.0%} samples' is the mean macro-F1 of {SAMPLE_DRAWS} random quarters "
        f"of the comments, each over its themes with at least {MACRO_MIN_POSITIVES} positives,",
        "as a held-out set of that size would be scored.",
        "",
        f"{'':{width}}" + "".join(f"{name[:30]:>32}" for name in names),
    ]
    for key, title in MEASURES.items():
        values = "".join(f"{report.models[n].summary()[key]:>32.3f}" for n in names)
        lines.append(f"{title:{width}}{values}")
    lines.append(
        f"{'seconds':{width}}" + "".join(f"{report.models[n].seconds:>32.0f}" for n in names)
    )
    lines += ["", "Per-theme F1 (support):"]
    for label in report.labels:
        first = report.models[names[0]].per_label[label]
        values = "".join(f"{report.models[n].per_label[label]['f1']:>32.3f}" for n in names)
        lines.append(f"{label[: width - 2]:{width}}{values}   ({first['support']})")
    return "\n".join(lines)
