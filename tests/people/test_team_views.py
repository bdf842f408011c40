"""Organisation admins manage their own staff: invite, change role, remove; every change audited."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from patientvoice.people import audit
from patientvoice.people.models import AuditEvent, Membership, Role, User
from tests.conftest import World


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def membership(user: User) -> Membership:
    return Membership.objects.get(user=user)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        (None, 302),
        ("erin", 403),  # an account with no role
        ("alice", 403),  # officer
        ("bob", 403),  # analyst
        ("dana", 403),  # officer at another organisation
        ("charlie", 200),  # organisation admin
    ],
)
@pytest.mark.parametrize("path", ["/staff/team/", "/staff/team/invite/", "/staff/audit-log/"])
def test_only_organisation_admins_open_the_staff_pages(
    world: World, persona: str | None, expected: int, path: str
) -> None:
    client = Client()
    if persona:
        client.force_login(getattr(world, persona))

    assert client.get(path).status_code == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [(None, 302), ("erin", 403), ("alice", 404), ("dana", 404), ("charlie", 200)],
)
def test_a_role_at_the_admins_organisation_is_theirs_to_change_and_nobody_elses(
    world: World, persona: str | None, expected: int
) -> None:
    client = Client()
    if persona:
        client.force_login(getattr(world, persona))

    assert client.get(f"/staff/team/{membership(world.alice).pk}/").status_code == expected


def test_an_admin_of_another_organisation_cannot_touch_our_staff(world: World) -> None:
    Membership.objects.filter(user=world.dana).update(role=Role.ORG_ADMIN)
    dana = signed_in(world.dana)
    alice = membership(world.alice)

    change = dana.post(f"/staff/team/{alice.pk}/", {"role": Role.ORG_ADMIN})
    remove = dana.post(f"/staff/team/{alice.pk}/remove/")

    assert change.status_code == remove.status_code == 404
    alice.refresh_from_db()
    assert alice.role == Role.OFFICER
    listing = dana.get("/staff/team/").content.decode()
    assert "Oak Lane Surgery" in listing and "alice" not in listing


def test_the_team_page_lists_the_organisations_staff_with_their_roles(world: World) -> None:
    page = signed_in(world.charlie).get("/staff/team/").content.decode()

    for username in ("alice", "bob", "charlie"):
        assert f"{username}@example.org" in page
    assert "dana" not in page and "erin@" not in page
    assert "no-store" in signed_in(world.charlie).get("/staff/team/")["Cache-Control"]


def test_inviting_someone_new_makes_an_account_without_a_password_and_emails_a_link(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    charlie = signed_in(world.charlie)
    with django_capture_on_commit_callbacks(execute=True):
        response = charlie.post(
            "/staff/team/invite/",
            {
                "full_name": "Fatima Khan",
                "email": "Fatima.Khan@example.org",
                "organisation": world.hospital.pk,
                "role": Role.ANALYST,
            },
        )

    assert response.status_code == 302
    fatima = User.objects.get(email="Fatima.Khan@example.org")
    assert (fatima.username, fatima.first_name, fatima.last_name) == (
        "fatima.khan@example.org",
        "Fatima",
        "Khan",
    )
    assert not fatima.has_usable_password()
    assert membership(fatima).role == Role.ANALYST
    event = AuditEvent.objects.get(action=audit.STAFF_INVITED)
    assert (event.actor, event.organisation, event.subject_id) == (
        world.charlie,
        world.hospital,
        str(fatima.pk),
    )
    (message,) = mail.outbox
    assert message.to == ["Fatima.Khan@example.org"]
    assert "Analyst" in message.body and "Northdale Hospitals" in message.body

    link = re.search(r"http://testserver/staff/sign-in/reset/\S+", str(message.body))
    assert link
    invited = Client()
    form = invited.get(link.group(0), follow=True)
    invited.post(
        form.redirect_chain[-1][0],
        {"new_password1": "my own passphrase", "new_password2": "my own passphrase"},
    )
    signed = invited.post(
        "/staff/sign-in/", {"username": "fatima.khan@example.org", "password": "my own passphrase"}
    )
    assert signed.status_code == 302


def test_inviting_an_existing_account_adds_a_role_to_it(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(world.charlie).post(
            "/staff/team/invite/",
            {
                "full_name": "Erin",
                "email": "erin@example.org",
                "organisation": world.hospital.pk,
                "role": Role.OFFICER,
            },
        )

    assert membership(world.erin).organisation == world.hospital
    world.erin.refresh_from_db()
    assert world.erin.check_password("password")
    assert "Sign in with your existing account" in mail.outbox[0].body


def test_someone_who_already_has_a_role_here_is_not_invited_twice(world: World) -> None:
    response = signed_in(world.charlie).post(
        "/staff/team/invite/",
        {
            "full_name": "Alice",
            "email": "alice@example.org",
            "organisation": world.hospital.pk,
            "role": Role.ANALYST,
        },
    )

    assert "already has a role at Northdale Hospitals" in response.content.decode()
    assert membership(world.alice).role == Role.OFFICER


def test_an_admin_cannot_invite_into_another_organisation(world: World) -> None:
    response = signed_in(world.charlie).post(
        "/staff/team/invite/",
        {
            "full_name": "Mallory",
            "email": "mallory@example.org",
            "organisation": world.practice.pk,
            "role": Role.ORG_ADMIN,
        },
    )

    assert response.status_code == 200
    assert not User.objects.filter(email="mallory@example.org").exists()


def test_changing_a_role_is_audited(world: World) -> None:
    alice = membership(world.alice)

    signed_in(world.charlie).post(f"/staff/team/{alice.pk}/", {"role": Role.ANALYST})

    alice.refresh_from_db()
    assert alice.role == Role.ANALYST
    event = AuditEvent.objects.get(action=audit.ROLE_CHANGED)
    assert event.detail == {"from": "officer", "to": "analyst"}
    assert event.organisation == world.hospital


def test_the_only_admin_cannot_give_up_their_admin_role(world: World) -> None:
    charlie = membership(world.charlie)
    client = signed_in(world.charlie)

    demoted = client.post(f"/staff/team/{charlie.pk}/", {"role": Role.OFFICER})
    removed = client.post(f"/staff/team/{charlie.pk}/remove/")

    assert "the only organisation admin" in demoted.content.decode()
    assert "the only organisation admin" in removed.content.decode()
    charlie.refresh_from_db()
    assert charlie.role == Role.ORG_ADMIN
    assert not AuditEvent.objects.filter(
        action__in=[audit.ROLE_CHANGED, audit.STAFF_DEACTIVATED]
    ).exists()


def test_with_a_second_admin_an_admin_may_step_down(world: World) -> None:
    Membership.objects.filter(user=world.alice).update(role=Role.ORG_ADMIN)
    charlie = membership(world.charlie)

    signed_in(world.charlie).post(f"/staff/team/{charlie.pk}/", {"role": Role.OFFICER})

    charlie.refresh_from_db()
    assert charlie.role == Role.OFFICER


def test_removing_someones_last_role_deactivates_the_account_and_ends_their_session(
    world: World,
) -> None:
    bob_session = signed_in(world.bob)
    bob = membership(world.bob)

    signed_in(world.charlie).post(f"/staff/team/{bob.pk}/remove/")

    world.bob.refresh_from_db()
    assert not world.bob.is_active
    assert not Membership.objects.filter(user=world.bob).exists()
    assert bob_session.get("/staff/feedback/").status_code == 302
    event = AuditEvent.objects.get(action=audit.STAFF_DEACTIVATED)
    assert event.detail == {"role": "analyst", "account_deactivated": True}


def test_removing_one_of_two_roles_keeps_the_account(world: World) -> None:
    Membership.objects.create(user=world.bob, organisation=world.practice, role=Role.ANALYST)
    bob = Membership.objects.get(user=world.bob, organisation=world.hospital)

    signed_in(world.charlie).post(f"/staff/team/{bob.pk}/remove/")

    world.bob.refresh_from_db()
    assert world.bob.is_active
    assert list(
        Membership.objects.filter(user=world.bob).values_list("organisation", flat=True)
    ) == [world.practice.pk]
