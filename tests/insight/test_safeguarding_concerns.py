"""Concerns from the learnt safeguarding detector as the product stores them: one per comment
and kind, with the category, the evidence sentence and every finding; screening stands even
when reading themes fails."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from patientvoice.insight import reader as reader_module
from patientvoice.insight.engine import safeguarding as sg
from patientvoice.insight.engine.model import MODEL_FILE, load_model, save_model, train
from patientvoice.insight.engine_reader import EngineReader
from patientvoice.insight.models import Classification, Concern
from patientvoice.insight.services import classify_comments
from tests.conftest import World, make_experience
from tests.insight.engine.conftest import ROOT, small_training_set
from tests.insight.engine.test_safeguarding import DECISIONS_CSV, FIXTURE

DISCLOSURE = "My son takes my bank card and I never see my pension."
STORY = f"The nurses on the ward were lovely and the food was good. {DISCLOSURE} Thanks to all."


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The trained text model (or a small one) with a detector trained on the fixture."""
    default = ROOT / "var" / "models"
    model = (
        load_model(default)
        if (default / MODEL_FILE).exists()
        else train(training_set=small_training_set(1200))
    )
    sg.attach(model, sg.train([FIXTURE], comment_negative_count=200, folds=3))
    directory = tmp_path_factory.mktemp("models-with-detector")
    save_model(model, directory)
    return directory


@pytest.fixture(autouse=True)
def use_model(settings: Any, model_dir: Path) -> None:
    settings.PATIENTVOICE_MODEL_DIR = model_dir
    reader_module._cache.clear()


def test_the_stored_concern_carries_category_evidence_and_findings(world: World) -> None:
    comment = make_experience(world.maternity, rating=1, what_was_good=STORY).comments.get()

    classify_comments([comment.pk])

    concern = Concern.objects.get(comment=comment, kind="safeguarding")
    assert concern.evidence == DISCLOSURE
    assert concern.category in sg.SEVERITY
    assert concern.severity == sg.SEVERITY[concern.category]
    assert concern.findings[0]["sentence"] == DISCLOSURE
    assert concern.findings[0]["category"] == concern.category
    assert 0 < concern.findings[0]["score"] <= 1
    assert isinstance(concern.findings[0]["words"], list)


def test_a_failure_reading_themes_does_not_stop_screening(
    world: World, model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    comment = make_experience(world.maternity, rating=1, what_was_good=STORY).comments.get()
    engine_reader = EngineReader(model_dir, {})

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("themes broke")

    monkeypatch.setattr(engine_reader.model, "predict_batch", broken)

    classify_comments([comment.pk], reader=engine_reader)

    concern = Concern.objects.get(comment=comment, kind="safeguarding")
    assert concern.evidence == DISCLOSURE
    # Left unread by this version, so the missed-comment sweep reads its themes again.
    assert not Classification.objects.filter(comment=comment).exists()


def test_evaluate_scores_the_detector_on_triage_decisions(tmp_path: Path) -> None:
    decisions = tmp_path / "decisions.csv"
    decisions.write_text(DECISIONS_CSV, encoding="utf-8")
    out = io.StringIO()
    call_command(
        "evaluate",
        "--safeguarding",
        "--quick",
        "--no-held-out",
        "--decisions",
        str(decisions),
        stdout=out,
        stderr=io.StringIO(),
    )
    text = out.getvalue()
    assert "Grouped 2-fold cross-validation" in text
    assert f"Triage decisions ({decisions})" in text
    assert "Recall of concerns" in text and "False alarms on near-misses" in text
