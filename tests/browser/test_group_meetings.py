"""A PPG's chair accepts a request to join, schedules a meeting with a paper, records the last
meeting's minutes with two actions, approves and publishes them; the public group page then shows
the next meeting and the minutes."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from patientvoice.involvement.models import Action, GroupMember, Meeting, Minutes
from tests.browser.conftest import assert_accessible
from tests.conftest import World
from tests.involvement.people import make_groups

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_ppg_chair_runs_a_meeting_cycle_and_the_public_page_shows_it(
    page: Page, world: World, settings: Any
) -> None:
    # The visitor below fills the form faster than a person would; the defences' timing check
    # has its own tests (tests/involvement/test_join_requests.py).
    settings.PATIENTVOICE_FORM_MIN_SECONDS = 0
    groups = make_groups(world)
    last_week = timezone.localtime(groups.last_week.starts_at)
    next_meeting = timezone.localdate() + datetime.timedelta(days=21)

    # A visitor asks to join from the group's public page.
    page.goto(world.ppg.get_absolute_url())
    assert_accessible(page)
    page.get_by_role("button", name=f"Ask to join {world.ppg.name}").click()
    assert_accessible(page)
    page.get_by_label("Full name").fill("Priya Shah")
    page.get_by_label("Email", exact=True).check()
    page.get_by_role("textbox", name="Email address").fill("priya@example.org")
    page.get_by_label("My email address").check()
    page.get_by_label("I agree that the organisation running the group").check()
    page.get_by_role("button", name="Send my request").click()
    expect(page).to_have_title("Request sent – patientvoice")
    assert_accessible(page)

    # The chair signs in (she has no staff role) and accepts the request.
    page.goto("/staff/groups/")
    assert_accessible(page)
    page.get_by_label("Username").fill("fay")
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your groups")
    assert_accessible(page)
    page.get_by_role("link", name=world.ppg.name).click()
    assert_accessible(page)
    page.get_by_role("link", name="Requests to join (1 waiting)").click()
    assert_accessible(page)
    page.get_by_role("link", name="Priya Shah").click()
    assert_accessible(page)
    page.get_by_label("Accept").check()
    page.get_by_label("Message to the person").fill("Welcome! We meet monthly.")
    page.get_by_role("button", name="Save the decision").click()
    expect(page.get_by_text("Priya Shah will be told by email")).to_be_visible()
    assert_accessible(page)

    # She schedules the next meeting and adds a paper to it.
    page.get_by_role("link", name=world.ppg.name).click()
    assert_accessible(page)
    page.get_by_role("link", name="Schedule a meeting").click()
    assert_accessible(page)
    page.get_by_label("Day").fill(str(next_meeting.day))
    page.get_by_label("Month").fill(str(next_meeting.month))
    page.get_by_label("Year").fill(str(next_meeting.year))
    page.get_by_label("Start time").fill("18:30")
    page.get_by_label("Place").fill("Oak Lane Surgery, first-floor meeting room")
    page.get_by_label("Agenda").fill("Minutes of the last meeting\nPhone access survey")
    page.get_by_role("button", name="Schedule the meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Meeting on {next_meeting:%-d %B %Y}"
    )
    assert_accessible(page)
    page.get_by_role("link", name="Add a paper").click()
    assert_accessible(page)
    page.get_by_label("Title").fill("Phone access survey results")
    page.get_by_label("File").set_input_files(
        {"name": "survey.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 results"}
    )
    page.get_by_role("button", name="Upload the paper").click()
    expect(page.get_by_role("link", name="Phone access survey results")).to_be_visible()
    assert_accessible(page)

    # She records last month's minutes with a decision and two actions.
    page.get_by_role("link", name=world.ppg.name).click()
    assert_accessible(page)
    last_month = timezone.localtime(groups.last_month.starts_at)
    page.get_by_role("link", name=re.compile(f"^{last_month:%-d %B %Y}")).click()
    assert_accessible(page)
    page.get_by_role("link", name="Record the minutes").click()
    assert_accessible(page)
    page.get_by_label("Present and apologies").fill("Fay Hughes (chair), Gina Patel, Dana Ward")
    page.get_by_label("What was discussed").fill("Getting through on the phone at 8am.")
    page.get_by_role("button", name="Start the minutes").click()
    assert_accessible(page)
    page.get_by_label("Decision").fill("Ask the practice to publish call waiting times.")
    page.get_by_role("button", name="Add the decision").click()
    assert_accessible(page)
    for description, owner in [
        ("Write to the practice manager about call waiting times", "Fay Hughes"),
        ("Run a waiting-room survey on phone access", "Gina Patel"),
    ]:
        page.get_by_label("Action", exact=True).fill(description)
        page.get_by_label("Who will do it").fill(owner)
        page.get_by_role("button", name="Add the action").click()
        expect(page.get_by_role("cell", name=description)).to_be_visible()
        assert_accessible(page)

    # Approved at last week's meeting, then published.
    page.get_by_label(f"{last_week:%-d %B %Y}").check()
    page.get_by_role("button", name="Approve the minutes").click()
    expect(page.get_by_text("Minutes approved")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Publish the minutes").click()
    expect(page.get_by_text("Minutes published on the group's page")).to_be_visible()
    assert_accessible(page)

    # The public page shows the next meeting and the minutes.
    page.goto(world.ppg.get_absolute_url())
    expect(page.get_by_text("Oak Lane Surgery, first-floor meeting room")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=f"Minutes of the meeting on {last_month:%-d %B %Y}").click()
    expect(page.get_by_text("Ask the practice to publish call waiting times.")).to_be_visible()
    expect(
        page.get_by_role("cell", name="Run a waiting-room survey on phone access")
    ).to_be_visible()
    assert_accessible(page)

    minutes = Minutes.objects.get(meeting=groups.last_month)
    assert minutes.status == Minutes.Status.PUBLISHED
    assert minutes.approved_at_meeting == groups.last_week
    assert Action.objects.filter(raised_in=minutes).count() == 2
    assert GroupMember.objects.filter(group=world.ppg, person__full_name="Priya Shah").exists()
    assert Meeting.objects.get(group=groups.ppg, starts_at__gt=timezone.now()).papers.count() == 1
