"""Someone reading about a group asks to hear from it, forgets their email address on the form,
adds it, and is stored as a person with the consent they gave."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from patientvoice.people.models import ConsentRecord, Person
from tests.browser.conftest import assert_accessible
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_asks_to_hear_from_a_group_and_corrects_a_missing_email_address(
    page: Page, world: World
) -> None:
    page.goto(world.ppg.get_absolute_url())
    assert_accessible(page)

    page.get_by_role("link", name=f"Ask to hear from {world.ppg.name}").click()
    expect(page).to_have_title("Get involved – patientvoice")
    expect(page.get_by_label(world.ppg.name)).to_be_checked()
    assert_accessible(page)

    page.get_by_label("Full name").fill("Priya Shah")
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Maternity and neonatal care").check()
    page.get_by_label("Do you have any access needs?").fill("Large print, please.")
    page.get_by_label("I agree that you may keep these details").check()
    page.get_by_role("button", name="Send my details").click()

    expect(page).to_have_title(re.compile(r"^Error: Get involved"))
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    assert_accessible(page)
    summary.get_by_role("link", name="Enter an email address so we can contact you").click()
    expect(page.get_by_label("Email address")).to_be_focused()

    page.get_by_label("Email address").fill("priya@example.org")
    page.get_by_label("I agree that you may keep these details").check()
    page.get_by_role("button", name="Send my details").click()
    expect(page).to_have_title("Thank you for getting involved – patientvoice")
    assert_accessible(page)

    person = Person.objects.get()
    assert (person.full_name, person.preferred_contact, person.email) == (
        "Priya Shah",
        Person.ContactMethod.EMAIL,
        "priya@example.org",
    )
    assert person.interests == ["maternity"]
    assert person.access_needs == "Large print, please."
    assert list(person.groups_of_interest.all()) == [world.ppg]
    assert set(person.consents.values_list("purpose", flat=True)) == {
        ConsentRecord.Purpose.INVOLVEMENT_CONTACT,
        ConsentRecord.Purpose.GROUP_CONTACT,
    }
