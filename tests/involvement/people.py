"""Group personas on top of the shared world (tests/conftest.py).

Oak Lane Surgery's PPG has Fay as its chair, Gina as an ordinary member and Dana (an officer at
the surgery) as its staff lead; Hal chairs the hospital's maternity voices partnership. None of
the lay people has a staff role anywhere.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.test import Client
from django.utils import timezone

from patientvoice.directory.models import Group
from patientvoice.involvement.models import GroupMember, GroupRole, Meeting
from patientvoice.people.models import Person, User
from tests.conftest import World, client_for, make_user

GROUP_PERSONAS = ["fay", "gina", "hal"]


@dataclass
class Groups:
    ppg: Group
    mnvp: Group
    fay: User
    gina: User
    hal: User
    last_month: Meeting  # minuted, not yet approved
    last_week: Meeting  # where last month's minutes may be approved


def member(group: Group, user: User | None, name: str, role: str, **person: str) -> GroupMember:
    someone = Person.objects.create(
        full_name=name,
        preferred_contact=person.pop("preferred_contact", "email"),
        user=user,
        **person,
    )
    return GroupMember.objects.create(group=group, person=someone, role=role, share_email=True)


def make_groups(world: World) -> Groups:
    mnvp = Group.objects.create(
        name="Northdale Maternity Voices",
        slug="northdale-mvp",
        kind=Group.Kind.MNVP,
        host=world.hospital,
        summary="Families and midwives improving maternity care.",
    )
    fay, gina, hal = (make_user(name) for name in GROUP_PERSONAS)
    member(world.ppg, fay, "Fay Hughes", GroupRole.CHAIR, email="fay@example.org")
    member(world.ppg, gina, "Gina Patel", GroupRole.MEMBER, email="gina@example.org")
    member(world.ppg, world.dana, "Dana Ward", GroupRole.STAFF_LEAD, email="dana@example.org")
    member(mnvp, hal, "Hal Okafor", GroupRole.CHAIR, email="hal@example.org")
    now = timezone.now()
    return Groups(
        ppg=world.ppg,
        mnvp=mnvp,
        fay=fay,
        gina=gina,
        hal=hal,
        last_month=Meeting.objects.create(
            group=world.ppg, starts_at=now - datetime.timedelta(days=35), place="The surgery"
        ),
        last_week=Meeting.objects.create(
            group=world.ppg, starts_at=now - datetime.timedelta(days=7), place="The surgery"
        ),
    )


def client_as(world: World, groups: Groups, persona: str) -> Client:
    if persona in GROUP_PERSONAS:
        client = Client()
        client.force_login(getattr(groups, persona))
        return client
    return client_for(world, persona)
