"""A signed-in member of staff changes their password."""

from __future__ import annotations

from django.test import Client

from patientvoice.people import audit
from patientvoice.people.models import AuditEvent
from tests.conftest import World


def test_a_member_of_staff_changes_their_password_and_stays_signed_in(world: World) -> None:
    client = Client()
    client.force_login(world.bob)

    response = client.post(
        "/staff/account/password/",
        {
            "old_password": "password",
            "new_password1": "correct horse battery",
            "new_password2": "correct horse battery",
        },
        follow=True,
    )

    assert "Your password has changed" in response.content.decode()
    world.bob.refresh_from_db()
    assert world.bob.check_password("correct horse battery")
    assert client.get("/staff/feedback/").status_code == 200
    assert AuditEvent.objects.filter(action=audit.PASSWORD_CHANGED, actor=world.bob).exists()


def test_the_current_password_must_be_right(world: World) -> None:
    client = Client()
    client.force_login(world.bob)

    response = client.post(
        "/staff/account/password/",
        {
            "old_password": "wrong",
            "new_password1": "correct horse battery",
            "new_password2": "correct horse battery",
        },
    )

    assert "Your current password is not right" in response.content.decode()
    world.bob.refresh_from_db()
    assert world.bob.check_password("password")


def test_visitors_are_sent_to_sign_in(db: None) -> None:
    response = Client().get("/staff/account/password/")

    assert response.status_code == 302
    assert response["Location"].startswith("/staff/sign-in/")
