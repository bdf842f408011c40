"""When each periodic task was last enqueued, shared by every copy of the scheduler."""

from __future__ import annotations

from django.db import models


class PeriodicTask(models.Model):
    """One task of PATIENTVOICE_PERIODIC_TASKS. A scheduler enqueues the task only after
    claiming it here with one conditional UPDATE, so several schedulers enqueue it once."""

    path = models.CharField(max_length=200, unique=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.path
