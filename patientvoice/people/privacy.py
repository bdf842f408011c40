"""Privacy requests about a person, on the people side: what we hold, withdrawing consent, erasing.

These functions know only people and the directory. What a person told us (their experiences)
belongs to feedback, whose `feedback.privacy` builds the whole answer to a request from these.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from patientvoice.people.audit import CONSENT_WITHDRAWN, record_audit
from patientvoice.people.models import ConsentRecord, Person, User

if TYPE_CHECKING:
    from django.http import HttpRequest

# Every field of Person that says who someone is or how to reach them: erasing blanks them all.
CONTACT_FIELDS = ("full_name", "email", "phone", "postal_address", "access_needs")


def signed_up_with(organisation_ids: set[int]) -> Q:
    """People who asked to hear from a group one of these organisations hosts."""
    return Q(groups_of_interest__host_id__in=organisation_ids)


def person_record(person: Person) -> dict[str, Any]:
    """What we hold about the person themselves: details, consent history and chosen groups."""
    return {
        "id": person.pk,
        "full_name": person.full_name,
        "preferred_contact": person.get_preferred_contact_display(),
        "email": person.email,
        "email_confirmed_at": _iso(person.email_confirmed_at),
        "phone": person.phone,
        "postal_address": person.postal_address,
        "interests": list(person.interests),
        "access_needs": person.access_needs,
        "created_at": _iso(person.created_at),
        "has_account": person.user_id is not None,
        "groups": [
            {"name": g.name, "hosted_by": g.host.name}
            for g in person.groups_of_interest.select_related("host").order_by("name")
        ],
        "consents": [
            {
                "purpose": c.get_purpose_display(),
                "wording_version": c.version,
                "how": c.get_method_display(),
                "given_at": _iso(c.given_at),
                "withdrawn_at": _iso(c.withdrawn_at),
            }
            for c in person.consents.order_by("given_at", "pk")
        ],
    }


def _iso(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def withdraw_consent(
    consent: ConsentRecord, user: User, organisation_id: int, request: HttpRequest | None = None
) -> bool:
    """Record that the person withdrew this consent; False if it was already withdrawn."""
    with transaction.atomic():
        updated = ConsentRecord.objects.filter(pk=consent.pk, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now()
        )
        if updated:
            record_audit(
                user,
                CONSENT_WITHDRAWN,
                organisation=organisation_id,
                subject=consent.person,
                detail={"consent": consent.pk, "purpose": consent.purpose},
                request=request,
            )
    return bool(updated)


def blank_person(person: Person) -> dict[str, int]:
    """Blank every detail that identifies the person, withdraw their consents and forget their
    groups. The caller audits it, in the same transaction. Returns what changed, for the log."""
    now = timezone.now()
    withdrawn = person.consents.filter(withdrawn_at__isnull=True).update(withdrawn_at=now)
    groups = person.groups_of_interest.count()
    person.groups_of_interest.clear()
    for name in CONTACT_FIELDS:
        setattr(person, name, "")
    person.interests = []
    person.user = None
    person.email_confirmed_at = None
    person.erased_at = now
    person.save(
        update_fields=[*CONTACT_FIELDS, "interests", "user", "email_confirmed_at", "erased_at"]
    )
    return {"consents_withdrawn": withdrawn, "groups_removed": groups}
