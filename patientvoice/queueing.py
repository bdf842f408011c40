"""Enqueueing tasks so that a worker only ever sees work whose records have been committed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, router, transaction
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db import DatabaseBackend


def enqueue_on_commit(enqueue: Callable[[], Any], using: str = DEFAULT_DB_ALIAS) -> None:
    """Call `enqueue` (which enqueues tasks, passing ids) for the transaction open on `using`.

    With a task backend that keeps its queue in this same database (django-tasks-db), the tasks
    are enqueued inside the transaction: their rows commit together with the records they are
    about, so a worker cannot see them sooner, and a process that dies right after the commit
    cannot lose them. The whole submission is then one commit instead of one per task (each
    commit waits for the disk). Any other backend (Redis, immediate) is called once the
    transaction has committed, and not at all if it rolls back.
    """
    if _queue_commits_with(using):
        enqueue()
    else:
        transaction.on_commit(enqueue, using=using)


def _queue_commits_with(using: str) -> bool:
    from django_tasks_db.models import DBTaskResult  # a model: not before the apps are ready

    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    return isinstance(backend, DatabaseBackend) and router.db_for_write(DBTaskResult) == using
