"""The privacy notices and accessibility statement name who is responsible and how to reach them."""

from typing import Any

from django.test import Client

from tests.conftest import World, make_experience


def _give_identity(world: World) -> None:
    hospital = world.hospital
    hospital.contact_email = "patient.experience@northdale.example.org"
    hospital.contact_phone = "0113 496 0123"
    hospital.data_controller = "Northdale Hospitals NHS Trust"
    hospital.ico_registration = "Z1234567"
    hospital.dpo_name = "Priya Shah"
    hospital.dpo_email = "dpo@northdale.example.org"
    hospital.lawful_basis = "We use your details for our public task of running NHS services."
    hospital.contact_retention_months = 18
    hospital.save()


def test_an_organisation_notice_names_its_controller_officer_basis_and_retention(
    client: Client, world: World
) -> None:
    _give_identity(world)

    page = client.get("/privacy/northdale-hospitals/").content.decode()

    assert "Northdale Hospitals NHS Trust" in page
    assert "Z1234567" in page
    assert "Priya Shah, dpo@northdale.example.org" in page
    assert "public task of running NHS services" in page
    assert "18 months after we last heard from you" in page
    assert "Contact Northdale Hospitals at patient.experience@northdale.example.org or 0113" in page


def test_an_organisation_without_a_lawful_basis_says_so_rather_than_inventing_one(
    client: Client, world: World
) -> None:
    page = client.get("/privacy/oak-lane/").content.decode()

    assert "has not published its lawful basis here" in page
    assert "Contact Oak Lane Surgery directly" in page


def test_the_site_notice_names_the_operator_from_settings_and_lists_organisation_notices(
    client: Client, world: World, settings: Any
) -> None:
    settings.PATIENTVOICE_OPERATOR_NAME = "NHS Northdale Integrated Care Board"
    settings.PATIENTVOICE_OPERATOR_EMAIL = "involve@northdale-icb.example.org"
    settings.PATIENTVOICE_CONTACT_RETENTION_MONTHS = 30
    _give_identity(world)

    page = client.get("/privacy/").content.decode()

    assert "This site is run by NHS Northdale Integrated Care Board." in page
    assert "involve@northdale-icb.example.org" in page
    assert 'href="/privacy/northdale-hospitals/"' in page
    assert 'href="/privacy/oak-lane/"' not in page  # it has recorded nothing
    assert "deleted after 30 months with no contact" in page


def test_an_operator_organisation_lends_its_recorded_identity_to_the_site(
    client: Client, world: World, settings: Any
) -> None:
    settings.PATIENTVOICE_OPERATOR_ORGANISATION = "northdale-hospitals"
    settings.PATIENTVOICE_OPERATOR_EMAIL = "unused@example.org"
    _give_identity(world)

    page = client.get("/accessibility/").content.decode()

    assert "This site is run by Northdale Hospitals." in page
    assert "patient.experience@northdale.example.org" in page
    assert "unused@example.org" not in page
    assert "the organisation that runs this site" not in page


def test_the_thank_you_page_says_how_to_reach_the_organisation_and_links_its_notice(
    client: Client, world: World
) -> None:
    _give_identity(world)
    experience = make_experience(world.maternity)

    response = client.get(f"/share/thank-you/{experience.reference}/")

    page = response.content.decode()
    assert "Contact Northdale Hospitals at patient.experience@northdale.example.org" in page
    assert 'href="/privacy/northdale-hospitals/"' in page


def test_an_unknown_organisation_has_no_notice(client: Client, world: World) -> None:
    assert client.get("/privacy/no-such-organisation/").status_code == 404


def test_the_get_involved_thank_you_page_says_how_to_reach_the_operator(
    client: Client, world: World, settings: Any
) -> None:
    settings.PATIENTVOICE_OPERATOR_NAME = "Healthwatch Northdale"
    settings.PATIENTVOICE_OPERATOR_PHONE = "0113 496 0999"

    page = client.get("/get-involved/thank-you/").content.decode()

    assert "Contact Healthwatch Northdale at 0113 496 0999." in page
    assert "the organisation that runs this site" not in page


def test_the_privacy_notice_says_a_scrambled_code_of_the_address_is_kept(
    client: Client, world: World
) -> None:
    html = client.get("/privacy/").content.decode()

    assert "scrambled code made from your device" in html
