"""Two-factor sign-in: set up with a QR code or key, a code after the password, and required by
an organisation admin for the roles that see contact details or equality answers."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from patientvoice.people import audit
from patientvoice.people.models import AuditEvent, StaffPolicy, User
from tests.conftest import World


def code_for(device: TOTPDevice) -> str:
    """The code an authenticator app shows now."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def with_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def require_two_factor(world: World) -> None:
    StaffPolicy.objects.create(organisation=world.hospital, require_two_factor=True)


def sign_in(client: Client, username: str) -> Any:
    return client.post("/staff/sign-in/", {"username": username, "password": "password"})


def test_without_two_factor_the_password_is_enough(world: World) -> None:
    client = Client()

    response = sign_in(client, "alice")

    assert response["Location"] == "/staff/feedback/"
    assert client.get("/staff/feedback/").status_code == 200


def test_with_two_factor_the_password_alone_does_not_sign_in(world: World) -> None:
    device = with_device(world.alice)
    client = Client()

    response = sign_in(client, "alice")

    assert response["Location"].startswith("/staff/sign-in/code/")
    assert "_auth_user_id" not in client.session
    assert client.get("/staff/feedback/")["Location"].startswith("/staff/sign-in/")

    wrong = client.post(
        response["Location"], {"code": f"{(int(code_for(device)) + 1) % 10**6:06d}"}
    )
    assert "The code is not right" in wrong.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=audit.SIGN_IN_FAILED, detail__stage="code").exists()

    device.refresh_from_db()
    device.throttle_reset()
    right = client.post(response["Location"], {"code": code_for(device)})
    assert right.status_code == 302
    assert client.get("/staff/feedback/").status_code == 200


def test_a_code_is_not_accepted_twice(world: World) -> None:
    device = with_device(world.alice)
    first, second = Client(), Client()
    code = code_for(device)
    sign_in(first, "alice")
    sign_in(second, "alice")

    assert first.post("/staff/sign-in/code/", {"code": code}).status_code == 302
    replay = second.post("/staff/sign-in/code/", {"code": code})

    assert replay.status_code == 200
    assert "_auth_user_id" not in second.session


def test_the_code_step_without_a_password_first_goes_back_to_sign_in(world: World) -> None:
    with_device(world.alice)

    response = Client().get("/staff/sign-in/code/")

    assert response["Location"] == "/staff/sign-in/"


def test_a_session_signed_in_some_other_way_must_still_pass_the_code(world: World) -> None:
    device = with_device(world.alice)
    client = Client()
    client.force_login(world.alice)  # as Django's admin sign-in would

    sent = client.get("/staff/feedback/")
    assert sent["Location"] == "/staff/sign-in/code/?next=%2Fstaff%2Ffeedback%2F"
    passed = client.post(sent["Location"], {"code": code_for(device)})

    assert passed["Location"] == "/staff/feedback/"
    assert client.get("/staff/feedback/").status_code == 200


def test_setting_up_shows_a_qr_code_and_the_key_and_a_right_code_turns_it_on(world: World) -> None:
    client = Client()
    client.force_login(world.bob)

    page = client.get("/staff/account/two-factor/").content.decode()
    device = TOTPDevice.objects.get(user=world.bob, confirmed=False)
    assert "<svg" in page and "QR code for your authenticator app" in page
    assert 'id="manual-key"' in page
    # The same key on reload, so a code already scanned keeps working.
    client.get("/staff/account/two-factor/")
    assert TOTPDevice.objects.filter(user=world.bob).count() == 1

    client.post("/staff/account/two-factor/", {"code": code_for(device)})

    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action=audit.TWO_FACTOR_CHANGED, actor=world.bob).exists()
    assert "Two-factor sign-in is on" in client.get("/staff/account/two-factor/").content.decode()
    assert client.get("/staff/feedback/").status_code == 200  # this session is verified


def test_a_wrong_code_at_set_up_leaves_it_off(world: World) -> None:
    client = Client()
    client.force_login(world.bob)
    client.get("/staff/account/two-factor/")

    response = client.post("/staff/account/two-factor/", {"code": "12345"})

    assert "The code must be 6 digits" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=world.bob, confirmed=True).exists()


def test_an_admin_requiring_it_sends_officers_and_analysts_to_set_it_up_first(
    world: World,
) -> None:
    charlie = Client()
    charlie.force_login(world.charlie)
    charlie.post(
        f"/staff/team/organisations/{world.hospital.pk}/two-factor/",
        {f"org{world.hospital.pk}-require_two_factor": "on"},
    )
    assert StaffPolicy.objects.get(organisation=world.hospital).require_two_factor
    event = AuditEvent.objects.get(action=audit.TWO_FACTOR_CHANGED)
    assert event.detail == {"required": True} and event.actor == world.charlie

    for user in (world.alice, world.bob, world.charlie):
        client = Client()
        client.force_login(user)
        response = client.get("/staff/feedback/")
        assert response["Location"] == "/staff/account/two-factor/?next=%2Fstaff%2Ffeedback%2F"
        assert client.get("/staff/account/two-factor/").status_code == 200
        assert client.get("/staff/account/password/").status_code == 200

    dana = Client()
    dana.force_login(world.dana)  # another organisation: not required there
    assert dana.get("/staff/feedback/").status_code == 200


def test_once_set_up_a_required_user_reaches_the_staff_pages(world: World) -> None:
    require_two_factor(world)
    client = Client()
    client.force_login(world.alice)
    client.get("/staff/account/two-factor/")
    device = TOTPDevice.objects.get(user=world.alice)

    done = client.post(
        "/staff/account/two-factor/?next=/staff/feedback/", {"code": code_for(device)}
    )

    assert done["Location"] == "/staff/feedback/"
    assert client.get("/staff/feedback/").status_code == 200


def test_it_can_be_turned_off_unless_the_organisation_requires_it(world: World) -> None:
    device = with_device(world.bob)
    client = Client()
    sign_in(client, "bob")
    client.post("/staff/sign-in/code/", {"code": code_for(device)})

    require_two_factor(world)
    client.post("/staff/account/two-factor/remove/")
    assert TOTPDevice.objects.filter(user=world.bob).exists()

    StaffPolicy.objects.update(require_two_factor=False)
    client.post("/staff/account/two-factor/remove/")
    assert not TOTPDevice.objects.filter(user=world.bob).exists()


def test_an_admin_resets_two_factor_for_someone_who_lost_their_phone(world: World) -> None:
    with_device(world.alice)
    charlie = Client()
    charlie.force_login(world.charlie)
    alice = world.alice.memberships.get()

    charlie.post(f"/staff/team/{alice.pk}/reset-two-factor/")

    assert not TOTPDevice.objects.filter(user=world.alice).exists()
    event = AuditEvent.objects.get(action=audit.TWO_FACTOR_CHANGED)
    assert (event.actor, event.subject_id, event.detail) == (
        world.charlie,
        str(world.alice.pk),
        {"removed": True},
    )
    assert sign_in(Client(), "alice")["Location"] == "/staff/feedback/"


def test_the_pending_sign_in_expires(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    device = with_device(world.alice)
    client = Client()
    sign_in(client, "alice")
    later = time.time() + 11 * 60
    monkeypatch.setattr(time, "time", lambda: later)

    response = client.post("/staff/sign-in/code/", {"code": code_for(device)})

    assert response["Location"] == "/staff/sign-in/"
    assert "_auth_user_id" not in client.session
