"""`patientvoice classify` as an analyst meets it on a fresh install: the console script, no web
settings (no DEBUG, no SECRET_KEY), a CSV with or without a rating column."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from patientvoice.insight.engine import save_model, train
from tests.insight.engine.conftest import small_training_set

ROWS = (
    "Comment ID,FFT question,FFT categorical answer,FFT answer\n"
    "1,What was good?,1,The nurses were so kind and caring\n"
    "2,How could we improve?,5,Rude receptionist and a six hour wait in pain\n"
    "3,FFT Why?,,\n"
)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("models")
    save_model(train(training_set=small_training_set(1500)), directory)
    return directory


def run_classify(model_dir: Path, tmp_path: Path, *extra: str) -> list[dict[str, str]]:
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(ROWS, encoding="utf-8")
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
    }
    environment["PATIENTVOICE_MODEL_DIR"] = str(model_dir)
    script = shutil.which("patientvoice", path=str(Path(sys.executable).parent))
    assert script, "the patientvoice console script is installed beside this Python"
    subprocess.run(
        [
            script,
            "classify",
            str(source),
            "--text-column",
            "FFT answer",
            "--question-column",
            "FFT question",
            *extra,
            "--output",
            str(target),
        ],
        env=environment,
        check=True,
        capture_output=True,
        timeout=300,
    )
    with target.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_it_classifies_with_the_rating_column_and_no_web_settings(
    model_dir: Path, tmp_path: Path
) -> None:
    rows = run_classify(model_dir, tmp_path, "--rating-column", "FFT categorical answer")
    assert [r["sentiment"] for r in rows][2] == ""
    assert int(rows[0]["sentiment"]) <= 2 and int(rows[1]["sentiment"]) >= 4
    assert rows[2]["themes"] == "Labelling not possible"


def test_it_classifies_without_a_rating_column_from_the_words_alone(
    model_dir: Path, tmp_path: Path
) -> None:
    rows = run_classify(model_dir, tmp_path)
    assert int(rows[0]["sentiment"]) <= 2 and int(rows[1]["sentiment"]) >= 4
    assert rows[0]["themes"] and rows[1]["themes"]
