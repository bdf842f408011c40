"""A patient finds the service they used, makes a mistake on the form, corrects it, and is given
a reference number; the same journey also works with JavaScript switched off."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from patientvoice.feedback.models import Experience, Rating
from tests.browser.conftest import assert_accessible
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GOOD = "The midwives were calm and kind all night."
BETTER = "Nobody told us where to park."
REFERENCE = re.compile(r"PV-[0-9A-Z]{5}-[0-9A-Z]{5}")


def choose_maternity_by_searching(page: Page) -> None:
    page.goto("/")
    assert_accessible(page)
    page.get_by_role("main").get_by_role("link", name="Share your experience").click()
    expect(page).to_have_title("Share your experience – patientvoice")
    assert_accessible(page)

    page.get_by_label("Which service was it?").fill("maternity")
    page.get_by_role("button", name="Find the service").click()
    expect(page.get_by_role("heading", name="1 service found")).to_be_visible()
    assert_accessible(page)

    # Chromium puts a space before the visually hidden ", Northdale Hospitals" (it is
    # absolutely positioned, so a block); what matters is that the organisation is in the name.
    page.get_by_role("link", name=re.compile(r"^Maternity unit\W+Northdale Hospitals$")).click()
    expect(page).to_have_title("Share your experience of Maternity unit – patientvoice")
    assert_accessible(page)


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_a_patient_corrects_a_missing_answer_and_gets_a_reference_number(
    page: Page, world: World, javascript: bool, settings: Any
) -> None:
    # A person takes longer than the form's minimum time; a test browser need not, and nothing
    # else a real browser sends (the signed token, the empty honeypot) may hold the answer back.
    settings.PATIENTVOICE_FORM_MIN_SECONDS = 0
    choose_maternity_by_searching(page)

    # Everything but the one required question a person is most likely to skip.
    page.get_by_label("What was good?").fill(GOOD)
    page.get_by_label("What could be better?").fill(BETTER)
    page.get_by_label("The patient").check()
    page.get_by_role("button", name="Send your feedback").click()

    expect(page).to_have_title(re.compile(r"^Error: Share your experience"))
    summary = page.locator(".nhsuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    if javascript:
        # The NHS.UK script moves focus to the summary so a screen reader announces it first.
        expect(summary).to_be_focused()
    expect(page.get_by_label("What was good?")).to_have_value(GOOD)
    assert_accessible(page)

    summary.get_by_role("link", name="Select how your experience was overall").click()
    expect(page.get_by_label("Very good")).to_be_focused()
    assert Experience.objects.count() == 0

    page.get_by_label("Good", exact=True).check()
    page.get_by_role("button", name="Send your feedback").click()

    expect(page).to_have_title("Thank you for your feedback – patientvoice")
    panel = page.locator(".nhsuk-panel__body")
    expect(panel).to_have_text(re.compile(r"^\s*Your reference number\s*PV-"))
    reference = panel.get_by_role("strong").inner_text()
    assert REFERENCE.fullmatch(reference), reference
    assert_accessible(page)

    experience = Experience.objects.get()
    assert experience.reference == reference
    assert experience.service == world.maternity
    assert experience.rating == Rating.GOOD
    assert experience.respondent == Experience.Respondent.PATIENT
    assert experience.channel == Experience.Channel.WEB
    assert experience.consent_method == Experience.ConsentMethod.ONLINE
    assert experience.status == Experience.Status.COUNTED
    assert dict(experience.comments.values_list("question", "text")) == {
        "what_was_good": GOOD,
        "could_be_better": BETTER,
    }


def test_the_date_a_patient_types_is_stored(page: Page, world: World) -> None:
    last_week = datetime.date.today() - datetime.timedelta(days=7)  # noqa: DTZ011 (the form's own rule)
    page.goto(f"/share/services/{world.maternity.slug}/")
    assert_accessible(page)

    page.get_by_label("Very good").check()
    page.get_by_label("Day").fill(str(last_week.day))
    page.get_by_label("Month").fill(str(last_week.month))
    page.get_by_label("Year").fill(str(last_week.year))
    page.get_by_label("The patient").check()
    page.get_by_role("button", name="Send your feedback").click()
    expect(page).to_have_title("Thank you for your feedback – patientvoice")
    assert_accessible(page)

    assert Experience.objects.get().happened_on == last_week


def test_moving_through_the_form_by_keyboard_never_reaches_the_field_left_for_bots(
    page: Page, world: World
) -> None:
    page.goto(f"/share/services/{world.maternity.slug}/")
    assert_accessible(page)
    page.get_by_label("The first part of your postcode").focus()

    page.keyboard.press("Tab")

    # The honeypot sits between the last question and the button, out of the tab order.
    expect(page.get_by_role("button", name="Send your feedback")).to_be_focused()
    expect(page.locator("#id_website")).not_to_be_in_viewport()
