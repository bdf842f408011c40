"""Password reset by email: a link that works once, no clue whether an address has an account."""

from __future__ import annotations

import re

from django.core import mail
from django.test import Client

from patientvoice.people import audit
from patientvoice.people.models import AuditEvent
from tests.conftest import World


def ask_for_link(client: Client, email: str) -> str:
    response = client.post("/staff/sign-in/reset/", {"email": email}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def link_in(message: mail.EmailMessage) -> str:
    found = re.search(r"https?://\S+", str(message.body))
    assert found, message.body
    return found.group(0)


def test_a_member_of_staff_resets_their_password_from_the_emailed_link(world: World) -> None:
    client = Client()
    ask_for_link(client, "ALICE@example.org")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.org"]
    link = link_in(message)
    assert link.startswith("http://testserver/staff/sign-in/reset/")

    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a long new passphrase", "new_password2": "a long new passphrase"},
        follow=True,
    )

    assert "Your password is saved" in done.content.decode()
    world.alice.refresh_from_db()
    assert world.alice.check_password("a long new passphrase")
    assert AuditEvent.objects.filter(action=audit.PASSWORD_CHANGED, actor=world.alice).exists()
    # The link works once.
    assert "This link no longer works" in client.get(link, follow=True).content.decode()


def test_an_unknown_address_gets_the_same_page_and_no_email(world: World) -> None:
    known = ask_for_link(Client(), "alice@example.org")
    unknown = ask_for_link(Client(), "nobody@example.org")

    assert len(mail.outbox) == 1
    assert "Check your email" in known and "Check your email" in unknown
    assert re.sub(r'nonce="[^"]*"', "", known) == re.sub(r'nonce="[^"]*"', "", unknown)


def test_a_deactivated_account_gets_no_link(world: World) -> None:
    world.erin.is_active = False
    world.erin.save()

    ask_for_link(Client(), "erin@example.org")

    assert mail.outbox == []


def test_a_reset_lifts_the_lockout_of_the_username(world: World) -> None:
    client = Client()
    for n in range(10):
        client.post(
            "/staff/sign-in/", {"username": "alice", "password": f"x{n}"}, REMOTE_ADDR="10.0.0.1"
        )
    ask_for_link(client, "alice@example.org")
    form = client.get(link_in(mail.outbox[0]), follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a long new passphrase", "new_password2": "a long new passphrase"},
    )

    after = Client().post(
        "/staff/sign-in/",
        {"username": "alice", "password": "a long new passphrase"},
        REMOTE_ADDR="10.0.0.2",
    )

    assert after.status_code == 302


def test_a_weak_new_password_is_refused_with_a_reason(world: World) -> None:
    client = Client()
    ask_for_link(client, "alice@example.org")
    form = client.get(link_in(mail.outbox[0]), follow=True)

    refused = client.post(
        form.redirect_chain[-1][0], {"new_password1": "12345678", "new_password2": "12345678"}
    )

    assert refused.status_code == 200
    assert "Error: Choose a new password" in refused.content.decode()
    world.alice.refresh_from_db()
    assert world.alice.check_password("password")


def test_the_form_cannot_flood_a_colleagues_inbox(world: World) -> None:
    pages = [ask_for_link(Client(), "alice@example.org") for _ in range(5)]

    assert len(mail.outbox) == 3
    assert all("Check your email" in page for page in pages)
