"""Public pages: choose a service, share an experience of it, and the thank-you page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from patientvoice.directory.models import Service
from patientvoice.directory.queries import find_services
from patientvoice.feedback.forms import ShareExperienceForm
from patientvoice.feedback.models import Experience
from patientvoice.feedback.services import ExperienceInput, submit_feedback


def choose_service(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    page = None
    if "q" in request.GET:
        page = Paginator(find_services(query), 20).get_page(request.GET.get("page"))
    return render(request, "feedback/choose_service.jinja", {"query": query, "page": page})


def experience_input(
    form: ShareExperienceForm, service: Service, **extra: object
) -> ExperienceInput:
    data = form.cleaned_data
    contact = data["may_contact"]
    return ExperienceInput(
        service=service,
        rating=data["rating"],
        respondent=data["respondent"],
        what_was_good=data["what_was_good"],
        could_be_better=data["could_be_better"],
        happened_on=data["happened_on"],
        may_publish=data["may_publish"],
        may_contact=contact,
        contact_name=data["contact_name"] if contact else "",
        contact_email=data["contact_email"] if contact else "",
        contact_phone=data["contact_phone"] if contact else "",
        equality=form.equality_answers(),
        submission_token=data["submission_token"],
        **extra,  # type: ignore[arg-type]
    )


def share(request: HttpRequest, slug: str) -> HttpResponse:
    service = get_object_or_404(
        Service.objects.select_related("organisation"), slug=slug, is_active=True
    )
    form = ShareExperienceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        experience, _ = submit_feedback(
            experience_input(
                form,
                service,
                channel=Experience.Channel.WEB,
                consent_method=Experience.ConsentMethod.ONLINE,
            )
        )
        return redirect("feedback:thank_you", reference=experience.reference)
    return render(request, "feedback/share.jinja", {"form": form, "service": service})


def thank_you(request: HttpRequest, reference: str) -> HttpResponse:
    experience = get_object_or_404(
        Experience.objects.select_related("service__organisation"), reference=reference
    )
    return render(request, "feedback/thank_you.jinja", {"experience": experience})
