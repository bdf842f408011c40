"""An officer signs in, narrows the feedback list with a filter, opens a record, signs out."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from patientvoice.feedback.models import Rating
from tests.browser.conftest import assert_accessible
from tests.conftest import World, make_experience

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_signs_in_filters_the_feedback_and_opens_a_record(
    page: Page, world: World
) -> None:
    make_experience(world.maternity, rating=Rating.VERY_GOOD)
    poor = make_experience(
        world.maternity,
        rating=Rating.POOR,
        what_was_good="",
        could_be_better="The ward was too hot at night.",
        channel="phone",
        consent_method="verbal",
    )
    # Another organisation's record: Alice must never see it, filtered or not.
    make_experience(world.appointments, rating=Rating.POOR)

    page.goto("/")
    assert_accessible(page)
    page.get_by_role("link", name="Staff sign in").click()
    expect(page).to_have_title("Staff sign in – patientvoice")
    assert_accessible(page)

    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("not her password")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_title("Error: Staff sign in – patientvoice")
    assert_accessible(page)

    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Feedback")
    expect(page.get_by_text("2 records", exact=True)).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Rating").select_option(label="Poor")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("1 record", exact=True)).to_be_visible()
    expect(page.get_by_label("Rating")).to_have_value(str(Rating.POOR))
    assert_accessible(page)

    page.get_by_role("link", name=poor.reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Feedback {poor.reference}")
    expect(page.get_by_text("The ward was too hot at night.")).to_be_visible()
    expect(page.get_by_text("Phone call")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Sign out").click()
    assert_accessible(page)
    page.get_by_role("main").get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Staff sign in")).to_be_visible()
    assert_accessible(page)
