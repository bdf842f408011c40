"""Meetings, minutes and the action log: drafted, approved at a later meeting, published, and
never changed after."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from patientvoice.involvement import services
from patientvoice.involvement.models import (
    Action,
    Decision,
    Meeting,
    Minutes,
    MinutesChangedAfterPublication,
)
from tests.conftest import World
from tests.involvement.people import Groups, client_as, make_groups


@pytest.fixture
def groups(world: World) -> Groups:
    return make_groups(world)


def published(groups: Groups) -> Minutes:
    minutes = services.start_minutes(groups.last_month, groups.fay)
    services.save_minutes_text(minutes, groups.fay, attendance="Fay, Gina", discussion="Phones")
    services.add_decision(minutes, "Ask the practice to publish call waiting times.")
    services.add_action(minutes, description="Write to the manager", owner="Fay", due_on=None)
    services.approve_minutes(minutes, groups.fay, groups.last_week)
    return services.publish_minutes(minutes, groups.fay)


def test_published_minutes_cannot_change(groups: Groups) -> None:
    minutes = published(groups)

    minutes.discussion = "Something else"
    with pytest.raises(MinutesChangedAfterPublication):
        minutes.save()
    with pytest.raises(MinutesChangedAfterPublication):
        Decision.objects.create(minutes=minutes, text="Added later")
    with pytest.raises(MinutesChangedAfterPublication):
        Action.objects.create(
            group=groups.ppg, raised_in=minutes, description="Added later", owner="Gina"
        )
    with pytest.raises(MinutesChangedAfterPublication):
        minutes.delete()
    with pytest.raises(ValidationError):
        services.add_decision(minutes, "Added later")
    stored = Minutes.objects.get(pk=minutes.pk)
    assert stored.discussion == "Phones"
    assert stored.record["decisions"] == ["Ask the practice to publish call waiting times."]


def test_a_correction_is_a_new_version_and_the_first_stays_as_published(
    client: Client, groups: Groups
) -> None:
    first = published(groups)

    correction = services.correct_minutes(first, groups.fay)
    services.save_minutes_text(
        correction, groups.fay, attendance="Fay, Gina, Ivy", discussion="Phones"
    )
    services.approve_minutes(correction, groups.fay, groups.last_week)
    services.publish_minutes(correction, groups.fay)

    assert (correction.version, correction.corrects) == (2, first)
    assert Minutes.objects.get(pk=first.pk).record["attendance"] == "Fay, Gina"
    assert list(services.published_minutes(groups.ppg)) == [correction]
    old_page = client.get(reverse("involvement:minutes", args=[groups.ppg.slug, first.pk]))
    assert "Read the corrected version" in old_page.content.decode()


def test_minutes_are_approved_only_at_a_later_meeting_that_has_begun(groups: Groups) -> None:
    minutes = services.start_minutes(groups.last_week, groups.fay)
    future = Meeting.objects.create(
        group=groups.ppg, starts_at=timezone.now() + datetime.timedelta(days=20), place="Surgery"
    )

    for meeting in (groups.last_month, groups.last_week, future):
        with pytest.raises(ValidationError):
            services.approve_minutes(minutes, groups.fay, meeting)
    with pytest.raises(ValidationError):
        services.publish_minutes(minutes, groups.fay)  # not approved yet


def test_an_open_action_is_carried_forward_until_it_is_done(groups: Groups) -> None:
    minutes = services.start_minutes(groups.last_month, groups.fay)
    action = services.add_action(minutes, description="Survey", owner="Gina", due_on=None)
    next_month = Meeting.objects.create(
        group=groups.ppg, starts_at=timezone.now() + datetime.timedelta(days=25), place="Surgery"
    )

    assert list(services.carried_forward(groups.last_week)) == [action]
    services.update_action(action, Action.Status.DONE)

    # Done after last week's meeting began: it was still open there, and is not carried on.
    assert list(services.carried_forward(groups.last_week)) == [action]
    assert list(services.carried_forward(next_month)) == []


def test_publishing_freezes_the_action_log_as_it_stood(groups: Groups) -> None:
    minutes = published(groups)
    action = minutes.actions.get()

    services.update_action(action, Action.Status.DONE)

    assert Minutes.objects.get(pk=minutes.pk).record["actions"][0]["status"] == "Open"


def test_a_member_who_is_not_chair_or_secretary_cannot_publish(
    world: World, groups: Groups
) -> None:
    minutes = services.start_minutes(groups.last_month, groups.fay)
    services.approve_minutes(minutes, groups.fay, groups.last_week)

    for persona in ("gina", "dana"):
        response = client_as(world, groups, persona).post(
            reverse("staff:group_minutes_publish", args=[minutes.pk])
        )
        assert response.status_code == 403
    hal = client_as(world, groups, "hal").post(
        reverse("staff:group_minutes_publish", args=[minutes.pk])
    )
    assert hal.status_code == 404
    assert Minutes.objects.get(pk=minutes.pk).status == "approved"


def test_the_public_group_page_shows_next_meetings_and_published_minutes_only(
    client: Client, groups: Groups
) -> None:
    minutes = published(groups)
    services.start_minutes(groups.last_week, groups.fay)  # a draft: not shown
    services.schedule_meeting(
        groups.ppg,
        groups.fay,
        starts_at=timezone.now() + datetime.timedelta(days=9),
        place="Oak Lane Surgery, upstairs",
        online_link="",
        agenda=["Phones"],
    )

    html = client.get(groups.ppg.get_absolute_url()).content.decode()

    assert "Next meetings" in html and "Oak Lane Surgery, upstairs" in html
    assert reverse("involvement:minutes", args=[groups.ppg.slug, minutes.pk]) in html
    assert html.count("Minutes of the meeting on") == 1
    page = client.get(reverse("involvement:minutes", args=[groups.ppg.slug, minutes.pk]))
    assert "Ask the practice to publish call waiting times." in page.content.decode()


def test_a_group_with_no_meetings_shows_no_empty_headings(client: Client, world: World) -> None:
    html = client.get(world.ppg.get_absolute_url()).content.decode()

    assert "Next meetings" not in html and "<h2>Minutes</h2>" not in html


def test_draft_minutes_have_no_public_page(client: Client, groups: Groups) -> None:
    minutes = services.start_minutes(groups.last_month, groups.fay)

    response = client.get(reverse("involvement:minutes", args=[groups.ppg.slug, minutes.pk]))

    assert response.status_code == 404


def test_a_paper_is_stored_and_served_to_members_only(world: World, groups: Groups) -> None:
    fay = client_as(world, groups, "fay")
    upload = SimpleUploadedFile("access survey.pdf", b"%PDF-1.4 results", "application/pdf")

    fay.post(
        reverse("staff:group_paper_new", args=[groups.last_month.pk]),
        {"title": "Access survey", "file": upload},
    )
    paper = groups.last_month.papers.get()
    response = client_as(world, groups, "gina").get(reverse("staff:group_paper", args=[paper.pk]))

    assert "access survey" not in paper.file.name  # a random stored name
    assert b"".join(response.streaming_content) == b"%PDF-1.4 results"  # type: ignore[attr-defined]
    assert "access survey.pdf" in response["Content-Disposition"]


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _add_meetings(groups: Groups, count: int, *, future: bool) -> None:
    sign = 1 if future else -1
    for n in range(count):
        meeting = Meeting.objects.create(
            group=groups.ppg,
            starts_at=timezone.now() + sign * datetime.timedelta(days=60 + n),
            place="Surgery",
        )
        minutes = services.start_minutes(meeting, groups.fay)
        services.add_action(minutes, description=f"Action {n}", owner="Fay", due_on=None)
        if not future:
            # Straight to published (an update, as a migration would): the lifecycle is tested
            # above, this fills the page.
            Minutes.objects.filter(pk=minutes.pk).update(
                status="published", published_at=timezone.now(), record={"decisions": []}
            )


def test_the_workspace_and_public_lists_take_the_same_queries_for_many_meetings(
    world: World, groups: Groups, client: Client
) -> None:
    fay = client_as(world, groups, "fay")
    home = reverse("staff:group_home", args=[groups.ppg.slug])
    _add_meetings(groups, 1, future=False)
    _add_meetings(groups, 1, future=True)
    few = (_queries(fay, home), _queries(client, groups.ppg.get_absolute_url()))

    _add_meetings(groups, 10, future=False)
    _add_meetings(groups, 10, future=True)
    many = (_queries(fay, home), _queries(client, groups.ppg.get_absolute_url()))

    assert many == few


def test_the_meeting_and_minutes_pages_take_the_same_queries_for_many_items(
    world: World, groups: Groups
) -> None:
    fay = client_as(world, groups, "fay")
    minutes = services.start_minutes(groups.last_week, groups.fay)
    earlier = services.start_minutes(groups.last_month, groups.fay)
    pages = [
        reverse("staff:group_meeting", args=[groups.last_week.pk]),
        reverse("staff:group_minutes", args=[groups.last_week.pk]),
    ]

    def add(n: int) -> None:
        services.add_decision(minutes, f"Decision {n}")
        services.add_action(minutes, description=f"New {n}", owner="Gina", due_on=None)
        services.add_action(earlier, description=f"Carried {n}", owner="Gina", due_on=None)

    add(0)
    few = [_queries(fay, url) for url in pages]
    for n in range(1, 10):
        add(n)
    many = [_queries(fay, url) for url in pages]

    assert many == few


def test_a_paper_that_is_not_a_document_is_refused(world: World, groups: Groups) -> None:
    upload = SimpleUploadedFile("agenda.html", b"<script>alert(1)</script>", "text/html")

    response = client_as(world, groups, "fay").post(
        reverse("staff:group_paper_new", args=[groups.last_month.pk]),
        {"title": "Agenda", "file": upload},
    )

    assert response.status_code == 200
    assert "must be a PDF" in response.content.decode()
    assert not groups.last_month.papers.exists()
