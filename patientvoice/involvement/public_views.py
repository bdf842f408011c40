"""Public pages: asking to join a group, a group's published minutes, and the section of the
group page (directory) that shows the next meetings and the minutes."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from patientvoice.defences import screen_post, too_many_requests
from patientvoice.directory.models import Group
from patientvoice.involvement import services
from patientvoice.involvement.forms import JoinForm
from patientvoice.involvement.models import Minutes

PUBLISHED_MINUTES_SHOWN = 12


def _joinable_group(slug: str) -> Group:
    group = get_object_or_404(Group.objects.select_related("host"), slug=slug, is_published=True)
    if group.join_method == Group.JoinMethod.INVITATION:
        raise Http404  # members are invited or elected: there is nothing to ask
    return group


def join(request: HttpRequest, slug: str) -> HttpResponse:
    group = _joinable_group(slug)
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        screening = screen_post(
            request, "join_group", data["submission_token"], form.honeypot_filled()
        )
        if screening.refuse:
            return too_many_requests(request)
        services.request_to_join(
            group,
            services.JoinInput(
                full_name=data["full_name"],
                preferred_contact=data["preferred_contact"],
                email=data["email"],
                phone=data["phone"],
                postal_address=data["postal_address"],
                share_email="share_email" in data["share"],
                share_phone="share_phone" in data["share"],
                share_address="share_address" in data["share"],
                about_me=data["about_me"],
                submission_token=data["submission_token"].token,
                held_back_reason=screening.reason,
            ),
        )
        return redirect("involvement:join_done", group.slug)
    return render(request, "involvement/join.jinja", {"group": group, "form": form})


def join_done(request: HttpRequest, slug: str) -> HttpResponse:
    group = _joinable_group(slug)
    return render(request, "involvement/join_done.jinja", {"group": group})


def minutes_detail(request: HttpRequest, slug: str, minutes_id: int) -> HttpResponse:
    minutes = get_object_or_404(
        Minutes.objects.select_related("meeting__group", "corrects"),
        pk=minutes_id,
        status=Minutes.Status.PUBLISHED,
        meeting__group__slug=slug,
        meeting__group__is_published=True,
    )
    newer = Minutes.objects.filter(corrects=minutes, status=Minutes.Status.PUBLISHED).first()
    return render(
        request,
        "involvement/public_minutes.jinja",
        {
            "group": minutes.meeting.group,
            "minutes": minutes,
            "record": minutes.record,
            "newer": newer,
        },
    )


def group_page_section(group: Group) -> tuple[str, dict[str, Any]] | None:
    """What the public group page shows of the group's work. Empty parts are left out, never
    filled with placeholder text."""
    return (
        "involvement/group_section.jinja",
        {
            "meetings": services.upcoming_meetings(group),
            "minutes": list(services.published_minutes(group)[:PUBLISHED_MINUTES_SHOWN]),
            "can_ask_to_join": group.join_method != Group.JoinMethod.INVITATION,
            "seats": list(services.group_seats(group)),
            "reports": services.recent_reports(group),
        },
    )
