"""The demo world's PPGs get members, meetings and minutes, and loading again adds nothing."""

from __future__ import annotations

from django.test import Client
from django.utils import timezone

from patientvoice.directory.models import Group
from patientvoice.involvement.demo import CHAIR_USERNAME, load_demo_groups
from patientvoice.involvement.models import Action, AgendaItem, GroupMember, Meeting, Minutes
from patientvoice.people.models import User
from tests.conftest import World


def test_the_demo_ppg_gets_a_year_of_work_and_loading_twice_changes_nothing(
    client: Client, world: World
) -> None:
    first = load_demo_groups("demo-password")
    second = load_demo_groups("demo-password")

    assert first == second
    held = Meeting.objects.filter(group=world.ppg, starts_at__lte=timezone.now()).count()
    assert Meeting.objects.filter(group=world.ppg, starts_at__gt=timezone.now()).count() == 2
    assert GroupMember.objects.filter(group=world.ppg).count() == 7
    published = Minutes.objects.filter(meeting__group=world.ppg, status="published")
    assert published.count() == held - 1  # the latest meeting's minutes await approval
    assert Action.objects.filter(group=world.ppg, status="open").count() == 4
    chair = User.objects.get(username=CHAIR_USERNAME)
    assert chair.check_password("demo-password")
    assert GroupMember.objects.get(person__user=chair).role == "chair"
    html = client.get(world.ppg.get_absolute_url()).content.decode()
    assert "Next meetings" in html and "Minutes of the meeting on" in html
    assert "Health Scrutiny Committee" in html and "Winter vaccination clinics" in html


def test_outside_development_the_chair_has_no_password(world: World) -> None:
    load_demo_groups(None)

    assert not User.objects.get(username=CHAIR_USERNAME).has_usable_password()


def test_a_maternity_voices_partnership_meets_about_its_own_business(world: World) -> None:
    mnvp = Group.objects.create(
        name="Kirkby Moor MNVP",
        slug="kirkby-moor-mnvp",
        kind=Group.Kind.MNVP,
        host=world.hospital,
        summary="Families improving maternity care.",
    )

    load_demo_groups(None)

    titles = set(AgendaItem.objects.filter(meeting__group=mnvp).values_list("title", flat=True))
    assert "Infant feeding support after discharge" in titles
    assert "The new online booking system" not in titles
    assert Meeting.objects.filter(group=mnvp, starts_at__lte=timezone.now()).count() >= 12
