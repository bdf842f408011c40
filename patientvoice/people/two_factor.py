"""Two-factor sign-in for staff: a time-based code from an authenticator app (django-otp TOTP).

A member of staff sets it up by scanning a QR code (or typing the key) and entering a code, which
confirms the device. From then on signing in takes a code after the password. An organisation
admin can require it for the roles that see contact details or equality answers
(`rules.TWO_FACTOR_PERMISSIONS`); such staff are sent to set it up before any other staff page.
"""

from __future__ import annotations

import base64

import segno
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from markupsafe import Markup

from patientvoice.directory.models import Organisation
from patientvoice.people import audit, rules
from patientvoice.people.models import StaffPolicy, User

DEVICE_NAME = "Authenticator app"


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def organisations_requiring(user: User) -> list[Organisation]:
    """Organisations that require two-factor sign-in of this user, given their roles there."""
    sensitive: set[int] = set()
    for permission in rules.TWO_FACTOR_PERMISSIONS:
        sensitive |= rules.organisations_with(user, permission)
    if not sensitive:
        return []
    return list(
        Organisation.objects.filter(
            pk__in=sensitive, staff_policy__require_two_factor=True
        ).order_by("name")
    )


def state(user: User) -> tuple[bool, bool]:
    """(has a confirmed device, an organisation requires one of them), in one query: every staff
    page asks."""
    sensitive: set[int] = set()
    for permission in rules.TWO_FACTOR_PERMISSIONS:
        sensitive |= rules.organisations_with(user, permission)
    has_device, required = (
        User.objects.filter(pk=user.pk)
        .values_list(
            Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            Exists(
                StaffPolicy.objects.filter(organisation_id__in=sensitive, require_two_factor=True)
            ),
        )
        .get()
    )
    return bool(has_device), bool(required)


def is_verified(request: HttpRequest) -> bool:
    """Whether this session passed a code (set by django-otp's middleware)."""
    verified = getattr(request.user, "is_verified", None)
    return bool(verified and verified())


def pending_setup(user: User) -> TOTPDevice:
    """The unconfirmed device being set up: the same key until it is confirmed, so reloading
    the page does not invalidate a QR code already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def qr_code(device: TOTPDevice) -> Markup:
    """The device's otpauth:// address as an inline SVG (no inline style: fits the CSP)."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=4, title="QR code for your authenticator app", svgclass="pv-qr-code"
    )
    return Markup(svg)  # noqa: S704 (segno's own markup from our own data)


def manual_key(device: TOTPDevice) -> str:
    """The key as people type it into an app: base32 in groups of four."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def check_code(device: TOTPDevice, code: str) -> str | None:
    """None if the code is right, or the message to show. Wrong codes slow further tries down
    (django-otp's throttling doubles the wait after each failure)."""
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        return "Too many wrong codes. Wait a minute, then enter the newest code from your app"
    with transaction.atomic():
        # verify_token updates the device's throttle and last-used step; lock it so two
        # requests cannot both use one code.
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if locked.verify_token(code.replace(" ", "")):
            return None
    return "The code is not right. Enter the 6-digit code your authenticator app shows now"


@transaction.atomic
def confirm_two_factor(request: HttpRequest, user: User, device: TOTPDevice) -> None:
    """Make a checked device the user's only one and mark this session as verified."""
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    audit.record_audit(
        user, audit.TWO_FACTOR_CHANGED, subject=user, detail={"set_up": True}, request=request
    )


@transaction.atomic
def remove_two_factor(
    request: HttpRequest, actor: User, user: User, *, organisation: Organisation | None = None
) -> None:
    """Remove a user's devices: by themselves, or by an admin when a phone is lost."""
    TOTPDevice.objects.filter(user=user).delete()
    audit.record_audit(
        actor,
        audit.TWO_FACTOR_CHANGED,
        organisation=organisation,
        subject=user,
        detail={"removed": True},
        request=request,
    )


@transaction.atomic
def set_two_factor_requirement(
    request: HttpRequest, actor: User, organisation: Organisation, required: bool
) -> None:
    policy, _ = StaffPolicy.objects.get_or_create(organisation=organisation)
    if policy.require_two_factor == required:
        return
    policy.require_two_factor = required
    policy.changed_by = actor
    policy.save()
    audit.record_audit(
        actor,
        audit.TWO_FACTOR_CHANGED,
        organisation=organisation,
        subject=policy,
        detail={"required": required},
        request=request,
    )
