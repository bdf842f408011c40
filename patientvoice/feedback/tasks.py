"""Background work that follows a new experience."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from patientvoice.feedback import emails
from patientvoice.feedback.models import Experience


@task()
def confirm_contact_email(experience_id: int) -> bool:
    """Email a link to confirm the address given on the form, before we send it anything else.

    Anyone can type someone else's address into a public form, so the first email says only
    who we are and asks the owner to confirm; nothing typed on the form is in it. Held-back
    records get nothing until released. Safe to run twice: the row is locked and
    `confirmation_sent_at` set in the same transaction as the decision. Returns whether sent.
    """
    with transaction.atomic():
        experience = _lock_for_email(experience_id, confirmation_sent_at__isnull=True)
        if experience is None or not experience.is_counted:
            return False
        experience.confirmation_sent_at = timezone.now()
        experience.save(update_fields=["confirmation_sent_at"])
        contact = experience.contact
        if contact is None or contact.email_confirmed_at is not None:
            # Confirmed already (a person who confirmed before): acknowledge straight away.
            transaction.on_commit(lambda: acknowledge_experience.enqueue(experience_id))
            return False
        return emails.send_confirmation_link(experience)


@task()
def acknowledge_experience(experience_id: int) -> bool:
    """Email the person who asked to be contacted, once they have confirmed their address, that
    we received what they said.

    Safe to run twice: the row is locked and `acknowledged_at` set in the same transaction as the
    decision, so a second run (a retry, or a duplicate enqueue) finds it set and sends nothing.
    Returns whether an email was sent.
    """
    with transaction.atomic():
        experience = _lock_for_email(experience_id, acknowledged_at__isnull=True)
        if experience is None or not experience.is_counted:
            return False
        contact = experience.contact
        if contact is None or contact.email_confirmed_at is None:
            return False
        experience.acknowledged_at = timezone.now()
        experience.save(update_fields=["acknowledged_at"])
        return emails.send_acknowledgement(experience)


def _lock_for_email(experience_id: int, **unsent: bool) -> Experience | None:
    experience = (
        Experience.objects.select_for_update(of=("self",))
        .select_related("contact", "service__organisation")
        .filter(pk=experience_id, **unsent)
        .first()
    )
    if experience is None or not experience.may_contact:
        return None
    if experience.contact is None or not experience.contact.email:
        return None
    return experience


@task()
def run_import(batch_id: int) -> str:
    """Check and import an uploaded file. Safe to run twice: a run first claims the queued batch,
    so a duplicate enqueue, or one of a finished batch, does nothing."""
    from patientvoice.feedback.imports import run_import as run

    return run(batch_id).status


@task()
def recover_stuck_imports() -> int:
    """Periodic: queue again, or fail with a message, each import whose worker died. Safe to run
    twice or at once: batches are locked one at a time and each run claims its batch."""
    from patientvoice.feedback.imports.run import recover_stuck_imports as recover

    return recover()


@task()
def delete_import_files() -> int:
    """Periodic: delete uploaded import files nothing needs any more (IMPORT_FILE_RETENTION_DAYS).
    Running it twice deletes nothing more."""
    from patientvoice.feedback.imports.run import delete_import_files as delete

    return delete()
