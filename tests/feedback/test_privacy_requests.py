"""Privacy requests: organisation admins find a person their organisation holds, see and withdraw
their consents, export what is held about them and erase them; every step is audited."""

import csv
import io
import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from patientvoice.feedback.models import Comment, Experience
from patientvoice.people.audit import (
    CONSENT_WITHDRAWN,
    ORGANISATION_DETAILS_CHANGED,
    PERSON_ERASED,
    PERSON_EXPORTED,
    VIEWED_CONTACT_DETAILS,
    VIEWED_EQUALITY,
)
from patientvoice.people.models import (
    AuditEvent,
    ConsentRecord,
    EqualityMonitoring,
    Membership,
    Person,
    Role,
)
from patientvoice.people.services import InterestInput, register_interest
from tests.conftest import World, make_experience, make_user


def _contact(world: World, **overrides: Any) -> Person:
    """Grace gave the hospital's maternity unit feedback and asked to be contacted."""
    fields: dict[str, Any] = {
        "may_contact": True,
        "contact_name": "Grace Okafor",
        "contact_email": "grace@example.org",
        "contact_phone": "0113 496 0555",
        "could_be_better": '=HYPERLINK("http://evil.example","Refund")',
    }
    experience = make_experience(world.maternity, **(fields | overrides))
    assert experience.contact is not None
    return experience.contact


def _client(world: World, persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(getattr(world, persona))
    return client


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", 302),  # to the sign-in page
        ("erin", 403),  # no role anywhere
        ("alice", 403),  # officer: sees contact details but does not handle requests
        ("bob", 403),  # analyst
        ("dana", 403),  # officer at the practice
        ("charlie", 200),  # organisation admin at the hospital
    ],
)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/staff/privacy/?q=Grace"),
        ("get", "/staff/privacy/people/{person}/"),
        ("get", "/staff/privacy/people/{person}/export.json"),
        ("get", "/staff/privacy/people/{person}/export.csv"),
        ("get", "/staff/privacy/people/{person}/erase/"),
        ("post", "/staff/privacy/people/{person}/erase/"),
        ("post", "/staff/privacy/people/{person}/consents/{consent}/withdraw/"),
    ],
)
def test_only_organisation_admins_handle_privacy_requests(
    world: World, persona: str, expected: int, method: str, path: str
) -> None:
    person = _contact(world)
    consent = person.consents.get()
    url = path.format(person=person.pk, consent=consent.pk)

    response = getattr(_client(world, persona), method)(url)

    if expected == 200:
        assert response.status_code in (200, 302)  # the posts redirect when done
    else:
        assert response.status_code == expected
        assert Person.objects.get(pk=person.pk).full_name == "Grace Okafor"
        assert not ConsentRecord.objects.filter(withdrawn_at__isnull=False).exists()


def test_another_organisations_admin_cannot_find_or_open_the_person(world: World) -> None:
    person = _contact(world)
    frank = make_user("frank", [(world.practice, Role.ORG_ADMIN)])
    client = Client()
    client.force_login(frank)

    found = client.get("/staff/privacy/", {"q": "Grace"})

    assert found.context["people"] == []
    assert client.get(f"/staff/privacy/people/{person.pk}/").status_code == 404
    assert client.get(f"/staff/privacy/people/{person.pk}/export.json").status_code == 404
    assert (
        client.post(f"/staff/privacy/people/{person.pk}/erase/", {"confirm": "on"}).status_code
        == 404
    )
    assert Person.objects.get(pk=person.pk).email == "grace@example.org"


@pytest.mark.parametrize(
    "query", ["grace okafor", "GRACE@example.org", "01134960555", "+44 113 496 0555"]
)
def test_a_person_is_found_by_name_email_or_phone_in_any_spacing(world: World, query: str) -> None:
    person = _contact(world)
    _contact(world, contact_name="Someone Else", contact_email="else@example.org", contact_phone="")

    response = _client(world, "charlie").get("/staff/privacy/", {"q": query})

    assert [p.pk for p in response.context["people"]] == [person.pk]


