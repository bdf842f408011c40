"""Tasks reach a worker only with the records they are about: in the same commit when the queue
is in the database, after the commit otherwise (patientvoice/queueing.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from patientvoice.feedback.models import Experience
from patientvoice.feedback.services import ExperienceInput, submit_feedback
from patientvoice.feedback.tasks import acknowledge_experience
from patientvoice.queueing import enqueue_on_commit
from tests.conftest import World

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class Writes:
    """Every statement that changes the database, and whether a transaction was open."""

    def __init__(self) -> None:
        self.outside_a_transaction: list[str] = []
        self.commits = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        reads = ("SELECT", "SAVEPOINT", "RELEASE", "BEGIN")
        if not connection.in_atomic_block and not sql.lstrip().upper().startswith(reads):
            self.outside_a_transaction.append(sql[:60])
        return execute(sql, params, many, context)


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> Iterator[Writes]:
    seen = Writes()
    commit = connection.commit

    def counted_commit() -> None:
        seen.commits += 1
        commit()

    monkeypatch.setattr(connection, "commit", counted_commit)
    with connection.execute_wrapper(seen):
        yield seen


def a_submission(world: World, **overrides: Any) -> ExperienceInput:
    fields: dict[str, Any] = {
        "service": world.maternity,
        "rating": 2,
        "respondent": "patient",
        "channel": Experience.Channel.WEB,
        "consent_method": Experience.ConsentMethod.ONLINE,
        "what_was_good": "The midwife stayed with us all night.",
        "could_be_better": "The car park was full.",
        "submission_token": uuid.uuid4(),
    }
    return ExperienceInput(**(fields | overrides))


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_QUEUE)
def test_a_submission_and_its_tasks_are_one_commit_with_the_database_queue(
    world: World, writes: Writes
) -> None:
    _, created = submit_feedback(a_submission(world))

    assert created
    assert writes.commits == 1
    assert writes.outside_a_transaction == []
    assert [path.rsplit(".", 1)[1] for path in queued_tasks()] == ["classify_comments"]


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_QUEUE)
def test_someone_who_left_an_email_address_is_written_to_in_the_same_commit(
    world: World, writes: Writes
) -> None:
    submit_feedback(
        a_submission(world, may_contact=True, contact_name="Alex", contact_email="alex@example.org")
    )

    assert writes.commits == 1
    assert writes.outside_a_transaction == []
    assert sorted(p.rsplit(".", 1)[1] for p in queued_tasks()) == [
        "classify_comments",
        "confirm_contact_email",
    ]


def queued_tasks() -> list[str]:
    return list(DBTaskResult.objects.values_list("task_path", flat=True))


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_QUEUE)
def test_tasks_of_a_rolled_back_transaction_never_reach_the_queue(world: World) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(lambda: acknowledge_experience.enqueue(1))
        assert DBTaskResult.objects.count() == 1  # in the transaction, not yet committed
        raise RuntimeError("the request failed")

    assert DBTaskResult.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_another_queue_is_given_the_tasks_only_after_the_commit(world: World) -> None:
    given: list[str] = []

    with transaction.atomic():
        enqueue_on_commit(lambda: given.append("enqueued"))
        assert given == []

    assert given == ["enqueued"]
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(lambda: given.append("never"))
        raise RuntimeError("the request failed")
    assert given == ["enqueued"]
