"""Staff pages: the feedback list and detail, and entering an experience on someone's behalf."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from patientvoice.feedback.access import (
    access_experience,
    access_service_for_capture,
    experiences_for,
    services_for_capture,
    services_with,
)
from patientvoice.feedback.forms import CaptureExperienceForm, FeedbackFilterForm
from patientvoice.feedback.models import Comment, Experience
from patientvoice.feedback.privacy import record_personal_reads
from patientvoice.feedback.services import submit_feedback
from patientvoice.feedback.views import experience_input
from patientvoice.people import rules
from patientvoice.people.decorators import staff_member_required, staff_user

PAGE_SIZE = 50


def _filtered(experiences: QuerySet[Experience], form: FeedbackFilterForm) -> QuerySet[Experience]:
    if not form.is_valid():
        return experiences
    data = form.cleaned_data
    if data["service"]:
        experiences = experiences.filter(service_id=data["service"])
    if data["rating"]:
        experiences = experiences.filter(rating=data["rating"])
    if data["channel"]:
        experiences = experiences.filter(channel=data["channel"])
    if data["date_from"]:
        experiences = experiences.filter(submitted_at__date__gte=data["date_from"])
    if data["date_to"]:
        end = data["date_to"] + datetime.timedelta(days=1)
        experiences = experiences.filter(submitted_at__date__lt=end)
    return experiences


@staff_member_required
def feedback_list(request: HttpRequest) -> HttpResponse:
    # Submissions held back for review are on their own page until released.
    scoped = experiences_for(staff_user(request)).filter(status=Experience.Status.COUNTED)
    services = [
        (service.pk, f"{service.name} ({service.organisation.name})")
        for service in services_with(staff_user(request), rules.VIEW_FEEDBACK).order_by("name")
    ]
    form = FeedbackFilterForm(request.GET or None, services=services)
    # A correlated count, not a join and GROUP BY: it runs only for the rows on the page, and
    # the paginator's COUNT(*) stays a plain count over the filtered table.
    comment_count = (
        Comment.objects.filter(experience=OuterRef("pk"))
        .order_by()
        .values("experience")
        .annotate(n=Count("pk"))
        .values("n")
    )
    experiences = (
        _filtered(scoped, form)
        .select_related("service__organisation")
        .annotate(comment_count=Subquery(comment_count))
        .order_by("-submitted_at", "-id")
    )
    page = Paginator(experiences, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "feedback/staff/list.jinja",
        {"form": form, "page": page, "query": query.urlencode(), "staff_area": True},
    )


@staff_member_required
def feedback_detail(request: HttpRequest, reference: str) -> HttpResponse:
    user = staff_user(request)
    experience = access_experience(user, reference)
    org_id = experience.organisation_id
    show_contact = rules.has_permission(user, rules.VIEW_CONTACT_DETAILS, org_id)
    show_equality = rules.has_permission(user, rules.VIEW_EQUALITY, org_id)
    record_personal_reads(
        user, experience, contact=show_contact, equality=show_equality, request=request
    )
    return render(
        request,
        "feedback/staff/detail.jinja",
        {
            "experience": experience,
            "show_contact": show_contact,
            "show_equality": show_equality,
            "staff_area": True,
        },
    )


@staff_member_required
def capture_choose_service(request: HttpRequest) -> HttpResponse:
    if not rules.organisations_with(staff_user(request), rules.CAPTURE_FEEDBACK):
        raise PermissionDenied("Your role does not include entering feedback for people")
    services = services_for_capture(staff_user(request)).order_by("organisation__name", "name")
    return render(
        request, "feedback/staff/capture_choose.jinja", {"services": services, "staff_area": True}
    )


@staff_member_required
def capture(request: HttpRequest, slug: str) -> HttpResponse:
    service = access_service_for_capture(staff_user(request), slug)
    form = CaptureExperienceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        experience, _ = submit_feedback(
            experience_input(
                form,
                service,
                channel=form.cleaned_data["channel"],
                consent_method=form.cleaned_data["consent_method"],
                captured_by=staff_user(request),
            )
        )
        return redirect("staff:feedback_detail", reference=experience.reference)
    return render(
        request,
        "feedback/staff/capture.jinja",
        {"form": form, "service": service, "staff_area": True},
    )