def test_searching_is_a_read_of_contact_details_and_is_audited(world: World) -> None:
    person = _contact(world)

    _client(world, "charlie").get("/staff/privacy/", {"q": "Grace"})

    event = AuditEvent.objects.get(action=VIEWED_CONTACT_DETAILS)
    assert event.actor == world.charlie
    assert event.organisation == world.hospital
    assert event.detail == {"search": "Grace", "people": [person.pk]}


def test_a_sign_up_is_within_reach_of_the_organisations_hosting_the_groups_chosen(
    world: World,
) -> None:
    signed_up = register_interest(
        InterestInput(
            full_name="Hari Patel",
            preferred_contact="email",
            email="hari@example.org",
            phone="",
            postal_address="",
            interests=["gp"],
            group_slugs=["oak-lane-ppg"],
            access_needs="Large print",
        )
    )
    frank = make_user("frank", [(world.practice, Role.ORG_ADMIN)])
    client = Client()
    client.force_login(frank)

    assert [p.pk for p in client.get("/staff/privacy/", {"q": "Hari"}).context["people"]] == [
        signed_up.pk
    ]
    assert _client(world, "charlie").get("/staff/privacy/", {"q": "Hari"}).context["people"] == []


def test_sign_ups_choosing_no_group_are_handled_by_the_operator_organisation(
    world: World, settings: Any
) -> None:
    register_interest(
        InterestInput(
            full_name="Ines Novak",
            preferred_contact="phone",
            email="",
            phone="0113 496 0777",
            postal_address="",
            interests=[],
            group_slugs=[],
            access_needs="",
        )
    )
    client = _client(world, "charlie")
    assert client.get("/staff/privacy/", {"q": "Ines"}).context["people"] == []

    settings.PATIENTVOICE_OPERATOR_ORGANISATION = "oak-lane"
    assert client.get("/staff/privacy/", {"q": "Ines"}).context["people"] == []
    # Charlie also runs the operator: the search is logged for it, whose person this is.
    Membership.objects.create(user=world.charlie, organisation=world.practice, role=Role.ORG_ADMIN)

    assert len(client.get("/staff/privacy/", {"q": "Ines"}).context["people"]) == 1
    assert AuditEvent.objects.get(action=VIEWED_CONTACT_DETAILS).organisation == world.practice


def test_recording_a_withdrawal_keeps_the_consent_with_when_it_was_withdrawn(world: World) -> None:
    person = _contact(world)
    consent = person.consents.get()
    client = _client(world, "charlie")

    client.post(f"/staff/privacy/people/{person.pk}/consents/{consent.pk}/withdraw/")
    client.post(f"/staff/privacy/people/{person.pk}/consents/{consent.pk}/withdraw/")

    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    event = AuditEvent.objects.get(action=CONSENT_WITHDRAWN)  # once: the second changed nothing
    assert (event.actor, event.organisation) == (world.charlie, world.hospital)
    assert event.subject_id == str(person.pk)
    assert event.detail == {"consent": consent.pk, "purpose": "feedback_contact"}


def test_a_withdrawal_needs_a_post(world: World) -> None:
    person = _contact(world)
    consent = person.consents.get()

    response = _client(world, "charlie").get(
        f"/staff/privacy/people/{person.pk}/consents/{consent.pk}/withdraw/"
    )

    assert response.status_code == 405
    assert ConsentRecord.objects.get().withdrawn_at is None


