"""Retention: erase the contact details of people we have not heard from for longer than the
organisations that hold them keep such details.

A person's last activity is the latest of when they were first recorded, when they last gave
feedback and when they last gave a consent. Each organisation that holds them (it received their
feedback, or hosts a group they chose) sets its period (`Organisation.contact_retention_months`);
a person is erased once the longest of those has passed, so no organisation loses details it
still keeps. Sign-ups tied to no organisation use PATIENTVOICE_CONTACT_RETENTION_MONTHS. People
with an account manage their own details and are left alone. Comments stay, without the person.
"""

from __future__ import annotations

import calendar
import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import DateTimeField, F, Max, Min, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django_tasks import task

from patientvoice.directory.identity import operator_organisation
from patientvoice.directory.models import Organisation
from patientvoice.feedback.models import Experience
from patientvoice.feedback.privacy import erase
from patientvoice.people.models import ConsentRecord, Person

logger = logging.getLogger(__name__)


def months_before(moment: datetime.datetime, months: int) -> datetime.datetime:
    """The same day and time `months` calendar months earlier (the month's last day if the
    day does not exist then: 31 May less 3 months is 28 or 29 February)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _latest(rows: QuerySet[Experience] | QuerySet[ConsentRecord], by: str, field: str) -> Subquery:
    """The latest `field` of the rows that belong to the outer person (through `by`)."""
    latest = rows.order_by().values(by).annotate(latest=Max(field)).values("latest")[:1]
    return Subquery(latest, output_field=DateTimeField())


def _candidates(now: datetime.datetime) -> QuerySet[Person]:
    """People not yet erased whose last activity is older than the shortest period anyone
    keeps details for: everyone who might be due, and few who are not."""
    shortest = min(
        settings.PATIENTVOICE_CONTACT_RETENTION_MONTHS,
        Organisation.objects.aggregate(m=Min("contact_retention_months"))["m"]
        or settings.PATIENTVOICE_CONTACT_RETENTION_MONTHS,
    )
    return (
        Person.objects.filter(erased_at__isnull=True, user__isnull=True)
        .annotate(last_activity=_last_activity())
        .filter(last_activity__lt=months_before(now, shortest))
    )


def _last_activity() -> Greatest:
    """When we last heard from the person: recorded, gave feedback or gave a consent."""
    last_feedback = _latest(
        Experience.objects.filter(contact=OuterRef("pk")), "contact", "submitted_at"
    )
    last_consent = _latest(
        ConsentRecord.objects.filter(person=OuterRef("pk")), "person", "given_at"
    )
    return Greatest(
        F("created_at"),
        Coalesce(last_feedback, F("created_at")),
        Coalesce(last_consent, F("created_at")),
    )


def _keeping_period(person: Person) -> tuple[int, int | None]:
    """The longest period of the organisations holding the person, and which one sets it."""
    holders = Organisation.objects.filter(
        pk__in=list(
            Experience.objects.filter(contact=person).values_list("organisation_id", flat=True)
        )
        + list(person.groups_of_interest.values_list("host_id", flat=True))
    ).order_by("-contact_retention_months", "pk")
    longest = holders.values_list("contact_retention_months", "pk").first()
    if longest is None:
        # A sign-up tied to no organisation: the operator's to handle, and to see in its log.
        operator = operator_organisation()
        return settings.PATIENTVOICE_CONTACT_RETENTION_MONTHS, operator.pk if operator else None
    return longest


def erase_expired_contacts(now: datetime.datetime | None = None) -> int:
    """Erase everyone whose retention period has run out; returns how many were erased."""
    now = now or timezone.now()
    erased = 0
    for person_id in list(_candidates(now).values_list("pk", flat=True)):
        with transaction.atomic():
            # Locked and read again: someone who gave feedback since the list was made, or whom
            # a member of staff erased meanwhile, is left alone.
            person = (
                Person.objects.select_for_update()
                .filter(pk=person_id, erased_at__isnull=True)
                .first()
            )
            last_activity = (
                Person.objects.filter(pk=person_id)
                .annotate(last_activity=_last_activity())
                .values_list("last_activity", flat=True)
                .first()
            )
            if person is None or last_activity is None:
                continue
            months, organisation_id = _keeping_period(person)
            if last_activity >= months_before(now, months):
                continue
            erase(
                person,
                None,
                organisation_id,
                {
                    "reason": "retention",
                    "retention_months": months,
                    "last_activity": last_activity.isoformat(),
                },
            )
        erased += 1
    logger.info("Retention: erased the contact details of %d people", erased)
    return erased


@task()
def apply_retention() -> int:
    """The periodic retention run (PATIENTVOICE_PERIODIC_TASKS). Safe to run twice or at once
    in two workers: each person is locked and checked before erasing, and an erased person is
    never a candidate again."""
    return erase_expired_contacts()
