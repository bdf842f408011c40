"""A PPG member who holds a lay seat on the council's health scrutiny committee reports back
after its meeting, and the report appears on the group's public page."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import Page, expect

from patientvoice.involvement import services
from patientvoice.involvement.models import GroupMember, ReportBack
from tests.browser.conftest import assert_accessible
from tests.conftest import World
from tests.involvement.people import make_groups

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_seat_holder_reports_back_after_a_committee_meeting(page: Page, world: World) -> None:
    groups = make_groups(world)
    services.add_seat(
        groups.ppg,
        committee="Health Scrutiny Committee",
        body="Kirkby Moor Borough Council",
        holder=GroupMember.objects.get(person__user=groups.gina),
        term_start=datetime.date(2026, 4, 1),
        term_end=None,
        appointing_body="Kirkby Moor Borough Council",
    )

    page.goto("/staff/groups/")
    assert_accessible(page)
    page.get_by_label("Username").fill("gina")
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Sign in").click()
    assert_accessible(page)
    page.get_by_role("link", name=world.ppg.name).click()
    assert_accessible(page)
    page.get_by_role("link", name="Committee seats").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Committee seats")
    assert_accessible(page)
    page.get_by_role("link", name="Report back from Health Scrutiny Committee").click()
    assert_accessible(page)

    page.get_by_role("button", name="Send the report").click()  # empty: errors, then fixed
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Day").fill("18")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("What was discussed").fill("Winter pressures on GP appointments.")
    page.get_by_label("What you said for patients").fill(
        "Patients cannot get through on the phone at 8am."
    )
    page.get_by_label("What was decided").fill("The ICB will report on call waiting times.")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_text("Thank you: your report is on the group's page")).to_be_visible()
    assert_accessible(page)

    page.goto(world.ppg.get_absolute_url())
    expect(page.get_by_text("Patients cannot get through on the phone at 8am.")).to_be_visible()
    assert_accessible(page)
    assert ReportBack.objects.get().written_by == groups.gina