def test_the_json_export_holds_the_person_their_consents_and_what_they_said(world: World) -> None:
    person = _contact(world)
    reference = person.experiences.get().reference

    response = _client(world, "charlie").get(f"/staff/privacy/people/{person.pk}/export.json")

    assert response["Content-Disposition"] == f'attachment; filename="person-{person.pk}.json"'
    record = json.loads(response.content)
    assert (record["full_name"], record["email"], record["phone"]) == (
        "Grace Okafor",
        "grace@example.org",
        "0113 496 0555",
    )
    assert [c["purpose"] for c in record["consents"]] == ["Contact about feedback they gave"]
    [experience] = record["experiences"]
    assert experience["reference"] == reference
    assert experience["service"] == "Maternity unit"
    assert {c["question"]: c["text"] for c in experience["comments"]} == {
        "What was good?": "The midwives were kind and explained everything.",
        "What could be better?": '=HYPERLINK("http://evil.example","Refund")',
    }
    event = AuditEvent.objects.get(action=PERSON_EXPORTED)
    assert (event.actor, event.organisation, event.subject_id) == (
        world.charlie,
        world.hospital,
        str(person.pk),
    )
    assert event.detail == {"format": "json", "experiences": 1}


def test_the_csv_export_opens_in_a_spreadsheet_without_running_formulas(world: World) -> None:
    person = _contact(world)

    response = _client(world, "charlie").get(f"/staff/privacy/people/{person.pk}/export.csv")

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["section", "item", "field", "value"]
    assert ["person", "", "email", "grace@example.org"] in rows
    assert [
        "experiences",
        "1",
        "What could be better?",
        '\'=HYPERLINK("http://evil.example","Refund")',
    ] in rows
    assert AuditEvent.objects.get(action=PERSON_EXPORTED).detail["format"] == "csv"


def test_an_unknown_export_format_is_not_found(world: World) -> None:
    person = _contact(world)

    response = _client(world, "charlie").get(f"/staff/privacy/people/{person.pk}/export.xml")

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=PERSON_EXPORTED).exists()


def test_erasing_asks_for_confirmation_first(world: World) -> None:
    person = _contact(world)

    response = _client(world, "charlie").post(f"/staff/privacy/people/{person.pk}/erase/", {})

    assert response.status_code == 200
    assert "Confirm that you have checked before erasing" in response.content.decode()
    assert Person.objects.get(pk=person.pk).email == "grace@example.org"
    assert not AuditEvent.objects.filter(action=PERSON_ERASED).exists()


def test_erasing_leaves_no_contact_details_keeps_the_comments_and_is_audited(world: World) -> None:
    person = _contact(world)
    experience = person.experiences.get()
    client = _client(world, "charlie")

    response = client.post(f"/staff/privacy/people/{person.pk}/erase/", {"confirm": "on"})

    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.full_name, person.email, person.phone, person.postal_address) == ("", "", "", "")
    assert person.erased_at is not None
    assert not person.consents.filter(withdrawn_at__isnull=True).exists()
    experience.refresh_from_db()
    assert (experience.contact_id, experience.may_contact) == (None, False)
    assert Comment.objects.filter(experience=experience).count() == 2
    event = AuditEvent.objects.get(action=PERSON_ERASED)
    assert (event.actor, event.organisation, event.subject_id) == (
        world.charlie,
        world.hospital,
        str(person.pk),
    )
    assert event.detail == {
        "reason": "request",
        "experiences_unlinked": 1,
        "consents_withdrawn": 1,
        "groups_removed": 0,
    }
    assert not Person.objects.filter(email="grace@example.org").exists()
    assert client.get("/staff/privacy/", {"q": "Grace"}).context["people"] == []
    assert client.get(f"/staff/privacy/people/{person.pk}/").status_code == 404


def test_an_officer_reading_contact_details_on_a_feedback_record_is_audited(world: World) -> None:
    person = _contact(world)
    experience = person.experiences.get()

    _client(world, "alice").get(f"/staff/feedback/{experience.reference}/")

    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.organisation) == (
        VIEWED_CONTACT_DETAILS,
        world.alice,
        world.hospital,
    )
    assert event.subject_id == str(experience.pk)


def test_an_analyst_reading_equality_answers_is_audited_and_sees_no_contact_details(
    world: World,
) -> None:
    person = _contact(world)
    experience = person.experiences.get()
    experience.equality = EqualityMonitoring.objects.create(sex="female")
    experience.save()

    _client(world, "bob").get(f"/staff/feedback/{experience.reference}/")

    assert list(AuditEvent.objects.values_list("action", "actor")) == [
        (VIEWED_EQUALITY, world.bob.pk)
    ]


