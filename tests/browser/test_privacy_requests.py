"""An organisation admin answers a privacy request: finds the person, records a withdrawal,
downloads what is held about them, and erases them after confirming."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from patientvoice.people.models import Person
from tests.browser.conftest import assert_accessible
from tests.conftest import World, make_experience

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_an_admin_finds_a_person_exports_their_record_and_erases_them(
    page: Page, world: World, javascript: bool
) -> None:
    experience = make_experience(
        world.maternity,
        may_contact=True,
        contact_name="Grace Okafor",
        contact_email="grace@example.org",
        contact_phone="0113 496 0555",
    )

    page.goto("/staff/sign-in/")
    assert_accessible(page)
    page.get_by_label("Username").fill("charlie")
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Feedback")
    assert_accessible(page)
    # The header's navigation offers the page (it may fold into "More" on a narrow window).
    expect(page.get_by_role("link", name="Privacy requests", include_hidden=True)).to_have_count(1)
    page.goto("/staff/privacy/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy requests")
    assert_accessible(page)

    page.get_by_role("button", name="Find person").click()
    expect(page).to_have_title("Error: Privacy requests – patientvoice")
    assert_accessible(page)
    page.get_by_label("Name, email address or phone number").fill("0113 4960555")
    page.get_by_role("button", name="Find person").click()
    expect(page.get_by_text("1 person found")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Grace Okafor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grace Okafor")
    expect(page.get_by_role("link", name=experience.reference)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Record withdrawal").click()
    expect(page.get_by_text("was withdrawn")).to_be_visible()
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download as JSON").click()
    record = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert record["email"] == "grace@example.org"
    assert record["consents"][0]["withdrawn_at"] is not None

    page.get_by_role("link", name="Erase this person's details").click()
    assert_accessible(page)
    page.get_by_role("button", name="Erase their details").click()
    expect(page).to_have_title("Error: Erase Grace Okafor – patientvoice")
    assert_accessible(page)
    page.get_by_label("I have checked this is the right person").check()
    page.get_by_role("button", name="Erase their details").click()
    expect(page.get_by_text("their comments are kept without them")).to_be_visible()
    assert_accessible(page)

    person = Person.objects.get(pk=record["id"])
    assert (person.full_name, person.email, person.phone) == ("", "", "")
