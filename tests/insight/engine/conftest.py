"""A trained model for the engine tests: the one in the model directory when there is one
(`make test` trains it first), otherwise a small one trained here on part of the data."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from patientvoice.insight.engine import TextModel, TrainingSet, load_model, load_training_set
from patientvoice.insight.engine.model import MODEL_FILE, train

ROOT = Path(__file__).resolve().parents[3]
SMALL_MODEL_EXAMPLES = 2500


def small_training_set(size: int = SMALL_MODEL_EXAMPLES) -> TrainingSet:
    full = load_training_set()
    return TrainingSet(
        examples=random.Random(3).sample(full.examples, size),
        label_columns=full.label_columns,
        sha256=full.sha256,
    )


@pytest.fixture(scope="session")
def model() -> TextModel:
    directory = Path(os.environ.get("PATIENTVOICE_MODEL_DIR", ROOT / "var" / "models"))
    if (directory / MODEL_FILE).exists():
        return load_model(directory)
    return train(training_set=small_training_set())
