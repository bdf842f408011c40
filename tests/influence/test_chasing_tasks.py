"""Telling, reminding and escalating: each task run twice sends and records nothing more."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from patientvoice.influence import services
from patientvoice.influence.deadlines import add_working_days
from patientvoice.influence.models import Escalation, Notice, Report
from patientvoice.influence.tasks import (
    escalate_overdue_responses,
    send_response_reminders,
    tell_addressed_organisations,
)
from patientvoice.people import audit
from patientvoice.people.models import AuditEvent
from tests.conftest import World
from tests.influence.helpers import issued_report, responder

pytestmark = pytest.mark.django_db


def _due(report: Report, day: datetime.date) -> None:
    # Test set-up: move the deadline rather than the clock (update() skips the model's guard).
    Report.objects.filter(pk=report.pk).update(responses_due=day)


def test_issuing_tells_the_addressed_organisations_responders_once(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    responder(world)
    # Enqueued after commit; the test task backend runs it at once.
    with django_capture_on_commit_callbacks(execute=True):
        report = issued_report(world)

    assert Notice.objects.filter(report=report, kind=Notice.Kind.ISSUED).count() == 1
    assert tell_addressed_organisations.call(report.pk) == 0

    notice = Notice.objects.get(report=report, kind=Notice.Kind.ISSUED)
    assert notice.organisation == world.practice and notice.recipients == 1
    assert [m.to for m in mail.outbox] == [["frank@example.org"]]


def test_reminders_go_once_before_the_due_date(world: World) -> None:
    responder(world)
    report = issued_report(world)
    mail.outbox.clear()
    _due(report, add_working_days(timezone.localdate(), 2))

    assert send_response_reminders.call() == 1
    assert send_response_reminders.call() == 0

    assert Notice.objects.filter(report=report, kind=Notice.Kind.REMINDER).count() == 1
    assert len(mail.outbox) == 1 and "due soon" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action=audit.RESPONSE_REMINDER_SENT).count() == 1


def test_no_reminder_while_the_due_date_is_far_off(world: World) -> None:
    report = issued_report(world)
    _due(report, add_working_days(timezone.localdate(), 10))

    assert send_response_reminders.call() == 0
    assert not Notice.objects.filter(kind=Notice.Kind.REMINDER).exists()


def test_overdue_responses_are_escalated_once_to_each_contact(world: World) -> None:
    report = issued_report(world)
    mail.outbox.clear()
    _due(report, timezone.localdate() - datetime.timedelta(days=1))

    assert escalate_overdue_responses.call() == 1
    assert escalate_overdue_responses.call() == 0

    escalation = Escalation.objects.get(report=report)
    assert escalation.organisation == world.practice
    assert escalation.recipient == "ICB quality team" and escalation.emailed
    assert escalation.reference == f"ESC-{report.pk}-{world.practice.pk}-{escalation.contact_id}"
    assert [m.to for m in mail.outbox] == [["quality@icb.example.org"]]
    assert escalation.reference in mail.outbox[0].subject


def test_nothing_is_escalated_on_the_due_date_itself_or_once_answered(world: World) -> None:
    report = issued_report(world)
    _due(report, timezone.localdate())
    assert escalate_overdue_responses.call() == 0

    services.record_response(
        report.recommendations.get(), responder(world), decision="not_accepted", reasons="No"
    )
    _due(report, timezone.localdate() - datetime.timedelta(days=5))
    assert escalate_overdue_responses.call() == 0
    assert send_response_reminders.call() == 0
    assert not Escalation.objects.exists()


def test_the_escalation_is_shown_on_the_report(world: World, client: object) -> None:
    report = issued_report(world)
    _due(report, timezone.localdate() - datetime.timedelta(days=1))
    escalate_overdue_responses.call()
    services.publish_report(report, world.alice)

    from django.test import Client

    html = Client().get(f"/reports/{report.pk}/").content.decode()

    assert "Escalations of overdue responses" in html
    assert f"ESC-{report.pk}-{world.practice.pk}-" in html
    assert "ICB quality team" in html
