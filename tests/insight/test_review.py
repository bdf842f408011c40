"""People correcting the model: nothing the model said is lost, and the person's answer wins."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from patientvoice.insight.models import (
    ModelVersion,
    SentimentAssignment,
    Source,
    Theme,
    ThemeAssignment,
)
from patientvoice.insight.review import record_review
from tests.conftest import World, make_experience


@pytest.fixture
def suggested(world: World):  # type: ignore[no-untyped-def]
    """A comment with the model's suggestions: one right theme, one wrong, and a sentiment."""
    comment = make_experience(world.maternity).comments.get()
    version = ModelVersion.objects.create(
        version="px-test",
        training_data_sha256="0" * 64,
        trained_at=timezone.now() - datetime.timedelta(days=1),
    )
    kind = Theme.objects.create(name="Staff manner & personal attributes", category="Staff")
    wrong = Theme.objects.create(name="Parking", category="Access to treatment or medication")
    Theme.objects.create(name="Positive experience & gratitude", category="General")
    for theme, confidence in [(kind, 0.91), (wrong, 0.4)]:
        ThemeAssignment.objects.create(
            comment=comment,
            theme=theme,
            source=Source.MODEL,
            model_version=version,
            confidence=confidence,
        )
    SentimentAssignment.objects.create(
        comment=comment, value=3, source=Source.MODEL, model_version=version, confidence=0.5
    )
    return comment


def current_themes(comment) -> set[str]:  # type: ignore[no-untyped-def]
    return set(comment.themes.filter(is_current=True).values_list("theme__name", flat=True))


def test_a_correction_keeps_the_models_original_answer(world: World, suggested) -> None:  # type: ignore[no-untyped-def]
    record_review(
        suggested,
        world.bob,
        ["Staff manner & personal attributes", "Positive experience & gratitude"],
        sentiment=1,
    )

    assert current_themes(suggested) == {
        "Staff manner & personal attributes",
        "Positive experience & gratitude",
    }
    dropped = suggested.themes.get(theme__name="Parking")
    assert (dropped.is_current, dropped.source, dropped.reviewed_by) == (False, "model", world.bob)
    kept = suggested.themes.get(theme__name="Staff manner & personal attributes")
    assert kept.source == "model" and kept.reviewed_by == world.bob and kept.is_current
    added = suggested.themes.get(theme__name="Positive experience & gratitude")
    assert added.source == "person" and added.assigned_by == world.bob
    sentiments = {(s.source, s.value, s.is_current) for s in suggested.sentiments.all()}
    assert sentiments == {("model", 3, False), ("person", 1, True)}


def test_accepting_marks_the_model_answer_reviewed_without_copying_it(
    world: World,
    suggested,  # type: ignore[no-untyped-def]
) -> None:
    record_review(suggested, world.bob, ["Staff manner & personal attributes", "Parking"], 3)

    assert suggested.themes.count() == 2
    assert suggested.sentiments.count() == 1
    assert all(a.reviewed_at for a in suggested.themes.all())


def test_a_review_needs_a_known_theme(world: World, suggested) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        record_review(suggested, world.bob, [], 1)
    with pytest.raises(ValidationError, match="Unknown themes: Made up"):
        record_review(suggested, world.bob, ["Made up"], 1)
    assert current_themes(suggested) == {"Staff manner & personal attributes", "Parking"}
