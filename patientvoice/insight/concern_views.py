"""The safeguarding and complaints queue: the list, one concern with its triage decisions, and
the decisions exported as labelled sentences for the next training run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from patientvoice import csvexport
from patientvoice.defences import HoldReason
from patientvoice.feedback.models import Experience
from patientvoice.insight import review, triage
from patientvoice.insight.access import (
    access_concern,
    concerns_for,
    group_by_source,
    held_back_source,
)
from patientvoice.insight.forms import CloseConcernForm, ConcernDecisionForm
from patientvoice.insight.models import Concern, ConcernDecision
from patientvoice.people.decorators import staff_member_required, staff_user
from patientvoice.people.rules import TRIAGE_CONCERNS, organisations_with

OPEN = [Concern.Status.NEW, Concern.Status.PICKED_UP]
# What the concern templates need to name severities and categories.
LABELS = {"severities": triage.SEVERITIES, "category_label": triage.category_label}


@staff_member_required
def concern_list(request: HttpRequest) -> HttpResponse:
    """The queue. Concerns from submissions held back for review (a flood, a bot) are grouped
    by where they came from, one row per source, below the others: thirty posts from one
    address must not push a genuine disclosure off the first page. `?source=` lists a group."""
    if not organisations_with(staff_user(request), TRIAGE_CONCERNS):
        raise PermissionDenied("Your role does not include the concerns queue")
    status = request.GET.get("status", "open")
    concerns = concerns_for(staff_user(request))
    concerns = (
        concerns.filter(status=Concern.Status.CLOSED)
        if status == "closed"
        else (concerns.filter(status__in=OPEN))
    )
    source = request.GET.get("source")
    held_back_groups: list[dict[str, Any]] = []
    if source is not None:
        concerns = concerns.filter(held_back_source(source))
    elif status != "closed":
        held = concerns.exclude(comment__experience__status=Experience.Status.COUNTED)
        held_back_groups = group_by_source(held)
        concerns = concerns.filter(comment__experience__status=Experience.Status.COUNTED)
    # The comment's text is not shown here (the evidence sentence is), so it is not loaded.
    concerns = (
        concerns.select_related("comment__experience__service__organisation", "picked_up_by")
        .defer("comment__text", "findings")
        .order_by("severity", "-created_at", "-pk")
    )
    page = Paginator(concerns, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "insight/concern_list.jinja",
        {
            "page": page,
            "status": status,
            "source": source,
            "held_back_groups": held_back_groups,
            "reason_labels": dict(HoldReason.choices),
            "staff_area": True,
            **LABELS,
        },
    )


def _detail(
    request: HttpRequest,
    concern: Concern,
    form: CloseConcernForm,
    decision_form: ConcernDecisionForm,
) -> HttpResponse:
    decisions = concern.decisions.select_related("decided_by").order_by("-decided_at", "-pk")
    return render(
        request,
        "insight/concern_detail.jinja",
        {
            "concern": concern,
            "form": form,
            "decision_form": decision_form,
            "decisions": list(decisions),
            "staff_area": True,
            **LABELS,
        },
    )


@staff_member_required
def concern_detail(request: HttpRequest, concern_id: int) -> HttpResponse:
    concern = access_concern(staff_user(request), concern_id)
    form = CloseConcernForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "pick_up":
                review.pick_up_concern(concern, staff_user(request))
                messages.success(request, "You have picked up this concern")
                return redirect("staff:concern_detail", concern_id=concern.pk)
            if form.is_valid():
                review.close_concern(
                    concern, staff_user(request), form.cleaned_data["action_taken"]
                )
                messages.success(request, "The concern is closed")
                return redirect("staff:concern_list")
        except ValidationError as error:
            form.add_error(None, error)
    return _detail(request, concern, form, ConcernDecisionForm(concern=concern))


DECIDED = {
    ConcernDecision.Decision.CONFIRMED: "You have confirmed this concern",
    ConcernDecision.Decision.DISMISSED: "You have dismissed this concern",
    ConcernDecision.Decision.REGRADED: "You have changed this concern's severity or category",
}


@staff_member_required
@require_POST
def concern_decide(request: HttpRequest, concern_id: int) -> HttpResponse:
    """Confirm, dismiss or regrade a concern (`triage.decide_concern`)."""
    user = staff_user(request)
    concern = access_concern(user, concern_id)
    form = ConcernDecisionForm(request.POST, concern=concern)
    if form.is_valid():
        data = form.cleaned_data
        try:
            triage.decide_concern(
                concern,
                user,
                data["decision"],
                reason=data["reason"],
                severity=data["severity"],
                category=data.get("category"),
                sentences=form.chosen_sentences(),
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, DECIDED[data["decision"]])
            return redirect("staff:concern_detail", concern_id=concern.pk)
    return _detail(request, concern, CloseConcernForm(), form)


@staff_member_required
def concern_decisions(request: HttpRequest) -> HttpResponseBase:
    """How many decisions people have made, and (`?format=csv`) the sentences they labelled,
    for `patientvoice evaluate --decisions` and the next training run."""
    user = staff_user(request)
    organisation_ids = triage.export_organisations(user)
    if not organisation_ids:
        raise PermissionDenied("Your role does not include the text model's training data")
    decisions = triage.decisions_for_export(organisation_ids)
    if request.GET.get("format") == "csv":
        triage.record_export(user, sorted(organisation_ids), request)
        return _decisions_csv(decisions)
    counts = dict(
        decisions.filter(concern__kind=Concern.Kind.SAFEGUARDING)
        .values_list("decision")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return render(
        request,
        "insight/concern_decisions.jinja",
        {
            "counts": [(label, counts.get(value, 0)) for value, label in DECISION_NAMES],
            "total": sum(counts.values()),
            "columns": triage.EXPORT_COLUMNS,
            "staff_area": True,
        },
    )


DECISION_NAMES = [
    (ConcernDecision.Decision.CONFIRMED, "Confirmed"),
    (ConcernDecision.Decision.REGRADED, "Severity or category changed"),
    (ConcernDecision.Decision.DISMISSED, "Dismissed"),
]


def _decisions_csv(decisions: Any) -> StreamingHttpResponse:
    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csvexport.writer(Echo())

    def rows() -> Iterator[str]:
        yield writer.writerow(triage.EXPORT_COLUMNS)
        for row in triage.labelled_sentences(decisions):
            yield writer.writerow(row)

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="concern-decisions.csv"'
    # Disclosures in people's own words: no copy in a browser's or proxy's cache.
    response["Cache-Control"] = "no-store"
    return response
