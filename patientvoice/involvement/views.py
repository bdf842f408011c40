"""A group's workspace: members, join requests, meetings, papers, minutes and actions.

Open to anyone with an account who holds a role in the group (a lay chair needs no staff role);
each view loads through `involvement.access` and changes through `involvement.services`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from patientvoice.involvement import access, rules, services
from patientvoice.involvement.forms import (
    ActionForm,
    ActionStatusForm,
    ApproveForm,
    DecisionForm,
    DecisionTextForm,
    MeetingForm,
    MessageForm,
    MinutesForm,
    PaperForm,
    ReportBackForm,
    RoleForm,
    SeatForm,
)
from patientvoice.involvement.models import Action, GroupMember, Meeting
from patientvoice.people import rules as staff_rules
from patientvoice.people.decorators import staff_member_required
from patientvoice.people.models import User


def account_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Sign-in for visitors. Staff pass the staff gate (two-factor where their organisation
    requires it); other accounts go on, and the group's access helper decides."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if staff_rules.is_staff_member(request.user):
            return staff_member_required(view)(request, *args, **kwargs)
        return view(request, *args, **kwargs)

    return wrapper


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # account_required turned visitors away
    return request.user


def _render(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, f"involvement/{template}", context)


def _errors(form: Any, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


@account_required
def group_list(request: HttpRequest) -> HttpResponse:
    memberships = list(
        access.memberships_of(_user(request))
        .filter(group__is_published=True)
        .select_related("group__host")
        .order_by("group__name")
    )
    return _render(request, "group_list.jinja", {"memberships": memberships})


@account_required
def group_home(request: HttpRequest, slug: str) -> HttpResponse:
    seat = access.access_group(_user(request), slug, rules.VIEW_GROUP)
    meetings = list(
        Meeting.objects.filter(group=seat.group)
        .annotate(paper_count=Count("papers", distinct=True))
        .prefetch_related("minutes")
        .order_by("-starts_at")[:50]
    )
    context: dict[str, Any] = {"seat": seat, "group": seat.group, "meetings": meetings}
    context["open_actions"] = list(
        Action.objects.filter(group=seat.group, status=Action.Status.OPEN).select_related(
            "raised_in__meeting"
        )[:100]
    )
    if seat.can(rules.DECIDE_JOIN_REQUESTS):
        context["pending"] = services.pending_join_requests(seat.group).count()
    return _render(request, "group_home.jinja", context)


@account_required
def member_list(request: HttpRequest, slug: str) -> HttpResponse:
    seat = access.access_group(_user(request), slug, rules.VIEW_MEMBERS)
    members = list(
        GroupMember.objects.filter(group=seat.group, person__erased_at__isnull=True)
        .select_related("person")
        .order_by("person__full_name")
    )
    # Only what each member agreed to share: the rest of their details stay with the host.
    rows = [(m, m.shared_details(m.person)) for m in members]
    return _render(request, "member_list.jinja", {"seat": seat, "group": seat.group, "rows": rows})


@account_required
def join_requests(request: HttpRequest, slug: str) -> HttpResponse:
    seat = access.access_group(_user(request), slug, rules.DECIDE_JOIN_REQUESTS)
    pending = [(r, r.shared_details(r.person)) for r in services.pending_join_requests(seat.group)]
    untold = [(r, r.shared_details(r.person)) for r in services.untold_decisions(seat.group)]
    return _render(
        request,
        "join_requests.jinja",
        {"seat": seat, "group": seat.group, "pending": pending, "untold": untold},
    )


@account_required
def join_request_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    join_request, seat = access.access_join_request(
        _user(request), request_id, rules.DECIDE_JOIN_REQUESTS
    )
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_join_request(
                join_request,
                _user(request),
                accept=form.cleaned_data["decision"] == "accept",
                reply=form.cleaned_data["reply"],
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            how = "by email" if join_request.told_by_email else "yourself, by phone or post"
            messages.success(request, f"{join_request.person.full_name} will be told {how}")
            return redirect("staff:group_join_requests", seat.group.slug)
    return _render(
        request,
        "join_request_decide.jinja",
        {
            "group": seat.group,
            "join_request": join_request,
            "shared": join_request.shared_details(join_request.person),
            "form": form,
        },
    )


@require_POST
@account_required
def join_request_told(request: HttpRequest, request_id: int) -> HttpResponse:
    join_request, seat = access.access_join_request(
        _user(request), request_id, rules.DECIDE_JOIN_REQUESTS
    )
    try:
        services.mark_told(join_request, _user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("staff:group_join_requests", seat.group.slug)


@account_required
def meeting_new(request: HttpRequest, slug: str) -> HttpResponse:
    seat = access.access_group(_user(request), slug, rules.SCHEDULE_MEETINGS)
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.schedule_meeting(
                seat.group,
                _user(request),
                starts_at=form.starts_at(),
                place=form.cleaned_data["place"],
                online_link=form.cleaned_data["online_link"],
                agenda=form.agenda_items(),
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            return redirect("staff:group_meeting", meeting.pk)
    return _render(request, "meeting_form.jinja", {"group": seat.group, "form": form})


@account_required
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting, seat = access.access_meeting(_user(request), meeting_id, rules.VIEW_GROUP)
    return _render(
        request,
        "meeting_detail.jinja",
        {
            "seat": seat,
            "group": seat.group,
            "meeting": meeting,
            "agenda": list(meeting.agenda_items.all()),
            "papers": list(meeting.papers.all()),
            "minutes": services.current_minutes(meeting),
            "carried": list(services.carried_forward(meeting)),
        },
    )


@account_required
def paper_new(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting, seat = access.access_meeting(_user(request), meeting_id, rules.SCHEDULE_MEETINGS)
    form = PaperForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        services.add_paper(
            meeting,
            _user(request),
            title=form.cleaned_data["title"],
            upload=form.cleaned_data["file"],
        )
        messages.success(request, "Paper added")
        return redirect("staff:group_meeting", meeting.pk)
    return _render(
        request, "paper_form.jinja", {"group": seat.group, "meeting": meeting, "form": form}
    )


@account_required
def paper_download(request: HttpRequest, paper_id: int) -> FileResponse:
    paper, _seat = access.access_paper(_user(request), paper_id, rules.VIEW_GROUP)
    return FileResponse(paper.file.open("rb"), as_attachment=True, filename=paper.original_name)


@account_required
def minutes_edit(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The meeting's minutes: the draft's text, decisions and actions while it is a draft, and
    the approve, publish and correct steps after."""
    meeting, seat = access.access_meeting(_user(request), meeting_id, rules.VIEW_GROUP)
    minutes = services.current_minutes(meeting)
    if request.method == "POST":
        access.access_meeting(_user(request), meeting_id, rules.RECORD_MINUTES)
        minutes = minutes or services.start_minutes(meeting, _user(request))
    form = MinutesForm(
        request.POST or None,
        initial={"attendance": minutes.attendance, "discussion": minutes.discussion}
        if minutes
        else None,
    )
    if request.method == "POST" and minutes is not None and form.is_valid():
        try:
            services.save_minutes_text(minutes, _user(request), **form.cleaned_data)
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, "Minutes saved")
            return redirect("staff:group_minutes", meeting.pk)
    return _minutes_page(request, meeting, seat, minutes, form=form)


