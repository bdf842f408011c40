"""Staff accounts: failed sign-ins, passwords, and organisation admins managing their staff.

Every change here is written to the audit log in the same transaction as the change itself.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from axes.utils import reset as reset_lockout
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from patientvoice.directory.models import Organisation
from patientvoice.people import audit
from patientvoice.people.models import Membership, Role, User

logger = logging.getLogger(__name__)


class StaffChangeRefused(Exception):
    """A change an admin may not make, with the message to show them."""


# --- Signing in -------------------------------------------------------------------------------


def note_failed_sign_in(request: HttpRequest, username: str, *, stage: str = "password") -> None:
    """Log a failed sign-in with the username tried, and record it in the audit log of every
    organisation where that username has a role (so their admins can see attempts on their
    staff). Attempts made while already locked out are logged but not audited: an attacker
    hammering a locked account must not fill the audit log."""
    username = username[:150]
    address = audit.client_address(request)
    failures = getattr(request, "axes_failures_since_start", 0) or 0
    locked = bool(getattr(request, "axes_locked_out", False))
    # %r: the username is whatever was typed, and must not forge lines in the log.
    logger.warning(
        "Failed staff sign-in (%s) for username %r from %s%s",
        stage,
        username,
        address,
        ", now locked out" if locked else "",
    )
    if locked and failures > settings.AXES_FAILURE_LIMIT:
        return
    detail = {"username": username, "stage": stage, "locked_out": locked}
    user = User.objects.filter(username=username).first()
    organisations: list[int | None] = (
        list(Membership.objects.filter(user=user).values_list("organisation_id", flat=True))
        if user
        else []
    )
    for organisation_id in organisations or [None]:
        audit.record_audit(
            None,
            audit.SIGN_IN_FAILED,
            organisation=organisation_id,
            subject=user,
            detail=detail,
            request=request,
        )


@transaction.atomic
def note_password_set(request: HttpRequest, user: User, *, how: str) -> None:
    """After a password change or reset: audit it, and lift a lockout on the username (whoever
    reset it controls the account's email). A lockout of the address stays."""
    audit.record_audit(
        user, audit.PASSWORD_CHANGED, subject=user, detail={"how": how}, request=request
    )
    reset_lockout(username=user.get_username())


# --- Organisation admins managing their staff -------------------------------------------------


@dataclass(frozen=True)
class Invitation:
    full_name: str
    email: str
    organisation: Organisation
    role: str


@transaction.atomic
def invite_staff(request: HttpRequest, actor: User, invitation: Invitation) -> Membership:
    """Give someone a role at the organisation. An account with this email address gains the
    role; otherwise a new account is made with no password, and an email links to setting one."""
    email = invitation.email.strip()
    existing = list(User.objects.filter(email__iexact=email)[:2])
    if len(existing) > 1:
        raise StaffChangeRefused(
            "More than one account uses this email address. Ask your platform administrator "
            "to give this person a role"
        )
    user = existing[0] if existing else _new_account(invitation.full_name, email)
    if Membership.objects.filter(user=user, organisation=invitation.organisation).exists():
        raise StaffChangeRefused(
            f"{email} already has a role at {invitation.organisation.name}. Change their role "
            "from the staff list instead"
        )
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    membership = Membership.objects.create(
        user=user, organisation=invitation.organisation, role=invitation.role
    )
    audit.record_audit(
        actor,
        audit.STAFF_INVITED,
        organisation=invitation.organisation,
        subject=user,
        detail={"email": email, "role": invitation.role, "new_account": not existing},
        request=request,
    )
    context = {
        "user": user,
        "organisation": invitation.organisation,
        "role": Role(invitation.role).label,
        "invited_by": actor,
        "set_password_url": None
        if user.has_usable_password()
        else _set_password_url(request, user),
        "sign_in_url": request.build_absolute_uri(reverse("staff:login")),
        "days": settings.PASSWORD_RESET_TIMEOUT // (24 * 3600),
    }
    transaction.on_commit(lambda: _send_invitation(email, context))
    return membership


def _new_account(full_name: str, email: str) -> User:
    first, _, last = full_name.strip().partition(" ")
    username = email.lower()
    if User.objects.filter(username=username).exists():
        raise StaffChangeRefused(
            f"An account is already named {username}. Ask your platform administrator"
        )
    user = User(username=username, email=email, first_name=first[:150], last_name=last[:150])
    user.set_unusable_password()
    user.save()
    return user


def _set_password_url(request: HttpRequest, user: User) -> str:
    path = reverse(
        "staff:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return request.build_absolute_uri(path)


def _send_invitation(email: str, context: dict[str, object]) -> None:
    send_mail(
        subject=f"You have been given a role at {context['organisation']} on patientvoice",
        message=render_to_string("people/email/invitation.txt", context),
        from_email=None,
        recipient_list=[email],
    )


@transaction.atomic
def change_role(request: HttpRequest, actor: User, membership: Membership, role: str) -> None:
    if membership.role == role:
        return
    _check_keeps_an_admin(membership, role)
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit.record_audit(
        actor,
        audit.ROLE_CHANGED,
        organisation=membership.organisation_id,
        subject=membership.user,
        detail={"from": before, "to": role},
        request=request,
    )


@transaction.atomic
def remove_staff(request: HttpRequest, actor: User, membership: Membership) -> bool:
    """Take away the role; an account left with no role anywhere is deactivated, which also
    ends its sessions. Returns whether the account was deactivated."""
    _check_keeps_an_admin(membership, None)
    user = membership.user
    membership.delete()
    deactivated = not Membership.objects.filter(user=user).exists()
    if deactivated:
        user.is_active = False
        user.save(update_fields=["is_active"])
    audit.record_audit(
        actor,
        audit.STAFF_DEACTIVATED,
        organisation=membership.organisation_id,
        subject=user,
        detail={"role": membership.role, "account_deactivated": deactivated},
        request=request,
    )
    return deactivated


def _check_keeps_an_admin(membership: Membership, new_role: str | None) -> None:
    """Every organisation keeps at least one admin, so nobody can remove the last admin role,
    their own included, and leave the organisation unable to manage its staff."""
    if membership.role != Role.ORG_ADMIN or new_role == Role.ORG_ADMIN:
        return
    others = (
        Membership.objects.select_for_update()
        .filter(
            organisation_id=membership.organisation_id, role=Role.ORG_ADMIN, user__is_active=True
        )
        .exclude(pk=membership.pk)
    )
    if not others.exists():
        raise StaffChangeRefused(
            f"{membership.user} is the only organisation admin at {membership.organisation}. "
            "Make someone else an organisation admin first"
        )
