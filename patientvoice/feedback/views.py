"""Public pages: choose a service, share an experience of it, the thank-you page, and the link
that confirms a contact email address."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from patientvoice.defences import screen_post, too_many_requests
from patientvoice.directory.models import Service
from patientvoice.directory.queries import find_services, shareable_service
from patientvoice.feedback import emails
from patientvoice.feedback.forms import ShareExperienceForm
from patientvoice.feedback.models import Experience
from patientvoice.feedback.services import ExperienceInput, hold_back_source, submit_feedback

logger = logging.getLogger(__name__)


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
        submission_token=data["submission_token"].token,
        **extra,  # type: ignore[arg-type]
    )


def share(request: HttpRequest, slug: str) -> HttpResponse:
    if request.method != "POST":
        service = _shareable(slug)
        return render(
            request, "feedback/share.jinja", {"form": ShareExperienceForm(), "service": service}
        )
    try:
        return _share_post(request, slug)
    except OperationalError:
        # The database is down or unreachable: say plainly that nothing was saved, and give
        # the person back what they wrote so it is not lost with the page.
        logger.exception("Share form: feedback about %s not saved", slug)
        return render(
            request,
            "feedback/not_saved.jinja",
            {
                "words": [
                    request.POST.get(n, "")[:5000] for n in ("what_was_good", "could_be_better")
                ],
                "phone": getattr(settings, "PATIENTVOICE_OPERATOR_PHONE", ""),
            },
            status=503,
        )


def _shareable(slug: str) -> Service:
    try:
        return shareable_service(slug)
    except Service.DoesNotExist:
        raise Http404("No such service, or it no longer takes feedback") from None


def _share_post(request: HttpRequest, slug: str) -> HttpResponse:
    service = _shareable(slug)
    form = ShareExperienceForm(request.POST)
    if not form.is_valid():
        return render(request, "feedback/share.jinja", {"form": form, "service": service})
    screening = screen_post(
        request,
        "share",
        form.cleaned_data["submission_token"],
        form.honeypot_filled(),
        scope=f"service:{service.pk}",
    )
    if screening.refuse:
        return too_many_requests(request)
    experience, _ = submit_feedback(
        experience_input(
            form,
            service,
            channel=Experience.Channel.WEB,
            consent_method=Experience.ConsentMethod.ONLINE,
            held_back_reason=screening.reason,
            source_key=screening.source,
            check_duplicates=True,
        )
    )
    if screening.held_since is not None:
        hold_back_source(
            service,
            screening.source,
            datetime.datetime.fromtimestamp(screening.held_since, datetime.UTC),
        )
    # Held back or not, the same thank-you: a bot learns nothing about what tripped.
    return redirect("feedback:thank_you", reference=experience.reference)


def thank_you(request: HttpRequest, reference: str) -> HttpResponse:
    experience = get_object_or_404(
        Experience.objects.select_related("service__organisation"), reference=reference
    )
    return render(request, "feedback/thank_you.jinja", {"experience": experience})


def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the confirmation email. Opening it changes nothing (mail scanners open
    links); the button on the page confirms."""
    try:
        experience = emails.experience_for_token(token)
    except ValidationError as error:
        return render(
            request, "feedback/confirm_email.jinja", {"problem": error.messages[0]}, status=400
        )
    confirmed = False
    if request.method == "POST":
        emails.confirm_email_address(experience)
        confirmed = True
    return render(
        request,
        "feedback/confirm_email.jinja",
        {
            "experience": experience,
            "confirmed": confirmed or experience.contact.email_confirmed_at is not None,  # type: ignore[union-attr]
        },
    )