def _minutes_page(
    request: HttpRequest,
    meeting: Meeting,
    seat: access.Seat,
    minutes: Any,
    **forms: Any,
) -> HttpResponse:
    context: dict[str, Any] = {
        "seat": seat,
        "group": seat.group,
        "meeting": meeting,
        "minutes": minutes,
        "decisions": list(minutes.decisions.all()) if minutes else [],
        "actions": list(minutes.actions.all()) if minutes else [],
        "carried": list(services.carried_forward(meeting)),
        "form": forms.get("form")
        or MinutesForm(
            initial={"attendance": minutes.attendance, "discussion": minutes.discussion}
            if minutes
            else None
        ),
        "decision_form": forms.get("decision_form") or DecisionTextForm(),
        "action_form": forms.get("action_form") or ActionForm(),
    }
    if minutes is not None and minutes.is_draft and seat.can(rules.APPROVE_MINUTES):
        context["approve_form"] = forms.get("approve_form") or ApproveForm(
            meetings=services.later_meetings(minutes)
        )
    return _render(request, "minutes.jinja", context)


@require_POST
@account_required
def minutes_decision_new(request: HttpRequest, minutes_id: int) -> HttpResponse:
    minutes, seat = access.access_minutes(_user(request), minutes_id, rules.RECORD_MINUTES)
    form = DecisionTextForm(request.POST)
    if form.is_valid():
        try:
            services.add_decision(minutes, form.cleaned_data["text"])
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, "Decision added")
            return redirect("staff:group_minutes", minutes.meeting_id)
    return _minutes_page(request, minutes.meeting, seat, minutes, decision_form=form)


@require_POST
@account_required
def minutes_action_new(request: HttpRequest, minutes_id: int) -> HttpResponse:
    minutes, seat = access.access_minutes(_user(request), minutes_id, rules.RECORD_MINUTES)
    form = ActionForm(request.POST)
    if form.is_valid():
        try:
            services.add_action(minutes, **form.cleaned_data)
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, "Action added")
            return redirect("staff:group_minutes", minutes.meeting_id)
    return _minutes_page(request, minutes.meeting, seat, minutes, action_form=form)


@require_POST
@account_required
def minutes_approve(request: HttpRequest, minutes_id: int) -> HttpResponse:
    minutes, seat = access.access_minutes(_user(request), minutes_id, rules.APPROVE_MINUTES)
    form = ApproveForm(request.POST, meetings=services.later_meetings(minutes))
    if form.is_valid():
        try:
            services.approve_minutes(minutes, _user(request), form.cleaned_data["meeting"])
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, "Minutes approved")
            return redirect("staff:group_minutes", minutes.meeting_id)
    return _minutes_page(request, minutes.meeting, seat, minutes, approve_form=form)


