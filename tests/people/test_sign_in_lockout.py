"""Sign-in: wrong passwords lock a username and an address out for a while, with no clue
whether the username exists; failed sign-ins are logged and audited."""

from __future__ import annotations

import logging
import re

import pytest
from django.test import Client

from patientvoice.people import audit
from patientvoice.people.models import AuditEvent
from tests.conftest import World

SIGN_IN = "/staff/sign-in/"


def attempt(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(SIGN_IN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_fifty_wrong_passwords_then_the_right_one_does_not_sign_in(world: World) -> None:
    client = Client()
    answers = [attempt(client, "alice", f"guess-{n}").status_code for n in range(50)]
    right = attempt(client, "alice", "password")

    assert answers[:9] == [200] * 9  # the form again, with its error
    assert set(answers[10:]) == {429}
    assert right.status_code == 429
    assert right["Retry-After"] == "900"
    assert "You cannot sign in at the moment" in right.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/staff/feedback/").status_code == 302


def test_a_locked_username_is_refused_from_another_address_too(world: World) -> None:
    for n in range(10):
        attempt(Client(), "alice", f"guess-{n}", address="10.0.0.1")

    elsewhere = attempt(Client(), "alice", "password", address="10.9.9.9")

    assert elsewhere.status_code == 429


def test_a_few_colleagues_mistakes_from_a_shared_address_lock_nobody_else_out(
    world: World,
) -> None:
    for n in range(9):
        for username in ("alice", "dana", "erin"):
            attempt(Client(), username, f"mistyped {n}", address="10.0.0.1")

    bob = Client()

    assert attempt(bob, "bob", "password", address="10.0.0.1").status_code == 302
    assert attempt(Client(), "alice", "password", address="10.0.0.1").status_code == 302


def test_a_locked_address_is_refused_for_other_usernames_but_others_still_sign_in(
    world: World,
) -> None:
    for n in range(50):
        attempt(Client(), f"someone-{n}", "guess", address="10.0.0.1")

    from_that_address = attempt(Client(), "bob", "password", address="10.0.0.1")
    bob_elsewhere = Client()
    from_another = attempt(bob_elsewhere, "bob", "password", address="10.0.0.2")

    assert from_that_address.status_code == 429
    assert from_another.status_code == 302
    assert bob_elsewhere.get("/staff/feedback/").status_code == 200


def test_the_locked_out_page_reads_the_same_for_a_real_and_a_made_up_username(
    world: World,
) -> None:
    pages = []
    for username, address in (("alice", "10.0.0.1"), ("nobody-by-this-name", "10.0.0.2")):
        for n in range(10):
            response = attempt(Client(), username, f"guess-{n}", address=address)
        pages.append(response.content.decode().replace(username, "USERNAME"))

    assert _without_tokens(pages[0]) == _without_tokens(pages[1])
    assert "reset your password" in pages[0]
    assert "wait 15 minutes" in pages[0]


def _without_tokens(html: str) -> str:
    """The page without what differs on every response (the CSP nonce)."""
    return re.sub(r'nonce="[^"]*"', "", html)


def test_a_failed_sign_in_is_logged_with_the_username_and_audited_for_their_organisation(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="patientvoice.people.accounts"):
        attempt(Client(), "alice", "not her password", address="10.0.0.7")

    assert "Failed staff sign-in (password) for username 'alice' from 10.0.0.7" in caplog.text
    event = AuditEvent.objects.get(action=audit.SIGN_IN_FAILED)
    assert event.organisation == world.hospital
    assert event.detail["username"] == "alice"
    assert event.ip_address == "10.0.0.7"
    assert "not her password" not in str(event.detail)


def test_attempts_while_locked_out_are_logged_but_do_not_fill_the_audit_log(world: World) -> None:
    for n in range(30):
        attempt(Client(), "alice", f"guess-{n}")

    assert AuditEvent.objects.filter(action=audit.SIGN_IN_FAILED).count() == 10


def test_a_log_line_cannot_be_forged_through_the_username(
    db: None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="patientvoice.people.accounts"):
        attempt(Client(), "eve\nINFO Successful sign-in for admin", "x")

    assert "\nINFO Successful" not in caplog.text


def test_a_blank_form_is_not_a_failed_sign_in(db: None) -> None:
    response = attempt(Client(), "", "")

    page = response.content.decode()
    assert "Enter your username" in page and "Enter your password" in page
    assert not AuditEvent.objects.exists()