def test_a_record_with_no_contact_details_or_equality_answers_logs_no_read(world: World) -> None:
    experience: Experience = make_experience(world.maternity)

    _client(world, "alice").get(f"/staff/feedback/{experience.reference}/")

    assert not AuditEvent.objects.exists()


IDENTITY = {
    "contact_email": "patient.experience@northdale.example.org",
    "contact_phone": "0113 496 0123",
    "data_controller": "Northdale Hospitals NHS Trust",
    "ico_registration": "Z1234567",
    "dpo_name": "Priya Shah",
    "dpo_email": "dpo@northdale.example.org",
    "lawful_basis": "Our public task of running NHS services.",
    "contact_retention_months": "18",
}


def test_an_organisation_admin_keeps_what_the_privacy_notice_says(world: World) -> None:
    client = _client(world, "charlie")

    response = client.post(f"/staff/privacy/organisations/{world.hospital.pk}/", IDENTITY)

    assert response.status_code == 302
    world.hospital.refresh_from_db()
    assert world.hospital.dpo_name == "Priya Shah"
    assert world.hospital.contact_retention_months == 18
    event = AuditEvent.objects.get(action=ORGANISATION_DETAILS_CHANGED)
    assert (event.actor, event.organisation) == (world.charlie, world.hospital)
    assert "lawful_basis" in event.detail["fields"]
    assert "Priya Shah" in client.get("/privacy/northdale-hospitals/").content.decode()


@pytest.mark.parametrize(
    ("months", "message"),
    [
        ("²", "Enter a whole number of months, like 24"),
        ("0", "Keep contact details for at least 1 month"),
        ("99999999999", "Keep contact details for at most 120 months"),
    ],
)
def test_a_retention_period_that_is_not_a_sensible_number_is_refused(
    world: World, months: str, message: str
) -> None:
    response = _client(world, "charlie").post(
        f"/staff/privacy/organisations/{world.hospital.pk}/",
        IDENTITY | {"contact_retention_months": months},
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    world.hospital.refresh_from_db()
    assert world.hospital.contact_retention_months == 24


@pytest.mark.parametrize(("persona", "status"), [("alice", 403), ("bob", 403), ("dana", 403)])
def test_other_roles_cannot_change_the_privacy_details(
    world: World, persona: str, status: int
) -> None:
    response = _client(world, persona).post(
        f"/staff/privacy/organisations/{world.hospital.pk}/", IDENTITY
    )

    assert response.status_code == status
    world.hospital.refresh_from_db()
    assert world.hospital.dpo_name == ""


def test_an_admin_cannot_change_another_organisations_privacy_details(world: World) -> None:
    response = _client(world, "charlie").post(
        f"/staff/privacy/organisations/{world.practice.pk}/", IDENTITY
    )

    assert response.status_code == 404
    world.practice.refresh_from_db()
    assert world.practice.dpo_name == ""


def test_searching_costs_the_same_queries_however_many_people_match(world: World) -> None:
    client = _client(world, "charlie")
    _contact(world)
    client.get("/staff/privacy/", {"q": "Grace"})  # warm the session and caches
    with CaptureQueriesContext(connection) as one:
        client.get("/staff/privacy/", {"q": "Grace"})
    for _ in range(5):
        _contact(world)

    with CaptureQueriesContext(connection) as six:
        response = client.get("/staff/privacy/", {"q": "Grace"})

    assert len(response.context["people"]) == 6
    assert len(six.captured_queries) == len(one.captured_queries)


def test_opening_a_person_is_a_read_of_their_contact_details_and_is_audited(world: World) -> None:
    person = _contact(world)

    _client(world, "charlie").get(f"/staff/privacy/people/{person.pk}/")

    event = AuditEvent.objects.get(action=VIEWED_CONTACT_DETAILS)
    assert (event.actor, event.organisation, event.subject_type, event.subject_id) == (
        world.charlie,
        world.hospital,
        "people.person",
        str(person.pk),
    )
