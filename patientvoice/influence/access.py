"""Loading reports for a user: each helper both loads and authorises.

Who sees a report: staff of the reporting organisation whose role writes, signs off or records
responses to reports (drafts included), and once it is issued, the responders of each
organisation it addresses. Anyone else gets "not found", so an id reveals nothing.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from patientvoice.influence.models import Evidence, Finding, Recommendation, Report
from patientvoice.people import rules
from patientvoice.people.models import User

REPORTING = (rules.WRITE_REPORTS, rules.SIGN_OFF_REPORTS, rules.RECORD_RESPONSES)


def reporting_organisations(user: User) -> set[int]:
    return set().union(*(rules.organisations_with(user, p) for p in REPORTING))


def reports_for(user: User) -> QuerySet[Report]:
    responding = rules.organisations_with(user, rules.RESPOND_TO_REPORTS)
    addressed = Recommendation.objects.filter(addressed_to__in=responding).values("report")
    return Report.objects.filter(
        Q(organisation__in=reporting_organisations(user))
        | Q(issued_at__isnull=False, pk__in=addressed)
    )


def access_report(user: User, report_id: int, permission: str | None = None) -> Report:
    """The report, for anyone who may see it; with `permission`, only for staff of the reporting
    organisation who hold it."""
    if permission is None:
        reports = reports_for(user)
    else:
        reports = Report.objects.filter(organisation__in=rules.organisations_with(user, permission))
    return get_object_or_404(reports.select_related("organisation", "area", "author"), pk=report_id)


def access_finding(user: User, finding_id: int) -> Finding:
    orgs = rules.organisations_with(user, rules.WRITE_REPORTS)
    findings = Finding.objects.filter(report__organisation__in=orgs).select_related("report")
    return get_object_or_404(findings, pk=finding_id)


def access_evidence(user: User, evidence_id: int) -> Evidence:
    orgs = rules.organisations_with(user, rules.WRITE_REPORTS)
    items = Evidence.objects.filter(finding__report__organisation__in=orgs).select_related(
        "finding__report"
    )
    return get_object_or_404(items, pk=evidence_id)


def access_recommendation_to_answer(user: User, recommendation_id: int) -> Recommendation:
    """A recommendation of an issued report, for a responder of the organisation it is
    addressed to, or for an officer of the reporting organisation recording an answer that came
    by letter or email. Another organisation's staff cannot record a response."""
    responding = rules.organisations_with(user, rules.RESPOND_TO_REPORTS)
    recording = rules.organisations_with(user, rules.RECORD_RESPONSES)
    recommendations = Recommendation.objects.filter(
        Q(addressed_to__in=responding) | Q(report__organisation__in=recording),
        report__issued_at__isnull=False,
    ).select_related("report__organisation", "addressed_to")
    return get_object_or_404(recommendations, pk=recommendation_id)


def answers_as_responder(user: User, recommendation: Recommendation) -> bool:
    return rules.has_permission(user, rules.RESPOND_TO_REPORTS, recommendation.addressed_to_id)
