"""Enqueueing the periodic tasks (settings.PATIENTVOICE_PERIODIC_TASKS) when they are due.

django-tasks has no scheduler. `patientvoice scheduler` calls `enqueue_due` every few seconds;
any number of copies may run (one per machine, or a spare), because a task is enqueued only by
the copy whose UPDATE moved its `last_enqueued_at` on: the database lets exactly one through.
The tasks themselves are idempotent too, so a run that overlaps another does no harm.
See docs/decisions/0005-recoverable-work.md.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from patientvoice.scheduling.models import PeriodicTask

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    path: str
    every: datetime.timedelta

    @property
    def task(self) -> Any:
        return import_string(self.path)


def periodic_tasks() -> list[Periodic]:
    """The configured tasks, each checked to be a task (a typo fails at start-up)."""
    found = []
    for path, seconds in settings.PATIENTVOICE_PERIODIC_TASKS:
        periodic = Periodic(path, datetime.timedelta(seconds=seconds))
        if not hasattr(periodic.task, "enqueue"):
            raise TypeError(f"{path} in PATIENTVOICE_PERIODIC_TASKS is not a task")
        found.append(periodic)
    return found


def claim(periodic: Periodic, now: datetime.datetime) -> bool:
    """Whether this caller may enqueue the task now: true for exactly one caller per period."""
    PeriodicTask.objects.bulk_create([PeriodicTask(path=periodic.path)], ignore_conflicts=True)
    due = Q(last_enqueued_at__isnull=True) | Q(last_enqueued_at__lte=now - periodic.every)
    return bool(PeriodicTask.objects.filter(due, path=periodic.path).update(last_enqueued_at=now))


def enqueue_due(tasks: list[Periodic] | None = None) -> list[str]:
    """Enqueue each task that is due and that this caller claims; returns their paths.

    The claim and the enqueue share a transaction: if the queue refuses the task (Redis down),
    the claim is undone and the next call tries again."""
    enqueued = []
    for periodic in periodic_tasks() if tasks is None else tasks:
        try:
            with transaction.atomic():
                if claim(periodic, timezone.now()):
                    periodic.task.enqueue()
                    enqueued.append(periodic.path)
        except Exception:
            logger.exception("Could not enqueue the periodic task %s", periodic.path)
    return enqueued


def run_all_now() -> dict[str, Any]:
    """Run every periodic task here and now, one after another (for cron or by hand); returns
    each one's result."""
    return {periodic.path: periodic.task.call() for periodic in periodic_tasks()}
