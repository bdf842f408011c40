"""Changing people and their consent."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from patientvoice.directory.models import Group
from patientvoice.people.models import ConsentRecord, Person

INVOLVEMENT_CONSENT_VERSION = "2026-11"


@dataclass(frozen=True)
class InterestInput:
    full_name: str
    preferred_contact: str
    email: str
    phone: str
    postal_address: str
    interests: list[str]
    group_slugs: list[str]
    access_needs: str


@transaction.atomic
def register_interest(data: InterestInput) -> Person:
    """Record someone who wants to get involved, with the consent they gave on the form."""
    person = Person.objects.create(
        full_name=data.full_name,
        preferred_contact=data.preferred_contact,
        email=data.email,
        phone=data.phone,
        postal_address=data.postal_address,
        interests=data.interests,
        access_needs=data.access_needs,
    )
    groups = list(Group.objects.filter(slug__in=data.group_slugs, is_published=True))
    person.groups_of_interest.set(groups)
    now = timezone.now()
    purposes = [ConsentRecord.Purpose.INVOLVEMENT_CONTACT]
    if groups:
        purposes.append(ConsentRecord.Purpose.GROUP_CONTACT)
    ConsentRecord.objects.bulk_create(
        ConsentRecord(
            person=person,
            purpose=purpose,
            version=INVOLVEMENT_CONSENT_VERSION,
            method=ConsentRecord.Method.ONLINE,
            given_at=now,
        )
        for purpose in purposes
    )
    return person
