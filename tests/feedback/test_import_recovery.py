"""Imports that survive a crash: a run that died is run again by the sweep or by staff, a run
given up for dead cannot write, every error ends in a failed batch with a message, and uploaded
files are kept only as long as they are needed."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.utils import timezone

from patientvoice.feedback.imports import run as runs
from patientvoice.feedback.imports import write
from patientvoice.feedback.imports.run import (
    MAX_ATTEMPTS,
    delete_import_files,
    recover_stuck_imports,
)
from patientvoice.feedback.models import Experience, ImportBatch
from tests.conftest import World
from tests.feedback.test_imports import GOOD, HEADER, MAPPING, analyst, import_file, upload

LONG_AGO = datetime.timedelta(hours=2)


def mapped_batch(world: World, content: bytes = (HEADER + GOOD).encode()) -> ImportBatch:
    """A batch uploaded through the page whose columns are matched, as a worker would find it
    after a crash: stuck 'Checking rows' with an old heartbeat."""
    upload(analyst(world), content)
    batch = ImportBatch.objects.latest("pk")
    batch.source.mapping = MAPPING
    batch.source.save()
    return batch


def stall(batch: ImportBatch, status: str = "checking", attempts: int = 1) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=status,
        attempts=attempts,
        run_token="dead-run",
        heartbeat_at=timezone.now() - LONG_AGO,
    )


def running(batch: ImportBatch) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(
        status="checking", run_token="live-run", heartbeat_at=timezone.now()
    )


def test_the_sweep_runs_a_batch_whose_worker_died_and_it_finishes(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    batch = mapped_batch(world)
    stall(batch)

    with django_capture_on_commit_callbacks(execute=True):
        touched = recover_stuck_imports()

    batch.refresh_from_db()
    assert touched == 1
    assert (batch.status, batch.created_count, batch.attempts) == ("done", 3, 2)
    assert Experience.objects.filter(source=batch.source).count() == 3


def test_the_sweep_leaves_a_batch_that_shows_progress_alone(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    batch = mapped_batch(world)
    running(batch)

    with django_capture_on_commit_callbacks(execute=True):
        assert recover_stuck_imports() == 0

    batch.refresh_from_db()
    assert (batch.status, batch.run_token) == ("checking", "live-run")


def test_after_three_stopped_runs_the_sweep_fails_the_batch_with_a_message(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    batch = mapped_batch(world)
    stall(batch, status="importing", attempts=MAX_ATTEMPTS)

    with django_capture_on_commit_callbacks(execute=True):
        recover_stuck_imports()

    batch.refresh_from_db()
    assert batch.status == "failed"
    assert batch.failure.startswith("The import stopped 3 times without finishing")
    page = analyst(world).get(f"/staff/imports/{batch.pk}/").content.decode()
    assert "The import stopped 3 times" in page and "Retry the import" in page
    assert Experience.objects.count() == 0


def test_a_run_given_up_for_dead_cannot_write_once_another_run_holds_the_batch(
    world: World,
) -> None:
    batch = mapped_batch(world)
    ImportBatch.objects.filter(pk=batch.pk).update(status="queued")
    claimed = runs._claim(batch.pk)
    assert claimed is not None
    # The sweep gave this run up for dead and a new run claimed the batch.
    ImportBatch.objects.filter(pk=batch.pk).update(run_token="the-new-run")
    go_on = (
        runs.check_and_write_together
        if connection.vendor == "postgresql"
        else runs.check_then_write
    )

    with pytest.raises(runs.Superseded):
        go_on(claimed)

    batch.refresh_from_db()
    assert (batch.status, batch.run_token) == ("checking", "the-new-run")
    assert Experience.objects.count() == 0


def test_a_second_enqueue_of_a_running_or_finished_batch_does_nothing(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    batch = import_file(
        analyst(world), (HEADER + GOOD).encode(), django_capture_on_commit_callbacks
    )

    again = runs.run_import(batch.pk)

    assert (again.status, again.attempts, again.created_count) == ("done", 1, 3)
    assert Experience.objects.count() == 3


def test_an_unexpected_error_fails_the_batch_with_a_message_instead_of_leaving_it_checking(
    world: World, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(batch: ImportBatch, rows: list[Any]) -> list[int]:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(write, "_write_chunk", broken)
    monkeypatch.setattr(write, "_copy_chunk", broken)

    batch = import_file(
        analyst(world), (HEADER + GOOD).encode(), django_capture_on_commit_callbacks
    )

    assert batch.status == "failed"
    assert batch.failure.startswith("The import stopped because of an error on the server")
    assert "RuntimeError" in batch.failure and "the database went away" not in batch.failure
    page = analyst(world).get(f"/staff/imports/{batch.pk}/").content.decode()
    assert "Retry the import" in page


def test_staff_retry_a_failed_import_with_the_same_file_and_matching(
    world: World, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(write, "_write_chunk", lambda batch, rows: 1 / 0)
    monkeypatch.setattr(write, "_copy_chunk", lambda batch, rows: 1 / 0)
    batch = import_file(
        analyst(world), (HEADER + GOOD).encode(), django_capture_on_commit_callbacks
    )
    assert batch.status == "failed"
    monkeypatch.undo()  # the server's fault is mended

    with django_capture_on_commit_callbacks(execute=True):
        response = analyst(world).post(f"/staff/imports/{batch.pk}/", {"action": "retry"})

    batch.refresh_from_db()
    assert response.status_code == 302
    assert (batch.status, batch.created_count, batch.failure, batch.attempts) == ("done", 3, "", 1)


def test_staff_retry_a_stuck_import(world: World, django_capture_on_commit_callbacks: Any) -> None:
    batch = mapped_batch(world)
    stall(batch)
    page = analyst(world).get(f"/staff/imports/{batch.pk}/").content.decode()
    assert "This import seems to have stopped" in page

    with django_capture_on_commit_callbacks(execute=True):
        analyst(world).post(f"/staff/imports/{batch.pk}/", {"action": "retry"})

    batch.refresh_from_db()
    assert (batch.status, batch.created_count) == ("done", 3)


def test_a_running_import_cannot_be_retried(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    batch = mapped_batch(world)
    running(batch)

    with django_capture_on_commit_callbacks(execute=True):
        response = analyst(world).post(
            f"/staff/imports/{batch.pk}/", {"action": "retry"}, follow=True
        )

    batch.refresh_from_db()
    assert (batch.status, batch.run_token) == ("checking", "live-run")
    assert "This import is running or finished" in response.content.decode()


@pytest.mark.parametrize(("persona", "status"), [("alice", 404), ("dana", 404), ("erin", 403)])
def test_only_staff_who_import_for_the_organisation_may_retry(
    world: World, persona: str, status: int
) -> None:
    batch = mapped_batch(world)
    stall(batch)
    from patientvoice.people.models import Membership

    Membership.objects.filter(user=world.dana).update(role="org_admin")  # imports elsewhere
    client = Client()
    client.force_login(getattr(world, persona))

    response = client.post(f"/staff/imports/{batch.pk}/", {"action": "retry"})

    batch.refresh_from_db()
    assert response.status_code == status
    assert batch.status == "checking"


def test_uploaded_files_are_stored_under_a_random_name_and_deleted_once_imported(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    upload(analyst(world), (HEADER + GOOD).encode(), name="complaints from J Smith.csv")
    batch = ImportBatch.objects.latest("pk")
    stored = batch.file.name
    assert stored.startswith("imports/") and "Smith" not in stored
    assert default_storage.exists(stored)

    with django_capture_on_commit_callbacks(execute=True):
        analyst(world).post(f"/staff/imports/{batch.pk}/columns/", MAPPING)

    batch.refresh_from_db()
    assert batch.status == "done" and batch.original_name == "complaints from J Smith.csv"
    assert not default_storage.exists(stored)
    assert (batch.file.name, batch.file_deleted_at is not None) == ("", True)


def test_other_files_are_deleted_after_the_retention_period(
    world: World, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.IMPORT_FILE_RETENTION_DAYS = 14
    wrong = dict(MAPPING, rating="Q2 why")
    failed = import_file(
        analyst(world), (HEADER + GOOD).encode(), django_capture_on_commit_callbacks, wrong
    )
    upload(analyst(world), (HEADER + GOOD).encode())
    abandoned = ImportBatch.objects.latest("pk")
    names = [failed.file.name, abandoned.file.name]

    assert delete_import_files(timezone.now() + datetime.timedelta(days=13)) == 0
    assert delete_import_files(timezone.now() + datetime.timedelta(days=15)) == 2
    assert delete_import_files(timezone.now() + datetime.timedelta(days=16)) == 0

    assert not any(default_storage.exists(name) for name in names)
    page = analyst(world).get(f"/staff/imports/{failed.pk}/").content.decode()
    assert "The uploaded file was deleted on" in page and "Retry the import" not in page
