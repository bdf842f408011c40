"""Comments classified in the product: provenance, idempotence, concerns, corrections feeding
training, and reclassification with a new model version. These use a real trained model."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from patientvoice.feedback.models import Comment
from patientvoice.insight import engine
from patientvoice.insight.models import (
    Classification,
    Concern,
    ModelVersion,
    ReclassificationRun,
    SentimentAssignment,
    ThemeAssignment,
)
from patientvoice.insight.review import record_review
from patientvoice.insight.services import classify_comments, reviewed_examples
from tests.conftest import World, make_experience
from tests.insight.engine.conftest import ROOT, small_training_set


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The model `make test` trained, or a small one trained here when there is none."""
    default = ROOT / "var" / "models"
    if (default / "metadata.json").exists():
        return default
    directory = tmp_path_factory.mktemp("models")
    engine.save_model(engine.train(training_set=small_training_set()), directory)
    return directory


@pytest.fixture(autouse=True)
def use_model(settings: Any, model_dir: Path) -> None:
    settings.PATIENTVOICE_MODEL_DIR = model_dir


def test_a_new_comment_is_classified_after_commit_with_provenance(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        experience = make_experience(
            world.maternity, rating=1, what_was_good="The nurses were so kind and caring"
        )

    comment = experience.comments.get()
    themes = ThemeAssignment.objects.filter(comment=comment, is_current=True)
    version = ModelVersion.objects.get()
    assert themes.exists()
    assert all(t.source == "model" and t.model_version == version for t in themes)
    assert all(0 <= (t.confidence or 0) <= 1 for t in themes)
    assert not any(t.reviewed_at for t in themes)
    assert "Staff manner & personal attributes" in {t.theme.name for t in themes} or (
        "Positive experience & gratitude" in {t.theme.name for t in themes}
    )
    sentiment = SentimentAssignment.objects.get(comment=comment)
    assert sentiment.value in (1, 2) and sentiment.model_version == version
    assert version.training_data_sha256 == engine.load_training_set().sha256


def test_classifying_twice_duplicates_nothing(world: World) -> None:
    comment = make_experience(world.maternity, what_was_good="Waited 3 hours").comments.get()

    first = classify_comments([comment.pk])
    second = classify_comments([comment.pk])

    assert (first, second) == (1, 0)
    assert Classification.objects.count() == 1
    assert SentimentAssignment.objects.count() == 1


def test_a_safeguarding_comment_reaches_the_concerns_queue(world: World) -> None:
    comment = make_experience(
        world.maternity, rating=5, what_was_good="A carer hit my mum and she has bruises"
    ).comments.get()

    classify_comments([comment.pk])

    concern = Concern.objects.get(comment=comment, kind="safeguarding")
    assert concern.severity == 1 and concern.detected_by is not None
    assert "hit" in concern.evidence


def test_personal_data_gets_a_proposed_redaction(world: World) -> None:
    comment = make_experience(
        world.maternity, what_was_good="Call me on 07700 900123, thanks to Dr Patel"
    ).comments.get()

    classify_comments([comment.pk])

    classification = Classification.objects.get(comment=comment)
    assert classification.personal_data
    assert "07700 900123" not in classification.proposed_redaction


def test_a_reviewed_answer_stands_when_a_new_model_reads_the_comment(world: World) -> None:
    comment = make_experience(world.maternity, what_was_good="Lovely food").comments.get()
    classify_comments([comment.pk])
    from patientvoice.insight.models import Theme

    Theme.objects.get_or_create(
        name="Food & drink provision & facilities", defaults={"category": "Environment"}
    )
    record_review(comment, world.bob, ["Food & drink provision & facilities"], 1)
    ModelVersion.objects.update(version="px-older")  # the stored version is now an old one

    classify_comments([comment.pk])

    current = ThemeAssignment.objects.filter(comment=comment, is_current=True)
    assert {t.theme.name for t in current} == {"Food & drink provision & facilities"}
    assert all(t.reviewed_by == world.bob for t in current)
    newer = ThemeAssignment.objects.filter(comment=comment, source="model").exclude(
        model_version__version="px-older"
    )
    assert newer.exists() and not newer.filter(is_current=True).exists()
    assert ModelVersion.objects.count() == 2


def test_reviewed_corrections_become_training_examples(world: World) -> None:
    comment = make_experience(
        world.maternity, rating=2, what_was_good="Parking was easy"
    ).comments.get()
    classify_comments([comment.pk])
    from patientvoice.insight.models import Theme

    Theme.objects.get_or_create(name="Parking", defaults={"category": "Access"})
    record_review(comment, world.bob, ["Parking"], 2)

    examples = reviewed_examples()

    assert [(e.text, e.labels, e.sentiment, e.rating) for e in examples] == [
        ("Parking was easy", ("Parking",), 2, 2)
    ]


def test_reclassify_runs_every_comment_and_records_progress(world: World) -> None:
    for text in ["Great staff", "Too long a wait", "Clean ward"]:
        make_experience(world.maternity, what_was_good=text)

    out = io.StringIO()
    call_command("reclassify", "--now", stdout=out)

    run = ReclassificationRun.objects.get()
    assert (run.done, run.total, run.finished_at is not None) == (3, 3, True)
    assert Classification.objects.count() == Comment.objects.count() == 3
    assert "3 of 3" in out.getvalue()


def test_staff_see_the_model_version_and_its_figures(world: World) -> None:
    comment = make_experience(world.maternity, what_was_good="Great staff").comments.get()
    classify_comments([comment.pk])
    client = Client()
    client.force_login(world.bob)

    page = client.get("/staff/text-model/").content.decode()
    review = client.get(f"/staff/comments/{comment.pk}/").content.decode()

    version = ModelVersion.objects.get()
    assert version.version in page and version.training_data_sha256 in page
    assert f"Model {version.version}" in review