@require_POST
@account_required
def minutes_publish(request: HttpRequest, minutes_id: int) -> HttpResponse:
    minutes, _seat = access.access_minutes(_user(request), minutes_id, rules.PUBLISH_MINUTES)
    try:
        services.publish_minutes(minutes, _user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Minutes published on the group's page")
    return redirect("staff:group_minutes", minutes.meeting_id)


@require_POST
@account_required
def minutes_correct(request: HttpRequest, minutes_id: int) -> HttpResponse:
    minutes, _seat = access.access_minutes(_user(request), minutes_id, rules.RECORD_MINUTES)
    try:
        services.correct_minutes(minutes, _user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "A corrected version has been started as a draft")
    return redirect("staff:group_minutes", minutes.meeting_id)


@require_POST
@account_required
def action_status(request: HttpRequest, action_id: int) -> HttpResponse:
    action, seat = access.access_action(_user(request), action_id, rules.RECORD_MINUTES)
    form = ActionStatusForm(request.POST)
    if form.is_valid():
        services.update_action(action, form.cleaned_data["status"])
        messages.success(request, "Action updated")
    return redirect("staff:group_home", seat.group.slug)


@account_required
def seats(request: HttpRequest, slug: str) -> HttpResponse:
    """The group's committee seats and their report-backs; organisers add seats here."""
    place = access.access_group(_user(request), slug, rules.VIEW_GROUP)
    members = GroupMember.objects.filter(group=place.group).select_related("person")
    form = SeatForm(request.POST or None, members=members)
    if request.method == "POST":
        access.access_group(_user(request), slug, rules.MANAGE_SEATS)
        if form.is_valid():
            try:
                services.add_seat(place.group, **form.cleaned_data)
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, "Seat added")
                return redirect("staff:group_seats", place.group.slug)
    return _render(
        request,
        "seats.jinja",
        {
            "seat": place,
            "group": place.group,
            "seats": list(services.group_seats(place.group)),
            "reports": services.recent_reports(place.group, limit=50),
            "form": form,
            "user_id": _user(request).pk,
        },
    )


@account_required
def seat_report(request: HttpRequest, seat_id: int) -> HttpResponse:
    committee_seat, place = access.access_seat(_user(request), seat_id)
    form = ReportBackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.report_back(committee_seat, _user(request), **form.cleaned_data)
        messages.success(request, "Thank you: your report is on the group's page")
        return redirect("staff:group_seats", place.group.slug)
    return _render(
        request,
        "report_back_form.jinja",
        {"group": place.group, "committee_seat": committee_seat, "form": form},
    )


@account_required
def message_new(request: HttpRequest, slug: str) -> HttpResponse:
    place = access.access_group(_user(request), slug, rules.MESSAGE_MEMBERS)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        message = services.send_group_message(place.group, _user(request), **form.cleaned_data)
        return redirect("staff:group_message", message.pk)
    return _render(
        request,
        "message_form.jinja",
        {
            "group": place.group,
            "form": form,
            "emailed": services.emailed_members(place.group).count(),
            "by_hand": services.members_to_reach_by_hand(place.group).count(),
        },
    )


@account_required
def message_detail(request: HttpRequest, message_id: int) -> HttpResponse:
    """The message, and a printable list of members without email to post it to or phone,
    with only the details each agreed to share."""
    message, place = access.access_message(_user(request), message_id, rules.MESSAGE_MEMBERS)
    rows = [
        (m, m.shared_details(m.person))
        for m in services.members_to_reach_by_hand(place.group).order_by("person__full_name")
    ]
    return _render(
        request,
        "message_detail.jinja",
        {
            "group": place.group,
            "message": message,
            "rows": rows,
            "emailed": message.deliveries.count(),
        },
    )


@account_required
def member_edit(request: HttpRequest, member_id: int) -> HttpResponse:
    member, place = access.access_member(_user(request), member_id, rules.MANAGE_MEMBERS)
    form = RoleForm(request.POST or None, initial={"role": member.role})
    if request.method == "POST" and form.is_valid():
        try:
            services.change_role(member, _user(request), form.cleaned_data["role"])
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(
                request, f"{member.person.full_name} is now {member.get_role_display()}"
            )
            return redirect("staff:group_members", place.group.slug)
    return _render(
        request, "member_edit.jinja", {"group": place.group, "member": member, "form": form}
    )


@require_POST
@account_required
def member_remove(request: HttpRequest, member_id: int) -> HttpResponse:
    member, place = access.access_member(_user(request), member_id, rules.MANAGE_MEMBERS)
    try:
        services.remove_member(member, _user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("staff:group_member", member.pk)
    messages.success(request, f"{member.person.full_name} has left the group")
    return redirect("staff:group_members", place.group.slug)
