"""Staff pages for reports: draft, evidence, sign-off, issue, correction, publication and
responses. Each view loads through `influence.access` and changes through `influence.services`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from patientvoice.directory.models import Organisation
from patientvoice.influence import access, services
from patientvoice.influence.figures import scope_services
from patientvoice.influence.forms import (
    ContactForm,
    CorrectionForm,
    FigureForm,
    FindingForm,
    NoteForm,
    QuoteForm,
    ReceivedResponseForm,
    RecommendationForm,
    ReportForm,
    ResponseForm,
)
from patientvoice.influence.models import Evidence, Report, Response
from patientvoice.influence.rendering import render_pdf, report_context
from patientvoice.people import rules
from patientvoice.people.decorators import staff_member_required, staff_user


def _render(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, f"influence/{template}", {"staff_area": True, **context})


def _error(form: Any, error: ValidationError, field: str | None = None) -> None:
    for message in error.messages:
        form.add_error(field, message)


@staff_member_required
def report_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    reports = list(
        access.reports_for(user)
        .select_related("organisation")
        .prefetch_related("recommendations__addressed_to")
        .order_by("-created_at")[:200]
    )
    return _render(
        request,
        "report_list.jinja",
        {
            "reports": reports,
            "can_write": bool(rules.organisations_with(user, rules.WRITE_REPORTS)),
        },
    )


def _report_form_organisations(request: HttpRequest) -> Any:
    orgs = rules.organisations_with(staff_user(request), rules.WRITE_REPORTS)
    if not orgs:
        raise Http404
    return Organisation.objects.filter(pk__in=orgs).order_by("name")


@staff_member_required
def report_new(request: HttpRequest) -> HttpResponse:
    organisations = _report_form_organisations(request)
    form = ReportForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        report = services.create_report(
            data["organisation"],
            staff_user(request),
            title=data["title"],
            summary=data["summary"],
            area=data["area"],
            services=data["services"],
            period_start=data["period_start"],
            period_end=data["period_end"],
        )
        messages.success(request, "Draft report created")
        return redirect("staff:report_detail", report_id=report.pk)
    return _render(request, "report_form.jinja", {"form": form, "report": None})


@staff_member_required
def report_edit(request: HttpRequest, report_id: int) -> HttpResponse:
    user = staff_user(request)
    report = access.access_report(user, report_id, rules.WRITE_REPORTS)
    if report.is_issued:
        messages.success(request, "An issued report cannot be changed: start a correction")
        return redirect("staff:report_detail", report_id=report.pk)
    organisations = Organisation.objects.filter(pk=report.organisation_id)
    initial = {
        "organisation": report.organisation,
        "title": report.title,
        "summary": report.summary,
        "area": report.area,
        "services": list(report.services.all()),
        "period_start": f"{report.period_start:%Y-%m}",
        "period_end": f"{report.period_end:%Y-%m}",
    }
    form = ReportForm(request.POST or None, organisations=organisations, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("organisation")
        try:
            services.update_report(report, **data)
        except ValidationError as error:
            _error(form, error)
        else:
            messages.success(request, "Report updated")
            return redirect("staff:report_detail", report_id=report.pk)
    return _render(request, "report_form.jinja", {"form": form, "report": report})


@staff_member_required
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    user = staff_user(request)
    report = access.access_report(user, report_id)
    org = report.organisation_id
    responding = rules.organisations_with(user, rules.RESPOND_TO_REPORTS)
    return _render(
        request,
        "report_detail.jinja",
        {
            **report_context(report),
            "can_write": rules.has_permission(user, rules.WRITE_REPORTS, org),
            "can_sign_off": rules.has_permission(user, rules.SIGN_OFF_REPORTS, org)
            and user.pk != report.author_id,
            "can_record": rules.has_permission(user, rules.RECORD_RESPONSES, org),
            "responding": responding,
            "is_author": user.pk == report.author_id,
        },
    )


@staff_member_required
def report_pdf(request: HttpRequest, report_id: int) -> HttpResponse:
    report = access.access_report(staff_user(request), report_id)
    return _pdf_response(report, render_pdf(report, request, public=False))


def _pdf_response(report: Report, pdf: bytes) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="report-{report.reference}.pdf"'
    return response


def _draft_for_writing(request: HttpRequest, report_id: int) -> Report:
    return access.access_report(staff_user(request), report_id, rules.WRITE_REPORTS)


def _simple_form(
    request: HttpRequest,
    report: Report,
    form: Any,
    template: str,
    save: Any,
    done: str,
    **context: Any,
) -> HttpResponse:
    if report.is_issued:
        messages.success(request, "An issued report cannot be changed: start a correction")
        return redirect("staff:report_detail", report_id=report.pk)
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as error:
            _error(form, error)
        else:
            messages.success(request, done)
            return redirect("staff:report_detail", report_id=report.pk)
    return _render(request, template, {"form": form, "report": report, **context})


@staff_member_required
def finding_new(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _draft_for_writing(request, report_id)
    form = FindingForm(request.POST or None)
    return _simple_form(
        request,
        report,
        form,
        "finding_form.jinja",
        lambda d: services.add_finding(report, d["title"], d["text"]),
        "Finding added",
    )


@staff_member_required
def evidence_new(request: HttpRequest, finding_id: int, kind: str) -> HttpResponse:
    finding = access.access_finding(staff_user(request), finding_id)
    report = finding.report
    form: Any
    if kind == Evidence.Kind.FIGURE:
        form = FigureForm(request.POST or None, services=scope_services(report))

        def save(d: dict[str, Any]) -> object:
            return services.add_figure(
                finding, d["measure"], theme=d["theme"], service=d["service"]
            )

    elif kind == Evidence.Kind.QUOTE:
        # The 200 most recent: a field's queryset cannot be sliced, so by their ids.
        recent = list(services.quotable(report).values_list("pk", flat=True)[:200])
        publications = services.quotable(report).filter(pk__in=recent)
        form = QuoteForm(request.POST or None, publications=publications)

        def save(d: dict[str, Any]) -> object:
            return services.add_quote(finding, d["publication"])

    elif kind == Evidence.Kind.NOTE:
        form = NoteForm(request.POST or None)

        def save(d: dict[str, Any]) -> object:
            return services.add_note(finding, d["note"], d["source"])

    else:
        raise Http404
    return _simple_form(
        request,
        report,
        form,
        "evidence_form.jinja",
        save,
        "Evidence added",
        finding=finding,
        kind=Evidence.Kind(kind),
    )


@staff_member_required
@require_POST
def evidence_remove(request: HttpRequest, evidence_id: int) -> HttpResponse:
    evidence = access.access_evidence(staff_user(request), evidence_id)
    report_id = evidence.finding.report_id
    try:
        services.remove_evidence(evidence)
    except ValidationError as error:
        messages.success(request, " ".join(error.messages))
    else:
        messages.success(request, "Evidence removed")
    return redirect("staff:report_detail", report_id=report_id)


@staff_member_required
def recommendation_new(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _draft_for_writing(request, report_id)
    form = RecommendationForm(request.POST or None)
    return _simple_form(
        request,
        report,
        form,
        "recommendation_form.jinja",
        lambda d: services.add_recommendation(report, d["text"], d["addressed_to"]),
        "Recommendation added",
    )


@staff_member_required
def contact_new(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _draft_for_writing(request, report_id)
    form = ContactForm(request.POST or None)
    return _simple_form(
        request,
        report,
        form,
        "contact_form.jinja",
        lambda d: services.add_contact(report, d["name"], d["email"]),
        "Escalation contact added",
    )


def _action(request: HttpRequest, report: Report, act: Any, done: str) -> HttpResponse:
    try:
        act()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("staff:report_detail", report_id=report.pk)


@staff_member_required
@require_POST
def report_sign_off(request: HttpRequest, report_id: int) -> HttpResponse:
    user = staff_user(request)
    report = access.access_report(user, report_id, rules.SIGN_OFF_REPORTS)
    return _action(
        request, report, lambda: services.sign_off_report(report, user), "Report signed off"
    )


@staff_member_required
@require_POST
def report_issue(request: HttpRequest, report_id: int) -> HttpResponse:
    user = staff_user(request)
    report = access.access_report(user, report_id, rules.WRITE_REPORTS)
    return _action(request, report, lambda: services.issue_report(report, user), "Report issued")


@staff_member_required
@require_POST
def report_publish(request: HttpRequest, report_id: int) -> HttpResponse:
    user = staff_user(request)
    report = access.access_report(user, report_id, rules.WRITE_REPORTS)
    return _action(
        request,
        report,
        lambda: services.publish_report(report, user),
        "Report and its responses published",
    )


@staff_member_required
def report_correct(request: HttpRequest, report_id: int) -> HttpResponse:
    user = staff_user(request)
    report = access.access_report(user, report_id, rules.WRITE_REPORTS)
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.start_correction(report, user, form.cleaned_data["note"])
        except ValidationError as error:
            _error(form, error, "note")
        else:
            messages.success(request, f"Version {new.version} started as a draft")
            return redirect("staff:report_detail", report_id=new.pk)
    return _render(request, "correction_form.jinja", {"form": form, "report": report})


@staff_member_required
def response_new(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    user = staff_user(request)
    recommendation = access.access_recommendation_to_answer(user, recommendation_id)
    report = recommendation.report
    as_responder = access.answers_as_responder(user, recommendation)
    if Response.objects.filter(recommendation=recommendation).exists():
        messages.success(request, "This recommendation has been answered already")
        return redirect("staff:report_detail", report_id=report.pk)
    form_class = ResponseForm if as_responder else ReceivedResponseForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_response(
                recommendation,
                user,
                decision=data["decision"],
                reasons=data["reasons"],
                planned_actions=data["planned_actions"],
                received=data.get("received", Response.Received.ONLINE),
                received_on=data.get("received_on"),
            )
        except ValidationError as error:
            _error(form, error)
        else:
            messages.success(request, "Response recorded")
            return redirect("staff:report_detail", report_id=report.pk)
    return _render(
        request,
        "response_form.jinja",
        {"form": form, "report": report, "recommendation": recommendation},
    )


# --- Public pages --------------------------------------------------------------------------


def _published() -> Any:
    return Report.objects.filter(published_at__isnull=False).select_related("organisation", "area")


def public_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    reports = _published()
    if query:
        reports = reports.filter(Q(title__icontains=query) | Q(organisation__name__icontains=query))
    return render(
        request,
        "influence/public_list.jinja",
        {"reports": list(reports.order_by("-published_at")[:100]), "query": query},
    )


def public_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    try:
        report = _published().get(pk=report_id)
    except Report.DoesNotExist:
        raise Http404 from None
    return render(
        request, "influence/public_detail.jinja", {**report_context(report), "public": True}
    )


def public_pdf(request: HttpRequest, report_id: int) -> HttpResponse:
    try:
        report = _published().get(pk=report_id)
    except Report.DoesNotExist:
        raise Http404 from None
    return _pdf_response(report, render_pdf(report, request, public=True))
