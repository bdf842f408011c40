"""A report's journey in Chromium: Alice drafts it with a live figure and a recommendation,
Charlie signs it off, Alice issues it, Frank answers for the surgery, Alice publishes it, and a
visitor reads it with the response. Every page is checked by axe."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from patientvoice.influence.models import Report
from tests.browser.conftest import assert_accessible
from tests.conftest import World, make_experience
from tests.influence.helpers import responder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, username: str) -> None:
    page.goto("/staff/sign-in/")
    assert_accessible(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Sign in").click()
    assert_accessible(page)


def sign_out(page: Page) -> None:
    # The header folds a long staff menu behind "More" on narrow screens: end the session
    # directly rather than depend on the menu's layout.
    page.context.clear_cookies()


def test_a_report_is_drafted_signed_off_issued_answered_and_published(
    page: Page, world: World
) -> None:
    for rating in (1, 1, 2, 2, 2, 3, 4, 4, 5, 5):
        make_experience(world.maternity, rating=rating)
    frank = responder(world)
    frank.set_password("password")
    frank.save()
    month = f"{timezone.localdate():%Y-%m}"

    sign_in(page, "alice")
    page.get_by_role("link", name="Reports", exact=True).click()
    assert_accessible(page)
    page.get_by_role("button", name="Draft a report").click()
    assert_accessible(page)
    page.get_by_role("button", name="Save the draft").click()
    assert_accessible(page)
    expect(page).to_have_title("Error: Draft a report – patientvoice")
    assert_accessible(page)
    page.get_by_label("Title").fill("Maternity care in Northdale")
    page.get_by_label("Maternity unit, Northdale Hospitals").check()
    page.get_by_label("First month").fill(month)
    page.get_by_label("Last month").fill(month)
    page.get_by_role("button", name="Save the draft").click()
    assert_accessible(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Maternity care in Northdale")

    page.get_by_role("link", name="Add a finding").click()
    assert_accessible(page)
    page.get_by_label("Finding").fill("Most families were positive")
    page.get_by_label("What we found").fill("Kindness stood out.")
    page.get_by_role("button", name="Add the finding").click()
    assert_accessible(page)
    page.get_by_role("link", name="a figure to Most families were positive").click()
    assert_accessible(page)
    page.get_by_label("% positive, with its interval and monthly chart").check()
    page.get_by_role("button", name="Add to the finding").click()
    assert_accessible(page)
    expect(page.get_by_text("rated their experience very good or good")).to_be_visible()
    page.get_by_role("link", name="Add a recommendation").click()
    assert_accessible(page)
    page.get_by_label("Recommendation").fill("Offer evening appointments.")
    page.get_by_label("Addressed to").select_option(label="Oak Lane Surgery")
    page.get_by_role("button", name="Add the recommendation").click()
    assert_accessible(page)
    report_url = page.url
    sign_out(page)

    sign_in(page, "charlie")
    page.goto(report_url)
    assert_accessible(page)
    page.get_by_role("button", name="Sign off the report").click()
    assert_accessible(page)
    expect(page.get_by_text("Report signed off")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    sign_in(page, "alice")
    page.goto(report_url)
    assert_accessible(page)
    page.get_by_role("button", name="Issue the report").click()
    assert_accessible(page)
    expect(page.get_by_text("Responses due")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    sign_in(page, "frank")
    page.goto(report_url)
    assert_accessible(page)
    page.get_by_role("link", name="Respond to recommendation 1").click()
    assert_accessible(page)
    page.get_by_label("Partly accepted").check()
    page.get_by_label("Reasons").fill("Evenings twice a week.")
    page.get_by_label("Planned actions").fill("From May, on Tuesdays and Thursdays.")
    page.get_by_role("button", name="Send the response").click()
    assert_accessible(page)
    expect(page.get_by_text("Response from Oak Lane Surgery: Partly accepted")).to_be_visible()
    sign_out(page)

    sign_in(page, "alice")
    page.goto(report_url)
    assert_accessible(page)
    page.get_by_role("button", name="Publish the report").click()
    assert_accessible(page)
    sign_out(page)

    report = Report.objects.get()
    page.goto("/reports/")
    assert_accessible(page)
    page.get_by_role("link", name="Maternity care in Northdale").click()
    assert_accessible(page)
    expect(page.get_by_text("Evenings twice a week.")).to_be_visible()
    expect(page.get_by_role("link", name="Download this report as a PDF")).to_have_attribute(
        "href", f"/reports/{report.pk}/report.pdf"
    )
    assert_accessible(page)
