import time
from typing import Any

from django.test import Client

from patientvoice.defences import issue_form_token
from patientvoice.people.models import ConsentRecord, Person
from tests.conftest import World


def form(**overrides: Any) -> dict[str, Any]:
    """As a person sends it: the page fetched a minute ago, the honeypot left empty."""
    data: dict[str, Any] = {
        "submission_token": issue_form_token(rendered_at=time.time() - 60),
        "website": "",
        "full_name": "Priya Shah",
        "preferred_contact": "email",
        "email": "priya@example.org",
        "interests": ["maternity", "gp"],
        "groups": ["oak-lane-ppg"],
        "access_needs": "Step-free access, please.",
        "consent": "on",
    }
    data.update(overrides)
    return data


def test_a_person_is_stored_with_their_interests_groups_and_consent(
    client: Client, world: World
) -> None:
    response = client.post("/get-involved/", form())

    assert response["Location"] == "/get-involved/thank-you/"
    person = Person.objects.get()
    assert person.interests == ["maternity", "gp"]
    assert list(person.groups_of_interest.all()) == [world.ppg]
    assert person.access_needs == "Step-free access, please."
    purposes = set(ConsentRecord.objects.values_list("purpose", flat=True))
    assert purposes == {"involvement_contact", "group_contact"}
    assert all(c.version and c.given_at for c in ConsentRecord.objects.all())


def test_consent_is_required(client: Client, world: World) -> None:
    response = client.post("/get-involved/", form(consent=""))

    assert "You must agree before we can keep your details" in response.content.decode()
    assert Person.objects.count() == 0


def test_the_chosen_contact_method_needs_its_details(client: Client, world: World) -> None:
    response = client.post("/get-involved/", form(preferred_contact="post"))

    assert "Enter an address so we can contact you that way" in response.content.decode()
    assert 'href="#id_postal_address"' in response.content.decode()
    assert Person.objects.count() == 0


def test_a_group_page_link_preselects_that_group(client: Client, world: World) -> None:
    page = client.get("/get-involved/", {"group": "oak-lane-ppg"}).content.decode()

    assert 'value="oak-lane-ppg" checked' in page


def test_a_double_submit_stores_one_person(client: Client, world: World) -> None:
    sent = form()

    first = client.post("/get-involved/", sent)
    second = client.post("/get-involved/", sent)

    assert first["Location"] == second["Location"] == "/get-involved/thank-you/"
    assert Person.objects.count() == 1
    assert ConsentRecord.objects.count() == 2


def test_a_sign_up_that_looks_automated_is_stored_with_the_reason_and_thanked(
    client: Client, world: World
) -> None:
    response = client.post("/get-involved/", form(website="https://spam.example"))

    assert response["Location"] == "/get-involved/thank-you/"
    assert Person.objects.get().held_back_reason == "honeypot"


def test_a_flood_of_sign_ups_from_one_address_is_refused(
    client: Client, world: World, settings: Any
) -> None:
    settings.PATIENTVOICE_RATELIMIT = {
        "client_hold": "2/10m",
        "client_refuse": "3/10m",
        "scope_hold": "100/h",
    }

    answers = [client.post("/get-involved/", form()).status_code for _ in range(4)]

    assert answers == [302, 302, 302, 429]
    assert list(Person.objects.order_by("pk").values_list("held_back_reason", flat=True)) == [
        "",
        "",
        "busy_client",
    ]
