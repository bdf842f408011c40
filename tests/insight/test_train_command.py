"""`patientvoice train` and `patientvoice evaluate`."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from patientvoice.insight import engine
from tests.insight.engine.conftest import small_training_set


def test_train_saves_a_versioned_model_with_its_data_hash(  # type: ignore[no-untyped-def]
    settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.PATIENTVOICE_MODEL_DIR = tmp_path / "models"
    real_train = engine.train

    def small_train(*args: Any, **kwargs: Any) -> engine.TextModel:
        return real_train(*args, training_set=small_training_set(1200), **kwargs)

    monkeypatch.setattr(engine, "train", small_train)
    out = io.StringIO()
    call_command("train", stdout=out)
    metadata = json.loads((tmp_path / "models" / "metadata.json").read_text())
    assert metadata["version"].startswith("px-")
    assert metadata["training_data_sha256"] == engine.load_training_set().sha256
    assert metadata["version"] in out.getvalue()
    assert engine.load_model(tmp_path / "models").version == metadata["version"]


def test_evaluate_quick_prints_both_models_side_by_side() -> None:
    out = io.StringIO()
    call_command("evaluate", "--quick", stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert "patientvoice" in text
    assert "pxtextmining SVC" in text
    assert "Sentiment accuracy, 3 classes" in text
