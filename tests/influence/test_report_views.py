"""The report pages as staff and the public use them: draft, evidence, sign-off, issue,
respond, publish; error summaries; who may answer; query counts on list pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from patientvoice.influence import services
from patientvoice.influence.models import Evidence, Report, Response
from patientvoice.people import audit
from patientvoice.people.models import AuditEvent, User
from tests.conftest import World, client_for, make_experience
from tests.influence.helpers import draft_report, issued_report, published_quote, responder

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_staff_draft_sign_off_issue_respond_and_publish_through_the_pages(world: World) -> None:
    alice, charlie = client_for(world, "alice"), client_for(world, "charlie")
    for rating in (1, 1, 2, 2, 2, 3, 4, 4, 5, 5):
        make_experience(world.maternity, rating=rating)
    publication = published_quote(world)
    month = publication.published_at.strftime("%Y-%m")

    response = alice.post(
        reverse("staff:report_new"),
        {
            "organisation": world.hospital.pk,
            "title": "Maternity care",
            "summary": "What people told us.",
            "services": [world.maternity.pk],
            "period_start": month,
            "period_end": month,
        },
    )
    report = Report.objects.get(title="Maternity care")
    assert response["Location"] == reverse("staff:report_detail", args=[report.pk])
    alice.post(
        reverse("staff:finding_new", args=[report.pk]),
        {"title": "Kindness", "text": "Most said so."},
    )
    finding = report.findings.get()
    alice.post(reverse("staff:evidence_new", args=[finding.pk, "figure"]), {"measure": "positive"})
    alice.post(
        reverse("staff:evidence_new", args=[finding.pk, "quote"]), {"publication": publication.pk}
    )
    alice.post(
        reverse("staff:evidence_new", args=[finding.pk, "note"]),
        {"note": "Calm ward.", "source": "Visit, 3 March"},
    )
    alice.post(
        reverse("staff:recommendation_new", args=[report.pk]),
        {"text": "Offer evening appointments.", "addressed_to": world.practice.pk},
    )
    assert finding.evidence.count() == 3 and report.recommendations.count() == 1

    page = alice.get(reverse("staff:report_detail", args=[report.pk])).content.decode()
    assert "Sign off the report" not in page  # the author cannot
    assert "The staff were kind" in page and "Live figure" in page
    charlie.post(reverse("staff:report_sign_off", args=[report.pk]))
    alice.post(reverse("staff:report_issue", args=[report.pk]))
    report.refresh_from_db()
    assert report.is_issued

    frank = signed_in(responder(world))
    recommendation = report.recommendations.get()
    assert frank.get(reverse("staff:report_detail", args=[report.pk])).status_code == 200
    frank.post(
        reverse("staff:response_new", args=[recommendation.pk]),
        {"decision": "partly", "reasons": "Evenings twice a week.", "planned_actions": "From May"},
    )
    assert Response.objects.get(recommendation=recommendation).received == "online"

    anonymous = client_for(world, "anonymous")
    assert anonymous.get(reverse("reports:detail", args=[report.pk])).status_code == 404
    alice.post(reverse("staff:report_publish", args=[report.pk]))
    public = anonymous.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "Offer evening appointments." in public and "Partly accepted" in public
    assert "The staff were kind" in public
    assert "Remove" not in public and "Sign off" not in public
    assert "Maternity care" in anonymous.get(reverse("reports:list")).content.decode()
    pdf = anonymous.get(reverse("reports:pdf", args=[report.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")

    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        audit.REPORT_SIGNED_OFF,
        audit.REPORT_ISSUED,
        audit.RESPONSE_RECORDED,
        audit.REPORT_PUBLISHED,
    } <= actions


def test_forms_show_the_nhs_error_summary(world: World) -> None:
    response = client_for(world, "alice").post(reverse("staff:report_new"), {"title": ""})

    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and "Enter the report&#39;s title" in html


def test_an_officer_records_a_response_received_by_letter(world: World) -> None:
    report = issued_report(world)
    recommendation = report.recommendations.get()
    alice = client_for(world, "alice")

    form = alice.get(reverse("staff:response_new", args=[recommendation.pk])).content.decode()
    assert "How it was received" in form
    day = report.issued_on
    assert day is not None
    alice.post(
        reverse("staff:response_new", args=[recommendation.pk]),
        {
            "decision": "not_accepted",
            "reasons": "No budget this year.",
            "received": "letter",
            "received_on[day]": day.day,
            "received_on[month]": day.month,
            "received_on[year]": day.year,
        },
    )

    saved = Response.objects.get(recommendation=recommendation)
    assert saved.received == "letter" and saved.recorded_by == world.alice


def test_another_organisations_staff_cannot_record_a_response(world: World) -> None:
    report = issued_report(world)
    recommendation = report.recommendations.get()

    # Dana works at the addressed surgery but is not its responder.
    response = client_for(world, "dana").post(
        reverse("staff:response_new", args=[recommendation.pk]),
        {"decision": "not_accepted", "reasons": "No"},
    )

    assert response.status_code == 404
    assert not Response.objects.exists()


def test_a_draft_is_not_shown_to_the_addressed_organisations_responder(world: World) -> None:
    report = draft_report(world)
    frank = signed_in(responder(world))

    assert frank.get(reverse("staff:report_detail", args=[report.pk])).status_code == 404
    assert report.title not in frank.get(reverse("staff:report_list")).content.decode()


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_pages_cost_the_same_queries_however_many_reports(world: World) -> None:
    first = issued_report(world)
    services.publish_report(first, world.alice)
    alice, anonymous = client_for(world, "alice"), client_for(world, "anonymous")
    staff_before = _queries(alice, reverse("staff:report_list"))
    public_before = _queries(anonymous, reverse("reports:list"))

    for _ in range(3):
        services.publish_report(issued_report(world), world.alice)

    assert _queries(alice, reverse("staff:report_list")) == staff_before
    assert _queries(anonymous, reverse("reports:list")) == public_before
    assert public_before <= 3


def test_a_figure_evidence_form_refuses_a_service_outside_the_scope(world: World) -> None:
    report = draft_report(world)
    finding = report.findings.get()

    response = client_for(world, "alice").post(
        reverse("staff:evidence_new", args=[finding.pk, "figure"]),
        {"measure": "volume", "service": world.appointments.pk},
    )

    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert not Evidence.objects.filter(service=world.appointments).exists()
