"""What can happen to a report: draft, sign off, issue, correct, publish, respond.

Views call these after loading the report through `influence.access`, which checks who may;
these check what may happen to the report in its state. Every sign-off, issue, correction,
publication and response is written to the audit log in the same transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from patientvoice.directory.models import Area, Organisation, Service
from patientvoice.feedback.models import Publication
from patientvoice.influence import deadlines
from patientvoice.influence.figures import compute_figure, scope_services
from patientvoice.influence.models import (
    EscalationContact,
    Evidence,
    Finding,
    Recommendation,
    Report,
    Response,
)
from patientvoice.insight.models import Theme
from patientvoice.people import audit
from patientvoice.people.models import User
from patientvoice.queueing import enqueue_on_commit


def check_draft(report: Report) -> None:
    if report.is_issued:
        raise ValidationError("This report has been issued and cannot be changed")


def _changed(report: Report) -> None:
    """Any change to a draft undoes its sign-off: what is issued is what was signed off.
    Cleared in the database, whatever the caller's copy of the report says."""
    Report.objects.filter(pk=report.pk, issued_at__isnull=True, signed_off_at__isnull=False).update(
        signed_off_by=None, signed_off_at=None, updated_at=timezone.now()
    )
    report.signed_off_by = report.signed_off_at = None


def check_period(start: datetime.date, end: datetime.date) -> None:
    if end < start:
        raise ValidationError("The period must end after it starts")


@transaction.atomic
def create_report(
    organisation: Organisation,
    author: User,
    *,
    title: str,
    period_start: datetime.date,
    period_end: datetime.date,
    summary: str = "",
    area: Area | None = None,
    services: Iterable[Service] = (),
) -> Report:
    check_period(period_start, period_end)
    report = Report.objects.create(
        organisation=organisation,
        author=author,
        title=title,
        summary=summary,
        area=area,
        period_start=period_start.replace(day=1),
        period_end=period_end.replace(day=1),
    )
    report.services.set(services)
    return report


@transaction.atomic
def update_report(report: Report, *, services: Iterable[Service] = (), **fields: Any) -> Report:
    check_draft(report)
    check_period(fields["period_start"], fields["period_end"])
    fields["period_start"] = fields["period_start"].replace(day=1)
    fields["period_end"] = fields["period_end"].replace(day=1)
    for name, value in fields.items():
        setattr(report, name, value)
    report.signed_off_by = report.signed_off_at = None
    report.save()
    report.services.set(services)
    return report


def _next_position(parts: Any) -> int:
    return (parts.aggregate(m=Max("position"))["m"] or 0) + 1


@transaction.atomic
def add_finding(report: Report, title: str, text: str) -> Finding:
    check_draft(report)
    _changed(report)
    return Finding.objects.create(
        report=report, title=title, text=text, position=_next_position(report.findings)
    )


def _add_evidence(finding: Finding, **fields: Any) -> Evidence:
    check_draft(finding.report)
    _changed(finding.report)
    evidence = Evidence(finding=finding, position=_next_position(finding.evidence), **fields)
    evidence.full_clean(exclude=["finding"])
    evidence.save()
    return evidence


@transaction.atomic
def add_figure(
    finding: Finding, measure: str, *, theme: Theme | None = None, service: Service | None = None
) -> Evidence:
    if measure == Evidence.Measure.THEME and theme is None:
        raise ValidationError("Choose the theme")
    if service is not None and service not in scope_services(finding.report):
        raise ValidationError("Choose a service in the report's scope")
    return _add_evidence(
        finding, kind=Evidence.Kind.FIGURE, measure=measure, theme=theme, service=service
    )


