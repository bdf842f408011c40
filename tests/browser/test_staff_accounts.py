"""An organisation admin gives a new colleague a role, requires two-factor sign-in, sets it up
from the key on the page, and signs in again with a code; someone guessing passwords meets the
locked-out page. Every page is checked by axe."""

from __future__ import annotations

import base64

import pytest
from django.core import mail
from django.test import Client
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from patientvoice.people.models import Membership, Role
from tests.browser.conftest import assert_accessible
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code_for(key: str, drift: int = 0) -> str:
    """What an authenticator app shows for the key typed from the page."""
    secret = key.replace(" ", "")
    raw = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(raw, drift=drift):06d}"


def sign_in(page: Page, username: str) -> None:
    page.goto("/staff/sign-in/")
    assert_accessible(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Sign in").click()


def test_an_admin_invites_a_colleague_and_requires_two_factor_sign_in(
    page: Page, world: World
) -> None:
    sign_in(page, "charlie")
    expect(page.get_by_role("heading", level=1)).to_have_text("Feedback")
    assert_accessible(page)

    page.goto("/staff/team/")
    assert_accessible(page)
    page.get_by_role("button", name="Give someone a role").click()
    assert_accessible(page)
    page.get_by_label("Full name").fill("Fatima Khan")
    page.get_by_label("Work email address").fill("fatima.khan@example.org")
    page.get_by_label("Analyst").check()
    page.get_by_role("button", name="Give role and send email").click()
    expect(page.get_by_text("fatima.khan@example.org now has a role")).to_be_visible()
    assert_accessible(page)
    assert Membership.objects.get(user__email="fatima.khan@example.org").role == Role.ANALYST
    assert [m.to for m in mail.outbox] == [["fatima.khan@example.org"]]

    page.get_by_label(
        "Staff who see contact details or equality answers must use two-factor sign-in"
    ).check()
    page.get_by_role("button", name="Save two-factor setting").click()
    assert_accessible(page)

    # Charlie's own role sees contact details, so the next staff page asks him to set it up.
    page.goto("/staff/feedback/")
    expect(page.get_by_role("heading", level=2, name="Set up two-factor sign-in")).to_be_visible()
    expect(page.locator("svg.pv-qr-code")).to_be_visible()
    assert_accessible(page)
    key = page.locator("#manual-key").inner_text()
    page.get_by_label("Code from your authenticator app").fill(code_for(key))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Feedback")
    assert_accessible(page)

    page.goto("/staff/sign-out/")
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()
    assert_accessible(page)
    sign_in(page, "charlie")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Enter the code from your authenticator app"
    )
    assert_accessible(page)
    # The code just used may not be used again; the app's next one is accepted.
    page.get_by_label("Code from your authenticator app").fill(code_for(key, drift=1))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Feedback")
    assert_accessible(page)


def test_staff_whose_account_someone_guessed_at_are_told_what_to_do(
    page: Page, world: World
) -> None:
    guesser = Client()
    for n in range(10):
        guesser.post("/staff/sign-in/", {"username": "alice", "password": f"guess {n}"})

    sign_in(page, "alice")  # the right password, too late

    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot sign in at the moment")
    assert_accessible(page)
    page.get_by_role("link", name="reset your password").click()
    assert_accessible(page)
    page.get_by_label("Email address").fill("alice@example.org")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert_accessible(page)
    assert len(mail.outbox) == 1
