"""The audit log: one function that every app calls to say who did what.

Call `record_audit` inside the same transaction as the change it records, so that a change and
its audit entry are committed together or not at all. Reads (contact details, equality answers)
and exports are recorded when they are served.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from patientvoice.people.models import AuditEvent, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest

# Actions, named verb-first so the log reads as sentences. Add new ones here.
VIEWED_CONTACT_DETAILS = "viewed_contact_details"
VIEWED_EQUALITY = "viewed_equality"
EXPORTED = "exported"
ROLE_CHANGED = "role_changed"
STAFF_INVITED = "staff_invited"
STAFF_DEACTIVATED = "staff_deactivated"
POPULATION_UPLOADED = "population_uploaded"
PERSON_EXPORTED = "person_exported"
PERSON_ERASED = "person_erased"
CONSENT_WITHDRAWN = "consent_withdrawn"
SUBMISSION_RELEASED = "submission_released"
SUBMISSION_REJECTED = "submission_rejected"
SIGN_IN_FAILED = "sign_in_failed"
TWO_FACTOR_CHANGED = "two_factor_changed"
PASSWORD_CHANGED = "password_changed"  # noqa: S105 (an action name, not a password)
ORGANISATION_DETAILS_CHANGED = "organisation_details_changed"
REPORT_SIGNED_OFF = "report_signed_off"
REPORT_ISSUED = "report_issued"
REPORT_CORRECTED = "report_corrected"
REPORT_PUBLISHED = "report_published"
RESPONSE_RECORDED = "response_recorded"
RESPONSE_REMINDER_SENT = "response_reminder_sent"
RESPONSE_ESCALATED = "response_escalated"
CONCERN_DECIDED = "concern_decided"


def record_audit(
    actor: User | AnonymousUser | None,
    action: str,
    *,
    organisation: Any = None,
    subject: models.Model | None = None,
    detail: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Write one audit entry. `organisation` is an Organisation or its id; `subject` any record."""
    user = actor if isinstance(actor, User) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_username=user.get_username() if user else "",
        organisation_id=getattr(organisation, "pk", organisation),
        action=action,
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
        detail=detail or {},
        ip_address=client_address(request) if request is not None else None,
    )


def client_address(request: HttpRequest) -> str | None:
    """The address the request came from: REMOTE_ADDR, which the proxy in front must set.

    X-Forwarded-For is not trusted here: anyone can send it. A deployment behind a proxy sets
    REMOTE_ADDR from it in the proxy or WSGI server (gunicorn's --forwarded-allow-ips).
    """
    return request.META.get("REMOTE_ADDR") or None
