"""Sentiment with and without the FFT rating: how evaluate scores both, and a model that still
reads a comment's sentiment when the rating is missing."""

from __future__ import annotations

import numpy as np
import pytest

from patientvoice.insight.engine import LABELLING_NOT_POSSIBLE, evaluate, format_report
from patientvoice.insight.engine.data import Example
from patientvoice.insight.engine.encoder import WEIGHTS_SHA256
from patientvoice.insight.engine.evaluate import OURS, _score, _truth
from patientvoice.insight.engine.model import TextModel, train
from patientvoice.insight.engine.recipe import Recipe
from tests.insight.engine.conftest import small_training_set


def test_evaluation_scores_sentiment_with_and_without_the_rating_separately() -> None:
    labels = [LABELLING_NOT_POSSIBLE, "Timeliness of care"]
    examples = [
        Example("They came late", "Why?", 4, ("Timeliness of care",), 4),
        Example("They came on time", "Why?", 1, ("Timeliness of care",), 1),
        Example("Bit slow but fine", "Why?", 3, ("Timeliness of care",), 3),
        Example("Very late indeed", "Why?", 5, ("Timeliness of care",), 5),
    ]
    truth = _truth(examples, labels)
    with_rating = np.array([4, 1, 3, 5])
    without_rating = np.array([4, 2, 2, 1])  # one right, one in the right band, two wrong
    scores = _score(truth, truth, examples, with_rating, labels, without_rating)
    assert scores.sentiment_accuracy_5 == 1.0
    assert scores.sentiment_accuracy_3 == 1.0
    assert scores.sentiment_accuracy_5_without_rating == 0.25
    assert scores.sentiment_accuracy_3_without_rating == 0.5


def test_a_quick_evaluation_reports_both_sentiment_figures() -> None:
    report = evaluate(2, subset=300, baseline=False)
    summary = report.models[OURS].summary()
    assert 0.0 < summary["sentiment_accuracy_5_without_rating"] <= 1.0
    assert 0.0 < summary["sentiment_accuracy_3_without_rating"] <= 1.0
    assert "Sentiment accuracy, 5 classes, without the rating" in format_report(report)
    assert report.as_dict()["recipe"] == Recipe().describe()


@pytest.fixture(scope="module")
def model() -> TextModel:
    return train(training_set=small_training_set(1500))


def test_a_model_reads_sentiment_from_the_words_when_the_rating_is_missing(
    model: TextModel,
) -> None:
    texts = [
        "The staff were wonderful, kind and caring, thank you so much",
        "Rude staff, nobody listened and I waited six hours in pain",
    ]
    result = model.predict_batch(texts, ["What was good?", "How could we improve?"], None)
    assert result.sentiment[0] <= 2
    assert result.sentiment[1] >= 4


def test_the_model_records_how_it_was_made_and_the_encoder_it_used(model: TextModel) -> None:
    assert model.metadata["recipe"] == Recipe().describe()
    provenance = model.metadata["pretrained_encoder"]
    assert provenance["weights_sha256"] == WEIGHTS_SHA256
    assert provenance["licence"] == "Apache-2.0"


def test_a_model_on_tfidf_alone_names_no_pretrained_model() -> None:
    plain = train(training_set=small_training_set(600), recipe=Recipe("tfidf"))
    assert plain.metadata["recipe"]["features"] == "tfidf"
    assert "pretrained_encoder" not in plain.metadata
    result = plain.predict_batch(["The nurses were kind"], ["What was good?"], None)
    assert result.theme_names(0)
