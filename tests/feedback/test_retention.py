"""Retention: contact details are erased once every organisation holding them has kept them
for its period with no activity; comments stay, and each erasure is audited."""

import datetime
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from patientvoice.feedback.models import Comment, Experience
from patientvoice.feedback.retention import apply_retention, erase_expired_contacts, months_before
from patientvoice.people.audit import PERSON_ERASED
from patientvoice.people.models import AuditEvent, ConsentRecord, Person
from patientvoice.people.services import InterestInput, register_interest
from tests.conftest import World, make_experience, make_user

NOW = timezone.now()


def _months_ago(months: int) -> datetime.datetime:
    return months_before(NOW, months) - datetime.timedelta(hours=1)


def _age(person: Person, months: int) -> Person:
    """Make everything about the person `months` old (and an hour)."""
    moment = _months_ago(months)
    Person.objects.filter(pk=person.pk).update(created_at=moment)
    ConsentRecord.objects.filter(person=person).update(given_at=moment)
    Experience.objects.filter(contact=person).update(submitted_at=moment)
    return person


def _feedback_contact(world: World, months: int, name: str = "Grace Okafor") -> Person:
    experience = make_experience(
        world.maternity,
        may_contact=True,
        contact_name=name,
        contact_email="grace@example.org",
        contact_phone="0113 496 0555",
    )
    assert experience.contact is not None
    return _age(experience.contact, months)


def _sign_up(months: int, groups: list[str]) -> Person:
    person = register_interest(
        InterestInput(
            full_name="Hari Patel",
            preferred_contact="email",
            email="hari@example.org",
            phone="",
            postal_address="",
            interests=["gp"],
            group_slugs=groups,
            access_needs="",
        )
    )
    return _age(person, months)


def test_a_contact_past_the_organisations_period_is_erased_and_their_comments_kept(
    world: World,
) -> None:
    person = _feedback_contact(world, 25)  # the hospital keeps details for 24 months
    experience = person.experiences.get()

    assert erase_expired_contacts(NOW) == 1

    person.refresh_from_db()
    assert (person.full_name, person.email, person.phone) == ("", "", "")
    assert not person.consents.filter(withdrawn_at__isnull=True).exists()
    experience.refresh_from_db()
    assert (experience.contact_id, experience.may_contact) == (None, False)
    assert Comment.objects.filter(experience=experience).exists()
    event = AuditEvent.objects.get(action=PERSON_ERASED)
    assert (event.actor, event.organisation) == (None, world.hospital)
    assert event.detail["reason"] == "retention"
    assert event.detail["retention_months"] == 24


def test_a_contact_within_the_period_is_kept(world: World) -> None:
    person = _feedback_contact(world, 23)

    assert erase_expired_contacts(NOW) == 0
    assert Person.objects.get(pk=person.pk).email == "grace@example.org"


def test_each_organisation_sets_its_own_period(world: World) -> None:
    world.hospital.contact_retention_months = 6
    world.hospital.save()
    person = _feedback_contact(world, 7)

    erase_expired_contacts(NOW)

    assert Person.objects.get(pk=person.pk).erased_at is not None


def test_a_person_held_by_two_organisations_is_kept_for_the_longer_period(world: World) -> None:
    world.hospital.contact_retention_months = 6
    world.hospital.save()
    world.practice.contact_retention_months = 36
    world.practice.save()
    person = _feedback_contact(world, 7)
    person.groups_of_interest.add(world.ppg)  # also asked to hear from the practice's PPG

    assert erase_expired_contacts(NOW) == 0
    assert Person.objects.get(pk=person.pk).erased_at is None


def test_recent_activity_restarts_the_clock(world: World) -> None:
    person = _feedback_contact(world, 30)
    ConsentRecord.objects.create(
        person=person,
        purpose="involvement_contact",
        version="2026-11",
        method="online",
        given_at=NOW - datetime.timedelta(days=3),
    )

    assert erase_expired_contacts(NOW) == 0


def test_sign_ups_choosing_no_group_use_the_sites_period(world: World, settings: Any) -> None:
    settings.PATIENTVOICE_CONTACT_RETENTION_MONTHS = 12
    kept = _sign_up(11, [])
    erased = _sign_up(13, [])

    assert erase_expired_contacts(NOW) == 1

    assert Person.objects.get(pk=kept.pk).erased_at is None
    assert Person.objects.get(pk=erased.pk).email == ""


def test_the_operator_organisation_sees_retention_of_unlinked_sign_ups_in_its_log(
    world: World, settings: Any
) -> None:
    settings.PATIENTVOICE_OPERATOR_ORGANISATION = "northdale-hospitals"
    _sign_up(25, [])

    erase_expired_contacts(NOW)

    assert AuditEvent.objects.get(action=PERSON_ERASED).organisation == world.hospital


def test_a_sign_up_to_a_group_uses_the_host_organisations_period(world: World) -> None:
    world.practice.contact_retention_months = 12
    world.practice.save()
    person = _sign_up(13, ["oak-lane-ppg"])

    erase_expired_contacts(NOW)

    person.refresh_from_db()
    assert person.erased_at is not None
    assert not person.groups_of_interest.exists()
    assert AuditEvent.objects.get(action=PERSON_ERASED).organisation == world.practice


def test_people_with_an_account_are_left_alone(world: World) -> None:
    person = _feedback_contact(world, 40)
    person.user = make_user("grace")
    person.save()

    assert erase_expired_contacts(NOW) == 0


def test_the_task_runs_from_the_queue_and_a_second_run_changes_nothing(world: World) -> None:
    _feedback_contact(world, 25)

    first = apply_retention.enqueue()
    second = apply_retention.enqueue()

    assert (first.return_value, second.return_value) == (1, 0)
    assert AuditEvent.objects.filter(action=PERSON_ERASED).count() == 1


def test_the_task_is_scheduled_daily() -> None:
    assert ("patientvoice.feedback.retention.apply_retention", 86400) in (
        settings.PATIENTVOICE_PERIODIC_TASKS
    )


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (
            datetime.datetime(2026, 5, 31, 9, 0, tzinfo=datetime.UTC),
            3,
            datetime.datetime(2026, 2, 28, 9, 0, tzinfo=datetime.UTC),
        ),
        (
            datetime.datetime(2028, 5, 31, 9, 0, tzinfo=datetime.UTC),
            3,
            datetime.datetime(2028, 2, 29, 9, 0, tzinfo=datetime.UTC),
        ),
        (
            datetime.datetime(2026, 1, 15, tzinfo=datetime.UTC),
            1,
            datetime.datetime(2025, 12, 15, tzinfo=datetime.UTC),
        ),
        (
            datetime.datetime(2026, 12, 3, tzinfo=datetime.UTC),
            24,
            datetime.datetime(2024, 12, 3, tzinfo=datetime.UTC),
        ),
    ],
)
def test_months_are_calendar_months(
    moment: datetime.datetime, months: int, expected: datetime.datetime
) -> None:
    assert months_before(moment, months) == expected
