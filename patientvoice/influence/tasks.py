"""Telling addressed organisations about a report, reminding them before responses are due,
and escalating when they are overdue.

Each is safe to run twice, or in two workers at once: what was sent is a row (Notice,
Escalation) under a unique constraint, inserted in the same transaction as the decision to
send, so a second run finds it and sends nothing. Email goes out inside that transaction: if
sending fails, the row is rolled back and the next run tries again.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from patientvoice.directory.models import Organisation
from patientvoice.influence import deadlines
from patientvoice.influence.models import Escalation, EscalationContact, Notice, Report
from patientvoice.people import audit
from patientvoice.people.models import Membership, Role


def responder_emails(organisation_id: int) -> list[str]:
    return sorted(
        Membership.objects.filter(
            organisation_id=organisation_id, role=Role.RESPONDER, user__is_active=True
        )
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )


def unanswered_organisations(report: Report) -> list[Organisation]:
    """The organisations with at least one recommendation of the report still unanswered."""
    ids = (
        report.recommendations.filter(response__isnull=True)
        .values_list("addressed_to", flat=True)
        .distinct()
    )
    return list(Organisation.objects.filter(pk__in=ids).order_by("name"))


def _link(report: Report) -> str:
    path = reverse("staff:report_detail", args=[report.pk])
    return f"{settings.BASE_URL}{path}"


def _notify(report: Report, organisation: Organisation, kind: str) -> Notice | None:
    """Record the notice and email the organisation's responders, once."""
    try:
        with transaction.atomic():
            notice = Notice.objects.create(report=report, organisation=organisation, kind=kind)
            recipients = responder_emails(organisation.pk)
            if recipients:
                due = f"{report.responses_due:%-d %B %Y}"
                lead = (
                    f"{report.organisation} has issued a report with recommendations for "
                    f"{organisation}."
                    if kind == Notice.Kind.ISSUED
                    else f"Responses to {report.organisation}'s report are due soon."
                )
                send_mail(
                    f"Report for response: {report.title}",
                    f"{lead}\n\nPlease respond to each recommendation by {due}:\n{_link(report)}\n",
                    None,
                    recipients,
                )
                notice.recipients = len(recipients)
                notice.save(update_fields=["recipients"])
            if kind == Notice.Kind.REMINDER:
                audit.record_audit(
                    None,
                    audit.RESPONSE_REMINDER_SENT,
                    organisation=report.organisation_id,
                    subject=notice,
                    detail={"report": report.pk, "to": organisation.pk},
                )
            return notice
    except IntegrityError:
        return None  # sent already, by an earlier or a concurrent run


@task()
def tell_addressed_organisations(report_id: int) -> int:
    """After a report is issued: tell each addressed organisation's responders. Returns how
    many organisations were told by this run (0 on a second run)."""
    report = Report.objects.select_related("organisation").get(pk=report_id)
    organisations = Organisation.objects.filter(
        pk__in=report.recommendations.values("addressed_to")
    ).order_by("name")
    return sum(_notify(report, o, Notice.Kind.ISSUED) is not None for o in organisations)


def _open_reports(today: datetime.date) -> list[Report]:
    """Issued reports with a due date and a recommendation still unanswered."""
    return list(
        Report.objects.filter(
            issued_at__isnull=False,
            responses_due__isnull=False,
            recommendations__response__isnull=True,
        )
        .distinct()
        .select_related("organisation")
    )


@task()
def send_response_reminders() -> int:
    """Periodic: from REMINDER_WORKING_DAYS working days before responses are due, remind each
    organisation with an unanswered recommendation, once. Returns how many were reminded."""
    today = timezone.localdate()
    sent = 0
    for report in _open_reports(today):
        due = report.responses_due
        assert due is not None
        if not deadlines.reminder_due(due) <= today <= due:
            continue
        for organisation in unanswered_organisations(report):
            sent += _notify(report, organisation, Notice.Kind.REMINDER) is not None
    return sent


def escalation_reference(report: Report, organisation: Organisation, contact_id: int) -> str:
    return f"ESC-{report.pk}-{organisation.pk}-{contact_id}"


@task()
def escalate_overdue_responses() -> int:
    """Periodic: once responses are overdue (the day after the due date), record an escalation
    of each organisation with an unanswered recommendation to each contact the report names,
    emailing those with an address, once. Returns how many were recorded."""
    today = timezone.localdate()
    recorded = 0
    for report in _open_reports(today):
        if report.responses_due is None or today <= report.responses_due:
            continue
        contacts = list(report.contacts.all())
        for organisation in unanswered_organisations(report):
            for contact in contacts:
                recorded += _escalate(report, organisation, contact) is not None
    return recorded


def _escalate(
    report: Report, organisation: Organisation, contact: EscalationContact
) -> Escalation | None:
    try:
        with transaction.atomic():
            escalation = Escalation.objects.create(
                report=report,
                organisation=organisation,
                contact=contact,
                recipient=str(contact),
                reference=escalation_reference(report, organisation, contact.pk),
            )
            if contact.email:
                send_mail(
                    f"Overdue response to a report: {report.title} ({escalation.reference})",
                    f'{report.organisation} issued the report "{report.title}" on '
                    f"{timezone.localdate(report.issued_at):%-d %B %Y}. {organisation} has not "
                    f"responded to every recommendation addressed to it; responses were due on "
                    f"{report.responses_due:%-d %B %Y}.\n\nOur reference: {escalation.reference}\n",
                    None,
                    [contact.email],
                )
                escalation.emailed = True
                escalation.save(update_fields=["emailed"])
            audit.record_audit(
                None,
                audit.RESPONSE_ESCALATED,
                organisation=report.organisation_id,
                subject=escalation,
                detail={"report": report.pk, "to": organisation.pk, "recipient": str(contact)},
            )
            return escalation
    except IntegrityError:
        return None
