"""`patientvoice classify`: the CSV contract, through the management command."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from patientvoice.insight.engine import save_model, train
from tests.insight.engine.conftest import small_training_set


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("models")
    save_model(train(training_set=small_training_set(1500)), directory)
    return directory


@pytest.fixture
def with_model(settings, model_dir: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.PATIENTVOICE_MODEL_DIR = model_dir
    return model_dir


def classify(source: Path, target: Path, *extra: str) -> str:
    errors = io.StringIO()
    call_command(
        "classify",
        str(source),
        "--text-column",
        "FFT answer",
        "--question-column",
        "FFT question",
        *extra,
        "--output",
        str(target),
        stderr=errors,
    )
    return errors.getvalue()


def test_it_writes_themes_and_sentiment_beside_every_input_column(
    with_model: Path, tmp_path: Path
) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        "Comment ID,FFT question,FFT categorical answer,FFT answer\n"
        "1,What was good?,1,The nurses were so kind and caring\n"
        "2,FFT Why?,,\n"
        "3,FFT Why?,1\n",
        encoding="utf-8-sig",
    )
    errors = classify(source, tmp_path / "out.csv", "--rating-column", "FFT categorical answer")
    with (tmp_path / "out.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [
        "Comment ID",
        "FFT question",
        "FFT categorical answer",
        "FFT answer",
        "themes",
        "sentiment",
        "concern",
        "concern_category",
        "concern_severity",
        "concern_evidence",
    ]
    assert rows[0]["concern"] == ""
    assert rows[0]["themes"] and rows[0]["sentiment"] in {"1", "2"}
    assert rows[1]["themes"] == "Labelling not possible"
    assert rows[1]["sentiment"] == ""
    assert "line 4: expected 4 fields, found 3" in errors


def test_a_missing_column_fails_naming_it(with_model: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("Comment,Question\nhello,FFT Why?\n", encoding="utf-8")
    with pytest.raises(CommandError, match="'FFT answer', 'FFT question'"):
        classify(source, tmp_path / "out.csv")


def test_without_a_model_it_says_to_train_one(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.PATIENTVOICE_MODEL_DIR = tmp_path / "empty"
    source = tmp_path / "in.csv"
    source.write_text("FFT answer,FFT question\nhello,FFT Why?\n", encoding="utf-8")
    with pytest.raises(CommandError, match="patientvoice train"):
        classify(source, tmp_path / "out.csv")
