"""`patientvoice evaluate --record` puts figures beside a model only when they describe it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command


def test_figures_for_another_recipe_are_not_recorded_beside_the_model(
    settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    settings.PATIENTVOICE_MODEL_DIR = tmp_path
    metadata = {"version": "px-20261203-aaaaaaaa", "recipe": {"features": "tfidf"}}
    (tmp_path / "metadata.json").write_text(json.dumps(metadata))
    with pytest.raises(CommandError, match="was made with"):
        call_command("evaluate", "--quick", "--no-baseline", "--record")
    assert json.loads((tmp_path / "metadata.json").read_text()) == metadata


def test_recording_without_a_model_says_to_train_one(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.PATIENTVOICE_MODEL_DIR = tmp_path / "empty"
    with pytest.raises(CommandError, match="patientvoice train"):
        call_command("evaluate", "--quick", "--no-baseline", "--record")
