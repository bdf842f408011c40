"""The staff area's own pages: an organisation admin's team (invite, change role, remove,
two-factor settings), its audit log, and each user's two-factor sign-in."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from patientvoice.directory.models import Organisation
from patientvoice.people import audit, rules, two_factor
from patientvoice.people.accounts import (
    Invitation,
    StaffChangeRefused,
    change_role,
    invite_staff,
    remove_staff,
)
from patientvoice.people.decorators import (
    signed_in_staff_required,
    staff_member_required,
    staff_user,
)
from patientvoice.people.forms import (
    AuditFilterForm,
    ChangeRoleForm,
    InviteStaffForm,
    StaffPolicyForm,
    TwoFactorCodeForm,
)
from patientvoice.people.models import AuditEvent, Membership, StaffPolicy, User
from patientvoice.people.sign_in_views import safe_next_url

AUDIT_PAGE_SIZE = 50


# --- Access: load and authorise ----------------------------------------------------------------


def managed_organisations(user: User) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        pk__in=rules.organisations_with(user, rules.MANAGE_STAFF)
    ).order_by("name")


def access_managed_organisation(user: User, organisation_id: int) -> Organisation:
    return get_object_or_404(managed_organisations(user), pk=organisation_id)


def access_membership(user: User, membership_id: int) -> Membership:
    """A role at one of the organisations the user manages; anything else is not found."""
    memberships = Membership.objects.select_related("user", "organisation").filter(
        organisation_id__in=rules.organisations_with(user, rules.MANAGE_STAFF)
    )
    return get_object_or_404(memberships, pk=membership_id)


def _require_manager(user: User) -> list[Organisation]:
    organisations = list(managed_organisations(user))
    if not organisations:
        raise PermissionDenied("Only organisation admins manage staff")
    return organisations


# --- The team ----------------------------------------------------------------------------------


@staff_member_required
def team(request: HttpRequest) -> HttpResponse:
    organisations = _require_manager(staff_user(request))
    has_two_factor = TOTPDevice.objects.filter(user=OuterRef("user"), confirmed=True)
    memberships = (
        Membership.objects.filter(organisation__in=organisations)
        .select_related("user")
        .annotate(two_factor=Exists(has_two_factor))
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    policies = {
        policy.organisation_id: policy.require_two_factor
        for policy in StaffPolicy.objects.filter(organisation__in=organisations)
    }
    teams = [
        {
            "organisation": organisation,
            "memberships": [m for m in memberships if m.organisation_id == organisation.pk],
            "policy_form": StaffPolicyForm(
                initial={"require_two_factor": policies.get(organisation.pk, False)},
                prefix=f"org{organisation.pk}",
            ),
        }
        for organisation in organisations
    ]
    return render(request, "people/staff/team.jinja", {"teams": teams, "staff_area": True})


@staff_member_required
def team_invite(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    organisations = _require_manager(user)
    form = InviteStaffForm(
        request.POST or None, organisations=[(o.pk, o.name) for o in organisations]
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation = access_managed_organisation(user, data["organisation"])
        try:
            invite_staff(
                request,
                user,
                Invitation(data["full_name"], data["email"], organisation, data["role"]),
            )
        except StaffChangeRefused as refused:
            form.add_error("email", str(refused))
        else:
            messages.success(
                request,
                f"{data['email']} now has a role at {organisation.name}. We have emailed them",
            )
            return redirect("staff:team")
    return render(request, "people/staff/invite.jinja", {"form": form, "staff_area": True})


@staff_member_required
def team_member(request: HttpRequest, membership_id: int) -> HttpResponse:
    user = staff_user(request)
    membership = access_membership(user, membership_id)
    form = ChangeRoleForm(request.POST or None, initial={"role": membership.role})
    if request.method == "POST" and form.is_valid():
        try:
            change_role(request, user, membership, form.cleaned_data["role"])
        except StaffChangeRefused as refused:
            form.add_error("role", str(refused))
        else:
            messages.success(
                request, f"{membership.user} is now {membership.get_role_display().lower()}"
            )
            return redirect("staff:team")
    context = {
        "membership": membership,
        "form": form,
        "has_two_factor": two_factor.confirmed_device(membership.user) is not None,
        "staff_area": True,
    }
    return render(request, "people/staff/member.jinja", context)


@staff_member_required
def team_remove(request: HttpRequest, membership_id: int) -> HttpResponse:
    user = staff_user(request)
    membership = access_membership(user, membership_id)
    problem = None
    if request.method == "POST":
        name, organisation = str(membership.user), membership.organisation.name
        try:
            deactivated = remove_staff(request, user, membership)
        except StaffChangeRefused as refused:
            problem = str(refused)
        else:
            ending = " Their account is deactivated." if deactivated else ""
            messages.success(request, f"{name} no longer has a role at {organisation}.{ending}")
            return redirect("staff:team")
    context = {"membership": membership, "problem": problem, "staff_area": True}
    return render(request, "people/staff/remove.jinja", context)


@require_POST
@staff_member_required
def team_reset_two_factor(request: HttpRequest, membership_id: int) -> HttpResponse:
    """For someone who lost their phone: they set two-factor sign-in up again at next sign-in."""
    membership = access_membership(staff_user(request), membership_id)
    two_factor.remove_two_factor(
        request, staff_user(request), membership.user, organisation=membership.organisation
    )
    messages.success(
        request,
        f"{membership.user} can now sign in with their password alone, and set up two-factor "
        "sign-in again",
    )
    return redirect("staff:team_member", membership_id=membership.pk)


@require_POST
@staff_member_required
def team_policy(request: HttpRequest, organisation_id: int) -> HttpResponse:
    user = staff_user(request)
    organisation = access_managed_organisation(user, organisation_id)
    form = StaffPolicyForm(request.POST, prefix=f"org{organisation.pk}")
    form.is_valid()  # a checkbox: always valid
    required = bool(form.cleaned_data.get("require_two_factor"))
    two_factor.set_two_factor_requirement(request, user, organisation, required)
    state = "must now use" if required else "no longer have to use"
    messages.success(
        request,
        f"Staff at {organisation.name} who see contact details or equality answers {state} "
        "two-factor sign-in",
    )
    return redirect("staff:team")


# --- The audit log -----------------------------------------------------------------------------

ACTION_NAMES = {
    audit.VIEWED_CONTACT_DETAILS: "Viewed contact details",
    audit.VIEWED_EQUALITY: "Viewed equality answers",
    audit.EXPORTED: "Exported records",
    audit.ROLE_CHANGED: "Changed a role",
    audit.STAFF_INVITED: "Gave someone a role",
    audit.STAFF_DEACTIVATED: "Removed someone's role",
    audit.POPULATION_UPLOADED: "Uploaded population figures",
    audit.PERSON_EXPORTED: "Exported what we hold about a person",
    audit.PERSON_ERASED: "Erased a person",
    audit.CONSENT_WITHDRAWN: "Recorded a withdrawal of consent",
    audit.SUBMISSION_RELEASED: "Released a held-back submission",
    audit.SIGN_IN_FAILED: "Failed sign-in",
    audit.TWO_FACTOR_CHANGED: "Changed two-factor sign-in",
    audit.PASSWORD_CHANGED: "Changed a password",
    audit.ORGANISATION_DETAILS_CHANGED: "Changed the organisation's privacy details",
    audit.REPORT_SIGNED_OFF: "Signed off a report",
    audit.REPORT_ISSUED: "Issued a report",
    audit.REPORT_CORRECTED: "Started a corrected version of a report",
    audit.REPORT_PUBLISHED: "Published a report",
    audit.RESPONSE_RECORDED: "Recorded a response to a recommendation",
    audit.RESPONSE_REMINDER_SENT: "Reminded an organisation that responses are due",
    audit.RESPONSE_ESCALATED: "Escalated an overdue response",
    audit.CONCERN_DECIDED: "Confirmed, dismissed or regraded a concern",
}


@staff_member_required
def audit_log(request: HttpRequest) -> HttpResponse:
    organisations = _require_manager(staff_user(request))
    actions = sorted(ACTION_NAMES.items(), key=lambda item: item[1])
    form = AuditFilterForm(request.GET or None, actions=actions)
    events = AuditEvent.objects.filter(organisation__in=organisations).select_related(
        "organisation"
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["person"]:
            events = events.filter(actor_username__iexact=data["person"].strip())
        if data["date_from"]:
            events = events.filter(at__date__gte=data["date_from"])
        if data["date_to"]:
            events = events.filter(at__date__lt=data["date_to"] + datetime.timedelta(days=1))
    page = Paginator(events.order_by("-at", "-id"), AUDIT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "action_names": ACTION_NAMES,
        "localtime": timezone.localtime,
        "staff_area": True,
    }
    return render(request, "people/staff/audit_log.jinja", context)


# --- Your own two-factor sign-in ---------------------------------------------------------------


@signed_in_staff_required
def two_factor_settings(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    device = two_factor.confirmed_device(user)
    requiring = two_factor.organisations_requiring(user)
    if device is not None:
        context = {"device": device, "requiring": requiring, "staff_area": True}
        return render(request, "people/staff/two_factor_on.jinja", context)
    setup = two_factor.pending_setup(user)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        problem = two_factor.check_code(setup, form.cleaned_data["code"])
        if problem is None:
            two_factor.confirm_two_factor(request, user, setup)
            messages.success(
                request, "Two-factor sign-in is on. You will need a code each time you sign in"
            )
            return redirect(safe_next_url(request, "staff:two_factor"))
        form.add_error("code", problem)
    context = {
        "form": form,
        "qr_code": two_factor.qr_code(setup),
        "key": two_factor.manual_key(setup),
        "requiring": requiring,
        "staff_area": True,
    }
    return render(request, "people/staff/two_factor_setup.jinja", context)


@require_POST
@signed_in_staff_required
def two_factor_remove(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    if two_factor.organisations_requiring(user):
        messages.error(request, "Your organisation requires two-factor sign-in, so it stays on")
    else:
        two_factor.remove_two_factor(request, user, user)
        messages.success(request, "Two-factor sign-in is off")
    return redirect("staff:two_factor")
