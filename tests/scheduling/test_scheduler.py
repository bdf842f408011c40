"""The scheduler enqueues each periodic task once per period however many copies run, and
`patientvoice sweep` runs them all here and now."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from patientvoice.scheduling.models import PeriodicTask
from patientvoice.scheduling.periodic import Periodic, claim, enqueue_due, periodic_tasks

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
TASKS = [
    ("patientvoice.feedback.tasks.recover_stuck_imports", 300),
    ("patientvoice.feedback.tasks.delete_import_files", 3600),
]


@pytest.fixture
def queued(db: None, settings: Any) -> Any:
    """Tasks go to the database queue, where the test can count them, instead of running."""
    settings.TASKS = DATABASE_QUEUE
    settings.PATIENTVOICE_PERIODIC_TASKS = TASKS
    return DBTaskResult.objects


def test_each_task_is_claimed_by_one_caller_per_period(db: None) -> None:
    task = Periodic(
        "patientvoice.feedback.tasks.recover_stuck_imports", datetime.timedelta(minutes=5)
    )
    now = timezone.now()

    first, second = claim(task, now), claim(task, now)
    too_soon = claim(task, now + datetime.timedelta(minutes=4))
    next_period = claim(task, now + datetime.timedelta(minutes=5))

    assert (first, second, too_soon, next_period) == (True, False, False, True)


def test_two_schedulers_enqueue_each_due_task_once(queued: Any) -> None:
    one = enqueue_due()
    other = enqueue_due()

    assert sorted(one) == sorted(path for path, _ in TASKS) and other == []
    assert sorted(queued.values_list("task_path", flat=True)) == sorted(path for path, _ in TASKS)


def test_a_task_is_enqueued_again_once_its_period_has_passed(queued: Any) -> None:
    enqueue_due()
    PeriodicTask.objects.filter(path=TASKS[0][0]).update(
        last_enqueued_at=timezone.now() - datetime.timedelta(seconds=301)
    )

    assert enqueue_due() == [TASKS[0][0]]
    assert queued.filter(task_path=TASKS[0][0]).count() == 2


def test_the_scheduler_command_enqueues_what_is_due(queued: Any) -> None:
    out = io.StringIO()

    call_command("scheduler", "--once", stdout=out)
    call_command("scheduler", "--once", stdout=out)

    assert out.getvalue().count("Enqueued ") == 2
    assert queued.count() == 2


def test_a_claim_is_given_back_when_the_queue_refuses_the_task(queued: Any, settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0"}}  # nothing listens there

    assert enqueue_due() == []

    assert not PeriodicTask.objects.exclude(last_enqueued_at=None).exists()


def test_a_path_that_is_not_a_task_stops_the_scheduler(settings: Any) -> None:
    settings.PATIENTVOICE_PERIODIC_TASKS = [("patientvoice.feedback.imports.run.run_import", 60)]

    with pytest.raises(TypeError, match="is not a task"):
        periodic_tasks()


def test_every_configured_periodic_task_is_a_task() -> None:
    assert periodic_tasks()


def test_sweep_runs_every_task_now(db: None, settings: Any) -> None:
    settings.PATIENTVOICE_PERIODIC_TASKS = TASKS
    out = io.StringIO()

    call_command("sweep", stdout=out)

    assert out.getvalue().splitlines() == [
        "patientvoice.feedback.tasks.recover_stuck_imports: 0",
        "patientvoice.feedback.tasks.delete_import_files: 0",
    ]
