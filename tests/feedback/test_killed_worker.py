"""A real worker process killed with SIGKILL in the middle of its work: nothing is lost.

Killing the worker during a classification task left that task RUNNING forever and its
comments without themes; killing it during an import left the batch at "Checking rows". After
the periodic sweep (`patientvoice sweep`, as cron or the scheduler runs it) and a worker, every
comment is classified and the import has finished, with nothing imported twice.

Worker processes need a database they can share with the test: PostgreSQL (see
test_worker_processes.py); on SQLite these tests are skipped, saying why.
"""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import close_old_connections
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from patientvoice.feedback.models import Comment, Experience, ImportBatch, ImportSource
from patientvoice.feedback.tasks import run_import
from patientvoice.insight.models import Classification
from patientvoice.insight.tasks import classify_comments
from tests.conftest import World
from tests.feedback.test_worker_processes import BACKENDS, database_url
from tests.insight.test_classification import model_dir  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker_env(tmp_path: Path, model_dir: Path) -> Iterator[dict[str, str]]:  # noqa: F811
    """The environment of a worker on the test's database, its queue and its file storage."""
    url = database_url()
    media = tmp_path / "media"
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(
        TASKS={"default": BACKENDS["database"]},
        STORAGES=storages,
        MEDIA_ROOT=str(media),
        PATIENTVOICE_MODEL_DIR=model_dir,
    ):
        yield {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "patientvoice.settings",
            "DEBUG": "true",
            "DATABASE_URL": url,
            "TASK_BACKEND": "database",
            "MEDIA_ROOT": str(media),
            "PATIENTVOICE_MODEL_DIR": str(model_dir),
        }


def patientvoice(*command: str) -> list[str]:
    return [sys.executable, "-m", "patientvoice", *command]


def run(env: dict[str, str], *command: str) -> str:
    result = subprocess.run(
        patientvoice(*command), env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def kill_worker_once(env: dict[str, str], busy: Callable[[], bool]) -> None:
    """Start a worker and SIGKILL it as soon as `busy()` says it is in the middle of its work."""
    worker = subprocess.Popen(
        patientvoice("db_worker", "--no-startup-delay", "--interval", "0.1"),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, killed whole as a crash would
    )
    try:
        deadline = time.monotonic() + 300  # a safety net for a broken worker, not a measure
        while not busy():
            assert worker.poll() is None, f"the worker stopped by itself: {worker.stderr}"
            assert time.monotonic() < deadline, "the worker never got going"
            time.sleep(0.05)
            close_old_connections()
        os.killpg(worker.pid, signal.SIGKILL)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
        assert worker.stderr is not None
        worker.stderr.close()
    assert worker.returncode == -signal.SIGKILL


def comments(world: World, count: int) -> list[int]:
    """Stored comments whose classification has not run yet."""
    experiences = Experience.objects.bulk_create(
        Experience(
            service=world.maternity,
            organisation=world.hospital,
            rating=1 + n % 5,
            respondent="patient",
            channel="web",
            consent_method="online",
        )
        for n in range(count)
    )
    texts = [
        "The midwives were kind and explained everything",
        "Waited four hours for pain relief and nobody came",
        "Parking was impossible and the car park was full",
        "The food was cold but the staff were lovely",
    ]
    stored = Comment.objects.bulk_create(
        Comment(experience=e, question="what_was_good", text=f"{texts[n % 4]} ({n})")
        for n, e in enumerate(experiences)
    )
    return [c.pk for c in stored]


def test_comments_of_a_classification_task_killed_with_its_worker_are_classified_after_the_sweep(
    world: World, worker_env: dict[str, str]
) -> None:
    ids = comments(world, 4000)
    classify_comments.enqueue(ids)

    # Killed after its first batch of comments was stored and before its last.
    kill_worker_once(worker_env, lambda: Classification.objects.exists())

    left = Comment.objects.exclude(classifications__isnull=False).count()
    assert 0 < left < len(ids)
    assert DBTaskResult.objects.filter(status="RUNNING").count() == 1  # as the crash left it
    run(worker_env, "db_worker", "--batch", "--no-startup-delay")
    assert (
        Comment.objects.exclude(classifications__isnull=False).count() == left
    )  # nobody rescued them

    out = run(worker_env, "sweep")
    assert f"patientvoice.insight.tasks.classify_missed_comments: {left}" in out
    run(worker_env, "db_worker", "--batch", "--no-startup-delay")

    assert Comment.objects.exclude(classifications__isnull=False).count() == 0
    assert Classification.objects.count() == len(ids)  # each comment read once by this model


def fft_export(rows: int) -> bytes:
    lines = ["Response ID,Date,Ward,Rating"]
    lines += [f"K{n:06d},2026-10-{1 + n % 28:02d},Maternity unit,{1 + n % 6}" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def test_an_import_killed_with_its_worker_is_run_again_by_the_sweep_and_imports_each_row_once(
    world: World, worker_env: dict[str, str]
) -> None:
    rows = 40_000
    source = ImportSource.objects.create(
        organisation=world.hospital,
        name="Ward FFT export",
        mapping={
            "respondent_id": "Response ID",
            "date": "Date",
            "service": "Ward",
            "rating": "Rating",
        },
    )
    batch = ImportBatch(
        source=source,
        original_name="fft.csv",
        columns=["Response ID", "Date", "Ward", "Rating"],
        status=ImportBatch.Status.QUEUED,
    )
    batch.file.save("fft.csv", ContentFile(fft_export(rows)), save=True)
    run_import.enqueue(batch.pk)

    # Killed once checking has got going (progress is saved every 2,000 rows).
    def checking() -> bool:
        return ImportBatch.objects.filter(pk=batch.pk, checked_rows__gte=4000).exists()

    kill_worker_once(worker_env, checking)

    batch.refresh_from_db()
    assert batch.status in ("checking", "importing")
    assert Experience.objects.filter(source=source).count() == 0  # the transaction died with it
    run(worker_env, "db_worker", "--batch", "--no-startup-delay")
    batch.refresh_from_db()
    assert batch.status in ("checking", "importing")  # a worker alone does not rescue it

    # Half an hour later its heartbeat is stale, and the sweep runs it again.
    stale = timezone.now() - datetime.timedelta(minutes=31)
    ImportBatch.objects.filter(pk=batch.pk).update(heartbeat_at=stale)
    out = run(worker_env, "sweep")
    assert "patientvoice.feedback.tasks.recover_stuck_imports: 1" in out
    run(worker_env, "db_worker", "--batch", "--no-startup-delay")

    batch.refresh_from_db()
    assert (batch.status, batch.attempts, batch.created_count) == ("done", 2, rows)
    assert Experience.objects.filter(source=source).count() == rows
    assert not batch.file and batch.file_deleted_at is not None
