"""Comments whose classification task died with its worker are found and classified by the
periodic sweep, a bounded number at a time, and never twice."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from patientvoice.feedback.models import Comment
from patientvoice.insight import services
from patientvoice.insight.models import Classification, ReclassificationRun
from patientvoice.insight.reader import current_reader
from patientvoice.insight.services import classify_missed_comments, register_model_version
from tests.conftest import World, make_experience
from tests.insight.test_classification import model_dir, use_model  # noqa: F401 (fixtures)


def unclassified(world: World, count: int) -> list[Comment]:
    """Comments stored while no worker ran: their classification was never done."""
    return [
        make_experience(
            world.maternity, what_was_good=f"The ward was clean, visit {n}"
        ).comments.get()
        for n in range(count)
    ]


def test_the_sweep_classifies_comments_the_current_model_has_not_read(world: World) -> None:
    comments = unclassified(world, 3)
    Classification.objects.all().delete()

    queued = classify_missed_comments()

    assert queued == 3
    assert set(Classification.objects.values_list("comment_id", flat=True)) == {
        c.pk for c in comments
    }


def test_a_second_sweep_finds_nothing_to_do(world: World) -> None:
    unclassified(world, 2)
    Classification.objects.all().delete()
    classify_missed_comments()

    assert classify_missed_comments() == 0
    assert Classification.objects.count() == 2


def test_the_sweep_queues_at_most_its_limit_in_tasks_of_a_batch(
    world: World, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    unclassified(world, 5)
    Classification.objects.all().delete()
    monkeypatch.setattr(services, "BATCH", 2)
    sizes: list[int] = []
    real = services.classify_comments
    monkeypatch.setattr(
        services, "classify_comments", lambda ids, reader=None: sizes.append(len(ids)) or real(ids)
    )

    assert classify_missed_comments(limit=3) == 3
    assert sizes == [2, 1]
    assert Classification.objects.count() == 3


def test_a_young_reclassification_run_is_left_to_do_its_work(world: World) -> None:
    unclassified(world, 2)
    Classification.objects.all().delete()
    version = register_model_version(current_reader())
    ReclassificationRun.objects.create(model_version=version, total=2)

    assert classify_missed_comments() == 0
    assert Classification.objects.count() == 0


def test_a_reclassification_run_that_died_is_finished_by_the_sweep(world: World) -> None:
    unclassified(world, 2)
    Classification.objects.all().delete()
    version = register_model_version(current_reader())
    run = ReclassificationRun.objects.create(model_version=version, total=2)
    ReclassificationRun.objects.filter(pk=run.pk).update(
        started_at=timezone.now() - datetime.timedelta(days=1)
    )

    assert classify_missed_comments() == 2
    assert classify_missed_comments() == 0

    run.refresh_from_db()
    assert (run.done, run.finished_at is not None) == (2, True)
