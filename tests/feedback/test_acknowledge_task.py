from django.core import mail
from django.utils import timezone

from patientvoice.feedback.tasks import acknowledge_experience
from patientvoice.people.models import Person
from tests.conftest import World, make_experience


def test_it_emails_once_however_often_it_runs(world: World) -> None:
    person = Person.objects.create(
        full_name="Sam",
        email="sam@example.org",
        preferred_contact="email",
        email_confirmed_at=timezone.now(),
    )
    experience = make_experience(world.maternity, may_contact=True)
    experience.contact = person
    experience.save()

    first = acknowledge_experience.enqueue(experience.pk)
    second = acknowledge_experience.enqueue(experience.pk)

    assert first.return_value is True
    assert second.return_value is False
    assert len(mail.outbox) == 1
    experience.refresh_from_db()
    assert experience.acknowledged_at is not None


def test_it_sends_nothing_to_an_address_its_owner_has_not_confirmed(world: World) -> None:
    person = Person.objects.create(
        full_name="Sam", email="sam@example.org", preferred_contact="email"
    )
    experience = make_experience(world.maternity, may_contact=True)
    experience.contact = person
    experience.save()

    assert acknowledge_experience.enqueue(experience.pk).return_value is False
    assert mail.outbox == []


def test_it_sends_nothing_without_consent_to_contact(world: World) -> None:
    experience = make_experience(world.maternity)

    result = acknowledge_experience.enqueue(experience.pk)

    assert result.return_value is False
    assert mail.outbox == []


def test_a_deleted_experience_is_not_an_error(world: World) -> None:
    assert acknowledge_experience.enqueue(999_999).return_value is False


def test_the_email_says_how_to_reach_the_organisation(world: World) -> None:
    world.hospital.contact_email = "patient.experience@northdale.example.org"
    world.hospital.save()
    person = Person.objects.create(
        full_name="Sam",
        email="sam@example.org",
        preferred_contact="email",
        email_confirmed_at=timezone.now(),
    )
    experience = make_experience(world.maternity, may_contact=True)
    experience.contact = person
    experience.save()

    acknowledge_experience.enqueue(experience.pk)

    [message] = mail.outbox
    contact = "Contact Northdale Hospitals at patient.experience@northdale.example.org."
    assert contact in message.body
