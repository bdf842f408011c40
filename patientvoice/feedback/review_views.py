"""Staff pages: submissions the public form's defences held back, to release or reject.

Held-back submissions are in no figure until an officer releases one. Each decision is audited.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from patientvoice.defences import HoldReason
from patientvoice.feedback.access import access_held_back, held_back_for
from patientvoice.feedback.models import Comment
from patientvoice.feedback.services import reject_submission, release_submission
from patientvoice.people import rules
from patientvoice.people.decorators import staff_member_required, staff_user


@staff_member_required
def held_back_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    if not rules.organisations_with(user, rules.REVIEW_HELD_BACK):
        raise PermissionDenied("Your role does not include reviewing held-back submissions")
    held = held_back_for(user)
    # How many each source sent: a hundred from one address reads differently from one.
    per_source = dict(
        held.exclude(source_key="").values_list("source_key").annotate(n=Count("pk")).order_by()
    )
    reasons = held.values_list("held_back_reason").annotate(n=Count("pk")).order_by("-n")
    records = (
        held.select_related("service__organisation")
        .prefetch_related(Prefetch("comments", queryset=Comment.objects.order_by("pk")))
        .order_by("-submitted_at", "-pk")
    )
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/staff/held_back.jinja",
        {
            "page": page,
            "per_source": per_source,
            "reasons": list(reasons),
            "reason_labels": dict(HoldReason.choices),
            "staff_area": True,
        },
    )


@staff_member_required
@require_POST
def held_back_decide(request: HttpRequest, reference: str) -> HttpResponse:
    experience = access_held_back(staff_user(request), reference)
    decision = request.POST.get("decision")
    try:
        if decision == "release":
            release_submission(experience, staff_user(request), request)
            messages.success(request, f"{experience.reference} is released: it now counts")
        elif decision == "reject":
            reject_submission(experience, staff_user(request), request)
            messages.success(request, f"{experience.reference} is rejected: it will not count")
        else:
            messages.error(request, "Choose whether to release or reject the submission")
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect("staff:held_back_list")
