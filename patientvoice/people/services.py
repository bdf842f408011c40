"""Changing people and their consent."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
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
    submission_token: uuid.UUID | None = None
    # Why the public form's defences found it suspicious (patientvoice.defences); blank if not.
    held_back_reason: str = ""


def register_interest(data: InterestInput) -> Person:
    """Record someone who wants to get involved, with the consent they gave on the form.

    A repeated submission token (a double click, the page sent again) returns the person the
    first one made. A sign-up the defences found suspicious is stored with the reason.
    """
    if data.submission_token:
        existing = Person.objects.filter(submission_token=data.submission_token).first()
        if existing:
            return existing
    try:
        return _create_person(data)
    except IntegrityError:
        # Two identical requests raced past the check above; the other one stored it.
        if data.submission_token:
            winner = Person.objects.filter(submission_token=data.submission_token).first()
            if winner:
                return winner
        raise


@transaction.atomic
def _create_person(data: InterestInput) -> Person:
    person = Person.objects.create(
        submission_token=data.submission_token,
        held_back_reason=data.held_back_reason,
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
