"""Every staff URL of a group's workspace × every persona: the role × organisation × group-role
grid.

Alice, Bob and Charlie hold staff roles at the hospital and none in Oak Lane's PPG; Dana is an
officer at the surgery that hosts it and the PPG's staff lead; Erin has an account and no role;
Fay chairs the PPG, Gina is a member, Hal chairs the hospital's maternity voices partnership.
Anyone with no role in the PPG gets a 404 whatever the address (it reveals nothing); a member
whose role lacks the permission gets a 403; a visitor is sent to sign in.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from patientvoice.involvement import services
from patientvoice.involvement.models import GroupMember, GroupMessage, JoinRequest, Paper
from patientvoice.people.models import Person
from tests.conftest import World
from tests.involvement.grid_rows import GROUP_GRID, PPG_MEMBERS, URL_KWARGS
from tests.involvement.people import client_as, make_groups

PERSONAS = ["anonymous", "alice", "bob", "charlie", "dana", "erin", "fay", "gina", "hal"]
# Shown only to the PPG's organisers: a member's shared email address, and a join request.
MARKERS = ("gina@example.org", "Ivy Lane")


@pytest.fixture
def records(world: World) -> dict[str, Any]:
    groups = make_groups(world)
    minutes = services.start_minutes(groups.last_month, groups.fay)
    action = services.add_action(minutes, description="Ask about", owner="Fay", due_on=None)
    paper = Paper(meeting=groups.last_month, title="Survey results", original_name="survey.pdf")
    paper.file.save("survey.pdf", ContentFile(b"%PDF-1.4 survey"), save=True)
    join_request = JoinRequest.objects.create(
        group=groups.ppg,
        person=Person.objects.create(full_name="Ivy Lane", preferred_contact="phone", phone="1"),
    )
    committee_seat = services.add_seat(
        groups.ppg,
        committee="Health Scrutiny Committee",
        body="Kirkby Moor Borough Council",
        holder=GroupMember.objects.get(person__user=groups.gina),
        term_start=datetime.date(2026, 4, 1),
        term_end=None,
        appointing_body="Kirkby Moor Borough Council",
    )
    message = GroupMessage.objects.create(group=groups.ppg, subject="Next meeting", body="Hello")
    return {
        "member": GroupMember.objects.get(person__user=groups.gina).pk,
        "groups": groups,
        "message": message.pk,
        "committee_seat": committee_seat.pk,
        "group": groups.ppg.slug,
        "meeting": groups.last_month.pk,
        "minutes": minutes.pk,
        "paper": paper.pk,
        "action": action.pk,
        "join_request": join_request.pk,
    }


def _url(name: str, records: dict[str, Any]) -> str:
    row = GROUP_GRID[name]
    return reverse(f"staff:{name}", kwargs=URL_KWARGS[row.record](records) if row.record else {})


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(GROUP_GRID))
def test_each_group_url_opens_only_to_the_roles_its_row_names(
    world: World, records: dict[str, Any], name: str, persona: str
) -> None:
    row = GROUP_GRID[name]

    response = client_as(world, records["groups"], persona).get(_url(name, records))

    if persona == "anonymous":
        assert response.status_code in {302, 405}, response.status_code
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("staff:login"))
    elif row.post_only:
        expected = {405} if persona in row.allowed else {403, 404, 405}
        assert response.status_code in expected, response.status_code
    elif persona in row.allowed:
        assert response.status_code == 200, response.status_code
    elif persona in PPG_MEMBERS:
        assert response.status_code == 403  # in the group, without the permission
    else:
        assert response.status_code == 404  # not in the group: the address reveals nothing
    if persona not in {"fay", "dana"}:
        body = b"".join(response) if response.streaming else response.content
        for marker in MARKERS:
            assert marker.encode() not in body


@pytest.mark.parametrize(
    ("name", "persona"),
    [
        (name, persona)
        for name, row in sorted(GROUP_GRID.items())
        if row.record
        for persona in PERSONAS
        if persona not in row.allowed
    ],
)
def test_posting_is_refused_to_those_without_the_permission(
    world: World, records: dict[str, Any], name: str, persona: str
) -> None:
    response = client_as(world, records["groups"], persona).post(_url(name, records), {})

    if persona == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("staff:login"))
    else:
        assert response.status_code == (403 if persona in PPG_MEMBERS else 404), (
            response.status_code
        )


def test_the_list_of_groups_shows_only_the_viewers_own(
    world: World, records: dict[str, Any]
) -> None:
    groups = records["groups"]

    hal = client_as(world, groups, "hal").get(reverse("staff:group_list")).content.decode()
    alice = client_as(world, groups, "alice").get(reverse("staff:group_list")).content.decode()

    assert groups.mnvp.name in hal
    assert groups.ppg.name not in hal
    assert groups.ppg.name not in alice and groups.mnvp.name not in alice
