"""A staff session ends after STAFF_IDLE_TIMEOUT_MINUTES without a request."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from patientvoice.people.middleware import LAST_ACTIVITY
from tests.conftest import World


def idle_for(client: Client, seconds: int) -> None:
    session = client.session
    session[LAST_ACTIVITY] -= seconds
    session.save()


@pytest.fixture
def alice(world: World) -> Client:
    client = Client()
    client.force_login(world.alice)
    assert LAST_ACTIVITY in client.session  # the clock starts on signing in
    return client


def test_a_session_idle_longer_than_the_timeout_is_signed_out(alice: Client) -> None:
    idle_for(alice, 31 * 60)

    response = alice.get("/staff/feedback/", follow=True)

    assert response.redirect_chain[0][0].startswith("/staff/sign-in/")
    assert "You were signed out because you had not used patientvoice for 30 minutes" in (
        response.content.decode()
    )
    assert "_auth_user_id" not in alice.session


def test_a_session_used_within_the_timeout_stays_signed_in(alice: Client) -> None:
    idle_for(alice, 29 * 60)

    assert alice.get("/staff/feedback/").status_code == 200
    idle_for(alice, 29 * 60)  # counted from the last request, not from signing in
    assert alice.get("/staff/feedback/").status_code == 200


def test_the_timeout_is_a_setting(alice: Client, settings: Any) -> None:
    settings.STAFF_IDLE_TIMEOUT_MINUTES = 5
    idle_for(alice, 6 * 60)

    assert alice.get("/staff/feedback/").status_code == 302
