"""Running an import in the worker, and recovering one whose worker died.

A file is never held in memory. Every row is checked, with progress saved as it goes; if any
row is bad the batch fails with every bad row listed by line, and nothing is kept. Good rows are
written a chunk at a time, all in one transaction (`write.py`). On SQLite the checked rows are
spooled to a temporary file and written after the whole file has passed. On PostgreSQL a thread
checks while the rows already checked are written, and the transaction is rolled back at the
first bad row (`check_and_write_together`).

A run first claims its batch (QUEUED -> CHECKING, with a new `run_token`); every later change to
the batch is made only while the token is still the batch's, so a run that was given up for dead
and replaced can never write. A run that dies leaves the batch CHECKING or IMPORTING with a stale
`heartbeat_at`: `recover_stuck_imports` queues it again, up to MAX_ATTEMPTS runs, then fails it
with a message. Any error in a run fails the batch with a message; it never stays "Checking rows".
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import queue
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from patientvoice.feedback.imports import check
from patientvoice.feedback.imports.check import Checked, ParsedRow, RowChecker, check_rows
from patientvoice.feedback.imports.read import ImportFileError
from patientvoice.feedback.imports.write import Spool, write_chunks
from patientvoice.feedback.models import ImportBatch

logger = logging.getLogger(__name__)

RUNNING = (ImportBatch.Status.QUEUED, ImportBatch.Status.CHECKING, ImportBatch.Status.IMPORTING)
# Runs of one batch before the sweep stops re-running it and fails it for a person to look at.
MAX_ATTEMPTS = 3
STOPPED = (
    "The import stopped {attempts} times without finishing, most likely because the background "
    "worker was restarted or ran out of memory. Nothing from this file was imported. Retry it; "
    "if it stops again, ask whoever runs this service to look at the worker's log."
)
CRASHED = (
    "The import stopped because of an error on the server ({kind}), not because of the rows in "
    "the file. Nothing from this file was imported. Retry it; if it fails again, ask whoever "
    "runs this service to look at the worker's log for batch {batch_id}."
)

FILE_GONE = "The uploaded file has been deleted, so it cannot be imported: upload it again."


class Superseded(Exception):
    """This run no longer holds the batch: the sweep gave it up for dead and queued another."""


def _update(batch: ImportBatch, **fields: Any) -> None:
    """Change the batch if this run still holds it, else raise Superseded. Inside the writer's
    transaction the update also locks the row until the commit, so the sweep waits for it."""
    if not ImportBatch.objects.filter(pk=batch.pk, run_token=batch.run_token).update(**fields):
        raise Superseded
    for name, value in fields.items():
        setattr(batch, name, value)


def _progress(batch: ImportBatch) -> Callable[[int], None]:
    """Save how far checking got; that also says the run is alive."""

    def save(rows: int) -> None:
        ImportBatch.objects.filter(pk=batch.pk, run_token=batch.run_token).update(
            checked_rows=rows, heartbeat_at=timezone.now()
        )

    return save


def _record_check(batch: ImportBatch, checked: Checked) -> bool:
    """Save what checking found; returns whether the file may be written."""
    rows = checked.good + checked.error_count
    found = {"total_rows": rows, "checked_rows": rows, "heartbeat_at": timezone.now()}
    found |= {"error_count": checked.error_count, "errors": checked.errors}
    if checked.errors:
        _update(batch, status=ImportBatch.Status.FAILED, finished_at=timezone.now(), **found)
        return False
    _update(batch, status=ImportBatch.Status.IMPORTING, **found)
    return True


def _finish(batch: ImportBatch) -> None:
    _update(
        batch,
        status=ImportBatch.Status.DONE,
        finished_at=timezone.now(),
        created_count=batch.created_count,
        duplicate_count=batch.duplicate_count,
    )


def check_then_write(batch: ImportBatch) -> None:
    """SQLite (and any database but PostgreSQL): check the whole file into a spool, then write
    the spooled rows in one transaction, so a file is imported whole or not at all while memory
    holds one chunk. Classification is queued after the commit."""
    with tempfile.TemporaryFile(prefix="patientvoice-import-") as handle:
        spool = Spool(handle)
        checker = RowChecker(batch, batch.source.mapping)
        if not _record_check(batch, check_rows(batch, checker, spool.add, _progress(batch))):
            return
        with transaction.atomic():
            write_chunks(batch, spool.chunks())
            _finish(batch)


def check_and_write_together(batch: ImportBatch) -> None:
    """PostgreSQL: check and write at once. A thread checks the file and hands over good rows a
    chunk at a time while this one writes them in one transaction, so checking runs while the
    server is busy with the previous chunk (about a fifth of a million-row import's time). As
    soon as the checker finds a bad row the transaction is rolled back: a failed file still keeps
    nothing. (Not on SQLite, where the checker's progress updates would wait for the writer.)"""
    handed: queue.Queue[list[ParsedRow] | BaseException | None] = queue.Queue(maxsize=4)
    stop = threading.Event()
    found: list[Checked] = []
    # Built here: the checker thread has its own connection and must not need the database
    # (it could not see rows this transaction or a test's has not committed).
    row_checker = RowChecker(batch, batch.source.mapping)

    def hand(item: list[ParsedRow] | BaseException | None) -> None:
        while not stop.is_set():
            try:
                handed.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def check_file() -> None:
        pending: list[ParsedRow] = []

        def keep(row: ParsedRow) -> None:
            pending.append(row)
            if len(pending) >= check.CHUNK:
                hand(pending.copy())
                pending.clear()

        try:
            # Progress goes through the thread's own connection, so it shows while the
            # writer's transaction is open; an update that finds no row changes nothing.
            found.append(check_rows(batch, row_checker, keep, _progress(batch)))
            if pending and not found[0].errors:
                hand(pending)
        except BaseException as error:
            hand(error)  # raised again by the writer
        finally:
            hand(None)
            connection.close()  # this thread's own connection

    def received() -> Iterator[list[ParsedRow]]:
        while (item := handed.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item

    checker = threading.Thread(target=check_file, name=f"check-import-{batch.pk}", daemon=True)
    checker.start()
    try:
        with transaction.atomic():
            write_chunks(batch, received())
            checker.join()
            if found[0].errors:
                transaction.set_rollback(True)  # keep nothing of a file with bad rows
            else:
                _record_check(batch, found[0])
                _finish(batch)
    finally:
        stop.set()
        checker.join()
    if found and found[0].errors:
        batch.created_count = batch.duplicate_count = 0  # what was written is rolled back
        _record_check(batch, found[0])


def _claim(batch_id: int) -> ImportBatch | None:
    """Take a queued batch for this run, or None if it is not waiting (finished, or another
    run has it): a duplicate enqueue does nothing."""
    token = uuid.uuid4().hex
    claimed = (
        ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.QUEUED)
        .exclude(file="")
        .update(
            status=ImportBatch.Status.CHECKING,
            run_token=token,
            attempts=F("attempts") + 1,
            heartbeat_at=timezone.now(),
            checked_rows=0,
        )
    )
    return ImportBatch.objects.select_related("source").get(pk=batch_id) if claimed else None


def run_import(batch_id: int) -> ImportBatch:
    """Check and import a queued batch. Safe to run twice: only one run claims the batch."""
    batch = _claim(batch_id)
    if batch is None:
        batch = ImportBatch.objects.get(pk=batch_id)
        if batch.status == ImportBatch.Status.QUEUED and not batch.file:
            batch.status, batch.failure = ImportBatch.Status.FAILED, FILE_GONE
            batch.save(update_fields=["status", "failure"])
        return batch
    try:
        if connection.vendor == "postgresql":
            check_and_write_together(batch)
        else:
            check_then_write(batch)
    except Superseded:
        logger.warning("Import batch %s was taken over by a newer run", batch_id)
        return ImportBatch.objects.get(pk=batch_id)
    except ImportFileError as error:
        _stop(batch, errors=[str(error)])
    except Exception as error:
        logger.exception("Import batch %s failed", batch_id)
        _stop(batch, failure=CRASHED.format(kind=type(error).__name__, batch_id=batch_id))
    if batch.status == ImportBatch.Status.DONE:
        delete_import_file(batch)  # nothing needs it now, and it holds patient data
    return batch


def _stop(batch: ImportBatch, *, errors: list[str] | None = None, failure: str = "") -> None:
    with contextlib.suppress(Superseded):
        _update(
            batch,
            status=ImportBatch.Status.FAILED,
            finished_at=timezone.now(),
            errors=errors or [],
            error_count=len(errors or []),
            failure=failure,
            created_count=0,
            duplicate_count=0,
        )


def stale_before(now: datetime.datetime | None = None) -> datetime.datetime:
    """A running batch whose heartbeat is older than this has lost its worker."""
    return (now or timezone.now()) - datetime.timedelta(minutes=settings.IMPORT_STUCK_MINUTES)


def is_stuck(batch: ImportBatch, now: datetime.datetime | None = None) -> bool:
    beat = batch.heartbeat_at or batch.created_at
    return batch.is_running and beat < stale_before(now)


def queue_batch(batch: ImportBatch, **fields: Any) -> None:
    """Mark the batch queued (with any other changes) and enqueue its run after the commit."""
    from patientvoice.feedback.tasks import run_import as run_import_task

    fields |= {"status": ImportBatch.Status.QUEUED, "heartbeat_at": timezone.now()}
    ImportBatch.objects.filter(pk=batch.pk).update(**fields)
    for name, value in fields.items():
        setattr(batch, name, value)
    batch_id = batch.pk
    transaction.on_commit(lambda: run_import_task.enqueue(batch_id))


def recover_stuck_imports(now: datetime.datetime | None = None) -> int:
    """Queue again each batch whose run stopped showing signs of life longer ago than
    IMPORT_STUCK_MINUTES; after MAX_ATTEMPTS runs, fail it with a message for staff instead.
    Returns how many batches it touched.

    Idempotent: each batch is locked and looked at again before it is changed, a queued run
    claims its batch before it starts, and a run that was given up for dead can no longer write
    (its `run_token` is no longer the batch's)."""
    limit = stale_before(now)
    stale = Q(heartbeat_at__lt=limit) | Q(heartbeat_at__isnull=True, created_at__lt=limit)
    touched = 0
    for batch_id in ImportBatch.objects.filter(stale, status__in=RUNNING).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            batch = (
                ImportBatch.objects.select_for_update(skip_locked=True).filter(pk=batch_id).first()
            )
            if batch is None or not is_stuck(batch, now):
                continue
            if batch.attempts >= MAX_ATTEMPTS:
                batch.status, batch.failure = (
                    ImportBatch.Status.FAILED,
                    STOPPED.format(attempts=batch.attempts),
                )
                batch.finished_at, batch.run_token = timezone.now(), ""
                batch.save(update_fields=["status", "failure", "finished_at", "run_token"])
            else:
                queue_batch(batch, run_token="")
            touched += 1
    return touched


def delete_import_file(batch: ImportBatch) -> None:
    """Delete the uploaded file from storage and say when; the batch and its results stay."""
    if batch.file:
        batch.file.delete(save=False)
    batch.file_deleted_at = timezone.now()
    ImportBatch.objects.filter(pk=batch.pk).update(file="", file_deleted_at=batch.file_deleted_at)


def delete_import_files(now: datetime.datetime | None = None) -> int:
    """Delete the uploaded files nothing needs any more: a finished import's at once, any other
    batch's IMPORT_FILE_RETENTION_DAYS after it was uploaded (a failed one can be retried until
    then). Returns how many files were deleted; running it twice deletes nothing more."""
    now = now or timezone.now()
    expired = now - datetime.timedelta(days=settings.IMPORT_FILE_RETENTION_DAYS)
    idle = ~Q(status__in=RUNNING) | Q(heartbeat_at__lt=expired)
    due = ImportBatch.objects.exclude(file="").filter(
        Q(status=ImportBatch.Status.DONE) | (Q(created_at__lt=expired) & idle)
    )
    deleted = 0
    for batch in due.iterator():
        delete_import_file(batch)
        deleted += 1
    return deleted
