"""A member of the public finds their local patient group and reads how to join it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_finds_their_group_by_postcode_and_kind_reads_how_to_join_and_its_services(
    page: Page, world: World
) -> None:
    world.ppg.contact_email = "ppg@oaklane.example.org"
    world.ppg.save()
    page.goto("/")
    assert_accessible(page)

    page.get_by_role("main").get_by_role("link", name="Find your local group").click()
    expect(page).to_have_title("Find your local group – patientvoice")
    assert_accessible(page)

    page.get_by_label("Group name, town, postcode or GP practice").fill("ND4 7QP")
    page.get_by_label("Kind of group").select_option(label="Patient participation group")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 group found")).to_be_visible()
    expect(page.get_by_text("How to join: Anyone can join")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=world.ppg.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(world.ppg.name)
    expect(page.get_by_text("First Wednesday of the month")).to_be_visible()
    expect(page.get_by_text("Oak Lane Surgery (GP practice)")).to_be_visible()
    expect(page.get_by_role("link", name="ppg@oaklane.example.org")).to_have_attribute(
        "href", "mailto:ppg@oaklane.example.org"
    )
    assert_accessible(page)

    page.get_by_role("link", name=world.appointments.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(world.appointments.name)
    # Arial, the NHS.UK fallback: not the browser's default serif.
    font = page.locator("body").evaluate("e => getComputedStyle(e).fontFamily")
    assert font.lower().startswith("arial"), font
    assert_accessible(page)


def test_a_search_that_finds_nothing_says_what_to_try_instead(page: Page, world: World) -> None:
    page.goto("/groups/")
    assert_accessible(page)

    page.get_by_label("Group name, town, postcode or GP practice").fill("Atlantis")
    page.get_by_role("button", name="Search").click()

    expect(page.get_by_role("heading", name="0 groups found")).to_be_visible()
    expect(page.get_by_text("Try the name of your town")).to_be_visible()
    assert_accessible(page)
