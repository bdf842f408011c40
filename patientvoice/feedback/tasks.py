"""Background work that follows a new experience."""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from patientvoice.feedback.models import Experience


@task()
def acknowledge_experience(experience_id: int) -> bool:
    """Email the person who asked to be contacted that we received what they said.

    Safe to run twice: the row is locked and `acknowledged_at` set in the same transaction as the
    decision, so a second run (a retry, or a duplicate enqueue) finds it set and sends nothing.
    Returns whether an email was sent.
    """
    with transaction.atomic():
        experience = (
            Experience.objects.select_for_update(of=("self",))
            .select_related("contact", "service")
            .filter(pk=experience_id, acknowledged_at__isnull=True)
            .first()
        )
        if experience is None:
            return False
        experience.acknowledged_at = timezone.now()
        experience.save(update_fields=["acknowledged_at"])
        contact = experience.contact
        if not (experience.may_contact and contact and contact.email):
            return False
        send_mail(
            subject=f"We have received your feedback ({experience.reference})",
            message=(
                f"Dear {contact.full_name},\n\nThank you for telling us about your experience of "
                f"{experience.service.name}. Your reference is {experience.reference}.\n"
                "Someone from the team may contact you about what you said.\n"
            ),
            from_email=None,
            recipient_list=[contact.email],
        )
    return True


@task()
def run_import(batch_id: int) -> str:
    """Check and import an uploaded file. A second run of a finished batch does nothing, and a
    re-run of an interrupted one skips rows already imported (natural key per source)."""
    from patientvoice.feedback.imports import run_import as run

    return run(batch_id).status