def quotable(report: Report) -> Any:
    """Comments that may be quoted: published (reviewed, redacted, not withdrawn), about a
    service in the report's scope, within its period. Never a comment's own text."""
    start = timezone.make_aware(datetime.datetime.combine(report.period_start, datetime.time()))
    end_month = report.period_end
    after = datetime.date(end_month.year + end_month.month // 12, end_month.month % 12 + 1, 1)
    end = timezone.make_aware(datetime.datetime.combine(after, datetime.time()))
    return (
        Publication.objects.filter(
            withdrawn_at__isnull=True,
            comment__experience__service__in=[s.pk for s in scope_services(report)],
            comment__experience__status="counted",
            comment__experience__may_publish=True,
            comment__experience__submitted_at__gte=start,
            comment__experience__submitted_at__lt=end,
        )
        .select_related("comment__experience__service__organisation")
        .order_by("-published_at")
    )


@transaction.atomic
def add_quote(finding: Finding, publication: Publication) -> Evidence:
    if not quotable(finding.report).filter(pk=publication.pk).exists():
        raise ValidationError("Only a published comment about the report's scope can be quoted")
    return _add_evidence(finding, kind=Evidence.Kind.QUOTE, publication=publication)


@transaction.atomic
def add_note(finding: Finding, note: str, source: str) -> Evidence:
    return _add_evidence(finding, kind=Evidence.Kind.NOTE, note=note, source=source)


@transaction.atomic
def remove_evidence(evidence: Evidence) -> None:
    check_draft(evidence.finding.report)
    _changed(evidence.finding.report)
    evidence.delete()


@transaction.atomic
def add_recommendation(report: Report, text: str, addressed_to: Organisation) -> Recommendation:
    check_draft(report)
    _changed(report)
    return Recommendation.objects.create(
        report=report,
        text=text,
        addressed_to=addressed_to,
        position=_next_position(report.recommendations),
    )


@transaction.atomic
def add_contact(report: Report, name: str, email: str = "") -> EscalationContact:
    check_draft(report)
    _changed(report)
    return EscalationContact.objects.create(report=report, name=name, email=email)


def _locked(report: Report) -> Report:
    return Report.objects.select_for_update().get(pk=report.pk)


@transaction.atomic
def sign_off_report(report: Report, user: User) -> Report:
    """A second person checks the draft: never its author."""
    report = _locked(report)
    check_draft(report)
    if user.pk == report.author_id:
        raise ValidationError("A report must be signed off by someone other than its author")
    if not report.findings.exists():
        raise ValidationError("Add at least one finding before the report is signed off")
    report.signed_off_by, report.signed_off_at = user, timezone.now()
    report.save(update_fields=["signed_off_by", "signed_off_at", "updated_at"])
    audit.record_audit(
        user, audit.REPORT_SIGNED_OFF, organisation=report.organisation_id, subject=report
    )
    return report


@transaction.atomic
def issue_report(report: Report, user: User) -> Report:
    """Freeze every figure and quote, set the responses' due date and issue: from here on the
    report never changes. Addressed organisations are told by a task after commit."""
    report = _locked(report)
    check_draft(report)
    if report.signed_off_at is None:
        raise ValidationError("The report must be signed off before it is issued")
    evidence = Evidence.objects.filter(finding__report=report).select_related(
        "theme", "service__organisation", "publication"
    )
    for item in evidence:
        if item.kind == Evidence.Kind.FIGURE and item.frozen is None:
            item.frozen = compute_figure(item, report)
            item.save(update_fields=["frozen"])
        elif item.kind == Evidence.Kind.QUOTE and not item.quote_text:
            if item.publication is None or item.publication.withdrawn_at is not None:
                raise ValidationError("A quoted comment has been withdrawn: remove it first")
            item.quote_text = item.publication.text
            item.save(update_fields=["quote_text"])
    now = timezone.now()
    report.issued_by, report.issued_at = user, now
    report.responses_due = deadlines.response_due(timezone.localdate(now))
    report.save()
    audit.record_audit(
        user,
        audit.REPORT_ISSUED,
        organisation=report.organisation_id,
        subject=report,
        detail={"version": report.version, "responses_due": report.responses_due.isoformat()},
    )
    from patientvoice.influence.tasks import tell_addressed_organisations

    report_id = report.pk
    enqueue_on_commit(lambda: tell_addressed_organisations.enqueue(report_id))
    return report


@transaction.atomic
def start_correction(report: Report, user: User, note: str) -> Report:
    """A new draft, the next version, copying the issued one: its figures stay as they were
    frozen (a figure to refresh is removed and added again), and `note` says what changed."""
    report = _locked(report)
    if not report.is_issued:
        raise ValidationError("Only an issued report is corrected; edit the draft instead")
    if Report.objects.filter(previous=report).exists():
        raise ValidationError("This version has a correction already: correct that one")
    if not note.strip():
        raise ValidationError("Say what changed")
    new = Report.objects.create(
        organisation=report.organisation,
        author=user,
        title=report.title,
        summary=report.summary,
        area=report.area,
        period_start=report.period_start,
        period_end=report.period_end,
        version=report.version + 1,
        previous=report,
        correction_note=note.strip(),
    )
    new.services.set(report.services.all())
    for finding in report.findings.prefetch_related("evidence"):
        items = list(finding.evidence.all())
        finding.pk = None
        finding.report = new
        finding.save()
        for item in items:
            item.pk = None
            item.finding = finding
            item.save()
    for recommendation in report.recommendations.all():
        recommendation.pk, recommendation.report = None, new
        recommendation.save()
    for contact in report.contacts.all():
        contact.pk, contact.report = None, new
        contact.save()
    audit.record_audit(
        user,
        audit.REPORT_CORRECTED,
        organisation=report.organisation_id,
        subject=new,
        detail={"previous": report.pk, "version": new.version},
    )
    return new


@transaction.atomic
def publish_report(report: Report, user: User) -> Report:
    report = _locked(report)
    if not report.is_issued:
        raise ValidationError("Issue the report before publishing it")
    if report.published_at is None:
        report.published_by, report.published_at = user, timezone.now()
        report.save(update_fields=["published_by", "published_at"])
        audit.record_audit(
            user, audit.REPORT_PUBLISHED, organisation=report.organisation_id, subject=report
        )
    return report


@transaction.atomic
def record_response(
    recommendation: Recommendation,
    user: User,
    *,
    decision: str,
    reasons: str,
    planned_actions: str = "",
    received: str = Response.Received.ONLINE,
    received_on: datetime.date | None = None,
) -> Response:
    """The addressed organisation's answer, given once. `received` says whether its responder
    entered it or the reporting organisation entered one that came by letter or email."""
    report = _locked(recommendation.report)
    if not report.is_issued:
        raise ValidationError("A report is answered once it has been issued")
    if Response.objects.filter(recommendation=recommendation).exists():
        raise ValidationError("This recommendation has been answered already")
    if decision in (Response.Decision.ACCEPTED, Response.Decision.PARTLY) and not planned_actions:
        raise ValidationError("Say what will be done")
    today = timezone.localdate()
    on = received_on or today
    if on > today or on < timezone.localdate(report.issued_at):
        raise ValidationError("The date received must be between the issue date and today")
    response = Response.objects.create(
        recommendation=recommendation,
        decision=decision,
        reasons=reasons,
        planned_actions=planned_actions,
        received=received,
        received_on=on,
        recorded_by=user,
    )
    by_responder = received == Response.Received.ONLINE
    audit.record_audit(
        user,
        audit.RESPONSE_RECORDED,
        organisation=recommendation.addressed_to_id if by_responder else report.organisation_id,
        subject=response,
        detail={"report": report.pk, "decision": decision, "received": received},
    )
    return response
