"""Shared fixtures: a small world of two organisations and named staff personas.

Alice is an officer and Bob an analyst at Northdale Hospitals; Charlie is the organisation admin
there; Dana is an officer at another organisation (Oak Lane Surgery); Erin has an account but
no role anywhere.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import Client

from patientvoice.directory.models import Area, Group, Organisation, PostcodeDistrict, Service
from patientvoice.feedback.models import Experience
from patientvoice.feedback.services import ExperienceInput, submit_feedback
from patientvoice.people.models import Membership, Role, User


@pytest.fixture(autouse=True)
def _fresh_counters() -> None:
    """Rate-limit counters live in the cache: each test starts with none counted."""
    cache.clear()


@dataclass
class World:
    hospital: Organisation
    practice: Organisation
    maternity: Service
    appointments: Service
    area: Area
    ppg: Group
    alice: User
    bob: User
    charlie: User
    dana: User
    erin: User


def make_user(username: str, memberships: list[tuple[Organisation, str]] = ()) -> User:  # type: ignore[assignment]
    user = User.objects.create_user(
        username=username, password="password", email=f"{username}@example.org"
    )
    for organisation, role in memberships:
        Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


def client_for(world: World, persona: str) -> Client:
    """A client signed in as the named persona, or a visitor for "anonymous"."""
    client = Client()
    if persona != "anonymous":
        client.force_login(getattr(world, persona))
    return client


def make_experience(service: Service, **overrides: object) -> Experience:
    fields: dict[str, object] = {
        "service": service,
        "rating": 1,
        "respondent": "patient",
        "channel": "web",
        "consent_method": "online",
        "what_was_good": "The midwives were kind and explained everything.",
        "submission_token": uuid.uuid4(),
    }
    fields.update(overrides)
    experience, _ = submit_feedback(ExperienceInput(**fields))  # type: ignore[arg-type]
    return experience


@pytest.fixture
def world(db: None) -> World:
    area = Area.objects.create(name="Eastbridge", kind=Area.Kind.PLACE)
    PostcodeDistrict.objects.create(code="ND4", area=area)
    hospital = Organisation.objects.create(
        name="Northdale Hospitals", slug="northdale-hospitals", kind="nhs_trust", ods_code="RZ9"
    )
    practice = Organisation.objects.create(
        name="Oak Lane Surgery", slug="oak-lane", kind="gp_practice", ods_code="Y99001", area=area
    )
    maternity = Service.objects.create(
        organisation=hospital, name="Maternity unit", slug="maternity"
    )
    appointments = Service.objects.create(
        organisation=practice, name="GP appointments", slug="oak-lane-appointments"
    )
    ppg = Group.objects.create(
        name="Oak Lane Patient Participation Group",
        slug="oak-lane-ppg",
        kind=Group.Kind.PPG,
        host=practice,
        summary="Patients working with the practice on access and appointments.",
        meeting_pattern="First Wednesday of the month",
    )
    ppg.influences.add(practice)
    ppg.areas.add(area)
    return World(
        hospital=hospital,
        practice=practice,
        maternity=maternity,
        appointments=appointments,
        area=area,
        ppg=ppg,
        alice=make_user("alice", [(hospital, Role.OFFICER)]),
        bob=make_user("bob", [(hospital, Role.ANALYST)]),
        charlie=make_user("charlie", [(hospital, Role.ORG_ADMIN)]),
        dana=make_user("dana", [(practice, Role.OFFICER)]),
        erin=make_user("erin"),
    )
