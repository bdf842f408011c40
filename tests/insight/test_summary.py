"""The insight summaries stay equal to what a rebuild from the records gives, after every write
that changes them: a submission, an import, a classification, a reclassification with a new
model, a person's correction and a rebuild itself."""

from __future__ import annotations

import datetime
import io
import threading
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from patientvoice.feedback.models import Experience, ResponseSummary
from patientvoice.feedback.summary import RESPONSE_FIELDS, responses_changing
from patientvoice.insight.models import ThemeAssignment, ThemeSummary
from patientvoice.insight.reader import Reading
from patientvoice.insight.review import record_review
from patientvoice.insight.services import classify_comments
from patientvoice.insight.summary import THEME_FIELDS, rebuild_insight_summary
from tests.conftest import World, make_experience
from tests.feedback.test_imports import GOOD, HEADER, analyst, import_file


@dataclass
class FixedReader:
    """A model that finds the same themes and sentiment in every comment."""

    themes: list[str]
    sentiment: int
    version: str = "px-fixed-1"
    metadata: dict[str, Any] = field(
        default_factory=lambda: {"trained_at": "2026-11-01T00:00:00+00:00"}
    )
    categories: dict[str, str] = field(default_factory=dict)

    def read(
        self, texts: list[str], questions: list[str], ratings: list[int | None]
    ) -> list[Reading]:
        return [
            Reading([(t, 0.9) for t in self.themes], self.sentiment, 0.8, [], [], text)
            for text in texts
        ]


def summary() -> dict[str, dict[tuple[Any, ...], tuple[int, ...]]]:
    """Both summaries as {cell: counts}, leaving out cells that count nothing."""

    def rows(model: Any, keys: list[str], values: tuple[str, ...]) -> dict[Any, Any]:
        found = {}
        for row in model.objects.values_list(*keys, *values):
            if any(row[len(keys) :]):
                found[row[: len(keys)]] = row[len(keys) :]
        return found

    cell = ["organisation_id", "service_id", "channel", "month"]
    return {
        "responses": rows(ResponseSummary, cell, RESPONSE_FIELDS),
        "themes": rows(ThemeSummary, [*cell, "theme__name"], THEME_FIELDS),
    }


def assert_matches_a_rebuild() -> dict[str, dict[tuple[Any, ...], tuple[int, ...]]]:
    kept = summary()
    rebuild_insight_summary()
    assert kept == summary()
    return kept


@pytest.fixture(autouse=True)
def no_background_model(settings: Any) -> None:
    # New comments are classified here by FixedReader, not by the task's real model.
    settings.FEEDBACK_COMMENT_TASKS = []


def test_a_submission_is_counted_in_its_month(world: World) -> None:
    make_experience(world.maternity, rating=4, could_be_better="Parking was impossible.")
    make_experience(world.maternity, rating=None, what_was_good="")

    kept = assert_matches_a_rebuild()

    month = timezone.localdate().replace(day=1)
    cell = (world.hospital.pk, world.maternity.pk, "web", month)
    #               very good, good, neither, poor, very poor, don't know, comments
    assert kept["responses"] == {cell: (0, 0, 0, 1, 0, 0, 2)}


def test_an_import_is_counted_in_the_months_of_its_rows(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    import_file(analyst(world), (HEADER + GOOD).encode(), django_capture_on_commit_callbacks)

    kept = assert_matches_a_rebuild()

    cell = (world.hospital.pk, world.maternity.pk, "import", datetime.date(2026, 10, 1))
    assert kept["responses"][cell] == (2, 0, 0, 1, 0, 0, 2)


def test_classification_and_a_new_models_reading_replace_the_theme_counts(world: World) -> None:
    comment = make_experience(world.maternity, rating=1).comments.get()

    classify_comments([comment.pk], FixedReader(["Parking"], 4))
    first = assert_matches_a_rebuild()["themes"]
    classify_comments([comment.pk], FixedReader(["Staff manner"], 1, version="px-fixed-2"))
    second = assert_matches_a_rebuild()["themes"]

    month = timezone.localdate().replace(day=1)
    cell = (world.hospital.pk, world.maternity.pk, "web", month)
    assert first == {(*cell, "Parking"): (1, 0, 0, 0, 1, 0)}
    assert second == {(*cell, "Staff manner"): (1, 1, 0, 0, 0, 0)}


def test_a_persons_correction_of_theme_and_sentiment_moves_the_counts(world: World) -> None:
    comment = make_experience(world.maternity, rating=1).comments.get()
    classify_comments([comment.pk], FixedReader(["Parking", "Staff manner"], 4))

    record_review(comment, world.bob, ["Staff manner", "Parking"], 4)  # accepted as it is
    accepted = assert_matches_a_rebuild()["themes"]
    record_review(comment, world.bob, ["Staff manner"], 2)  # one theme dropped, sentiment fixed
    corrected = assert_matches_a_rebuild()["themes"]

    cell = (world.hospital.pk, world.maternity.pk, "web", timezone.localdate().replace(day=1))
    assert accepted == {
        (*cell, "Parking"): (1, 0, 0, 0, 1, 0),
        (*cell, "Staff manner"): (1, 0, 0, 0, 1, 0),
    }
    assert corrected == {(*cell, "Staff manner"): (1, 0, 1, 0, 0, 0)}


def test_moving_a_record_to_another_month_moves_its_counts(world: World) -> None:
    experience = make_experience(world.maternity, rating=2)

    with responses_changing([experience.pk]):
        Experience.objects.filter(pk=experience.pk).update(
            submitted_at=timezone.now() - datetime.timedelta(days=70)
        )

    kept = assert_matches_a_rebuild()
    assert [month for *_, month in kept["responses"]] == [
        (timezone.localdate() - datetime.timedelta(days=70)).replace(day=1)
    ]


def test_the_rebuild_command_repairs_a_stale_summary_and_changes_nothing_when_run_again(
    world: World,
) -> None:
    comment = make_experience(world.maternity, rating=5).comments.get()
    classify_comments([comment.pk], FixedReader(["Parking"], 5))
    right = summary()
    # A change made outside the product's services leaves the summary behind...
    ThemeAssignment.objects.filter(comment=comment).update(is_current=False)
    ResponseSummary.objects.update(very_poor=7)

    out = io.StringIO()
    call_command("rebuild_insight_summary", stdout=out)
    repaired = summary()
    call_command("rebuild_insight_summary", stdout=io.StringIO())

    assert repaired["responses"] == right["responses"]
    assert repaired["themes"] == {}
    assert summary() == repaired
    assert "1 response rows, 0 theme rows" in out.getvalue()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs a database that threads share (PostgreSQL)"
)
@pytest.mark.django_db(transaction=True)
def test_submissions_at_the_same_moment_to_one_service_are_all_counted(world: World) -> None:
    def submit_five() -> None:
        try:
            for _ in range(5):
                make_experience(world.maternity, rating=1)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit_five) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    kept = assert_matches_a_rebuild()
    assert sum(counts[0] for counts in kept["responses"].values()) == 20


def test_the_migration_fills_the_summaries_of_an_upgraded_database(world: World) -> None:
    comment = make_experience(world.maternity, rating=3).comments.get()
    classify_comments([comment.pk], FixedReader(["Parking"], 3))
    kept = summary()
    ResponseSummary.objects.all().delete()  # as on a database from before the summaries
    ThemeSummary.objects.all().delete()
    node = ("insight", "0005_build_insight_summary")
    historical = MigrationLoader(connection).project_state(node).apps

    import_module("patientvoice.insight.migrations.0005_build_insight_summary").build(
        historical, None
    )

    assert summary() == kept and kept["themes"]
