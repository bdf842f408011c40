"""What staff do with imports: upload a file, match its columns and start it, retry it.

The import views call these; each change to a batch happens here, and a run is enqueued only
after the transaction that queued it commits.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from patientvoice.feedback.imports.read import read_header
from patientvoice.feedback.imports.run import is_stuck, queue_batch
from patientvoice.feedback.models import ImportBatch, ImportSource
from patientvoice.people.models import User


def receive_upload(
    organisation_id: int, source_name: str, upload: UploadedFile, user: User
) -> ImportBatch:
    """Store an uploaded file as a new batch waiting for its columns to be matched. Raises
    ImportFileError, and stores nothing, when the file cannot be read."""
    assert upload.name is not None
    columns = read_header(upload.file, upload.name)  # type: ignore[arg-type]
    with transaction.atomic():
        source, _ = ImportSource.objects.get_or_create(
            organisation_id=organisation_id, name=source_name.strip()
        )
        return ImportBatch.objects.create(
            source=source, file=upload, original_name=upload.name, columns=columns, created_by=user
        )


def start_import(batch: ImportBatch, mapping: dict[str, str]) -> None:
    """Save the column matching for the batch's source (the next file from it starts with it)
    and queue the import."""
    if not batch.file:
        raise ValidationError("The uploaded file has been deleted: upload it again")
    with transaction.atomic():
        batch.source.mapping = {k: v for k, v in mapping.items() if v}
        batch.source.save(update_fields=["mapping"])
        queue_batch(batch, attempts=0)


def may_retry(batch: ImportBatch) -> bool:
    """A failed batch, or one whose run has stopped showing signs of life, while its file is
    still stored."""
    return bool(batch.file) and (batch.status == ImportBatch.Status.FAILED or is_stuck(batch))


def retry_import(batch: ImportBatch) -> None:
    """Run the batch again with the same file and column matching, from the start."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if not may_retry(locked):
            raise ValidationError("This import is running or finished: there is nothing to retry")
        queue_batch(batch, **_CLEARED)


def change_mapping(batch: ImportBatch) -> None:
    """Send a failed batch back to column matching, keeping its file."""
    if batch.status != ImportBatch.Status.FAILED:
        raise ValidationError("Only an import that failed can have its columns matched again")
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.MAPPING, **_CLEARED)


_CLEARED = {
    "errors": [],
    "error_count": 0,
    "failure": "",
    "checked_rows": 0,
    "total_rows": 0,
    "finished_at": None,
    "attempts": 0,
    "run_token": "",
}
