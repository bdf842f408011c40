"""Committee seats: the holder reports back after a committee meeting, and reports roll up on
the group's public page."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from patientvoice.involvement import services
from patientvoice.involvement.models import CommitteeSeat, GroupMember, ReportBack
from tests.conftest import World
from tests.involvement.people import Groups, client_as, make_groups, member


@pytest.fixture
def groups(world: World) -> Groups:
    return make_groups(world)


def seat_for(groups: Groups, holder: GroupMember | None) -> CommitteeSeat:
    return services.add_seat(
        groups.ppg,
        committee="Health Scrutiny Committee",
        body="Kirkby Moor Borough Council",
        holder=holder,
        term_start=datetime.date(2026, 4, 1),
        term_end=datetime.date(2028, 3, 31),
        appointing_body="Kirkby Moor Borough Council",
    )


def report(day: int) -> dict[str, str]:
    return {
        "meeting_on[day]": str(day),
        "meeting_on[month]": "11",
        "meeting_on[year]": "2026",
        "discussed": f"Winter pressures, item {day}",
        "said_for_patients": "Patients cannot get through on the phone at 8am.",
        "decided": "The ICB will report on call waiting times in March.",
    }


def test_the_holder_reports_back_and_it_rolls_up_on_the_public_page(
    client: Client, world: World, groups: Groups
) -> None:
    seat = seat_for(groups, GroupMember.objects.get(person__user=groups.gina))

    response = client_as(world, groups, "gina").post(
        reverse("staff:group_seat_report", args=[seat.pk]), report(12)
    )

    assert response.status_code == 302
    html = client.get(world.ppg.get_absolute_url()).content.decode()
    assert "Health Scrutiny Committee, Kirkby Moor Borough Council" in html
    assert "Winter pressures, item 12" in html
    assert "Gina Patel" not in html  # reports appear without the holder's name


def test_a_member_who_does_not_hold_the_seat_cannot_report_on_it(
    world: World, groups: Groups
) -> None:
    seat = seat_for(groups, None)
    url = reverse("staff:group_seat_report", args=[seat.pk])

    gina = client_as(world, groups, "gina").post(url, report(12))
    hal = client_as(world, groups, "hal").post(url, report(12))

    assert (gina.status_code, hal.status_code) == (403, 404)
    assert not ReportBack.objects.exists()


def test_a_seat_holder_must_be_a_member_of_the_group(groups: Groups) -> None:
    outsider = member(groups.mnvp, None, "Olu Ade", "member")

    with pytest.raises(ValidationError):
        seat_for(groups, outsider)


def test_an_organiser_adds_a_vacant_seat(world: World, groups: Groups) -> None:
    response = client_as(world, groups, "dana").post(
        reverse("staff:group_seats", args=[world.ppg.slug]),
        {
            "committee": "Locality Board",
            "body": "Northdale ICB",
            "holder": "",
            "term_start[day]": "1",
            "term_start[month]": "1",
            "term_start[year]": "2027",
            "appointing_body": "Northdale ICB",
        },
    )

    assert response.status_code == 302
    seat = CommitteeSeat.objects.get()
    assert (seat.committee.name, seat.holder) == ("Locality Board", None)


def test_the_seat_pages_take_the_same_queries_for_many_reports(
    client: Client, world: World, groups: Groups
) -> None:
    seat = seat_for(groups, GroupMember.objects.get(person__user=groups.gina))
    fay = client_as(world, groups, "fay")
    pages = [
        (fay, reverse("staff:group_seats", args=[world.ppg.slug])),
        (client, world.ppg.get_absolute_url()),
    ]

    def add(n: int) -> None:
        services.report_back(
            seat,
            groups.gina,
            meeting_on=datetime.date(2026, 10, 1) + datetime.timedelta(days=n),
            discussed=f"Item {n}",
            said_for_patients="Access",
            decided="",
        )
        seat_for(groups, None)

    add(0)
    few = []
    for viewer, url in pages:
        with CaptureQueriesContext(connection) as queries:
            viewer.get(url)
        few.append(len(queries))
    for n in range(1, 8):
        add(n)
    many = []
    for viewer, url in pages:
        with CaptureQueriesContext(connection) as queries:
            html = viewer.get(url).content.decode()
        many.append(len(queries))
        assert "Item 7" in html

    assert many == few
