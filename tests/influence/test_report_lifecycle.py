"""A report's life: drafted, signed off by someone else, issued (then never changed), corrected
as a new version, published; quotes only from published comments; figures frozen at issue."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from patientvoice.feedback.services import withdraw_publication
from patientvoice.influence import services
from patientvoice.influence.models import (
    Evidence,
    Finding,
    Recommendation,
    Report,
    ReportIssued,
)
from patientvoice.influence.rendering import render_pdf
from patientvoice.people import audit
from tests.conftest import World, make_experience
from tests.influence.helpers import (
    audit_actions,
    draft_report,
    issued_report,
    published_quote,
    responder,
    this_month,
)

pytestmark = pytest.mark.django_db


def test_the_author_cannot_sign_off_their_own_report(world: World) -> None:
    report = draft_report(world)

    with pytest.raises(ValidationError, match="someone other than its author"):
        services.sign_off_report(report, world.alice)

    report.refresh_from_db()
    assert report.signed_off_at is None


def test_a_report_is_issued_only_after_sign_off(world: World) -> None:
    report = draft_report(world)

    with pytest.raises(ValidationError, match="signed off"):
        services.issue_report(report, world.alice)

    services.sign_off_report(report, world.charlie)
    issued = services.issue_report(report, world.alice)
    assert issued.is_issued and issued.signed_off_by == world.charlie
    assert issued.responses_due is not None
    assert list(audit_actions(report)) == [audit.REPORT_ISSUED, audit.REPORT_SIGNED_OFF]


def test_changing_a_signed_off_draft_needs_a_new_sign_off(world: World) -> None:
    report = draft_report(world)
    services.sign_off_report(report, world.charlie)

    services.add_recommendation(report, "Publish waiting times.", world.practice)

    report.refresh_from_db()
    assert report.signed_off_at is None
    with pytest.raises(ValidationError):
        services.issue_report(report, world.alice)


def test_an_issued_report_never_changes(world: World) -> None:
    report = issued_report(world)
    finding = Finding.objects.get(report=report)
    evidence = Evidence.objects.filter(finding=finding).first()
    recommendation = Recommendation.objects.get(report=report)
    assert evidence is not None

    report.title = "Something else"
    with pytest.raises(ReportIssued):
        report.save()
    with pytest.raises(ReportIssued):
        report.delete()
    finding.text = "Rewritten"
    with pytest.raises(ReportIssued):
        finding.save()
    with pytest.raises(ReportIssued):
        evidence.delete()
    recommendation.text = "Softer"
    with pytest.raises(ReportIssued):
        recommendation.save()
    with pytest.raises(ReportIssued):
        Finding.objects.create(report=report, title="Late", text="Added after issue")
    # The many-to-many manager works inside its own atomic block: a savepoint keeps the
    # test's transaction usable after the refusal.
    with pytest.raises(ReportIssued), transaction.atomic():
        report.services.clear()
    with pytest.raises(ValidationError):
        services.add_finding(report, "Late", "Added after issue")

    report.refresh_from_db()
    assert report.title == "Maternity care in Northdale"
    assert Finding.objects.get(report=report).text == "Kindness stood out."


def test_publishing_is_the_one_change_an_issued_report_takes(world: World) -> None:
    report = issued_report(world)

    services.publish_report(report, world.alice)
    services.publish_report(report, world.alice)

    report.refresh_from_db()
    assert report.published_at is not None
    assert list(audit_actions(report)).count(audit.REPORT_PUBLISHED) == 1


def test_a_correction_is_a_new_version_linked_to_the_issued_one(world: World) -> None:
    report = issued_report(world)

    new = services.start_correction(report, world.bob, "Corrected the visit date.")

    assert new.version == 2 and new.previous == report and not new.is_issued
    assert new.correction_note == "Corrected the visit date."
    assert new.findings.get().evidence.count() == 3
    assert new.recommendations.get().addressed_to == world.practice
    # The earlier version is untouched, and corrected once only.
    assert Finding.objects.filter(report=report).count() == 1
    with pytest.raises(ValidationError):
        services.start_correction(report, world.bob, "Again")
    # The new version has its own sign-off and issue.
    services.sign_off_report(new, world.alice)
    services.issue_report(new, world.bob)
    assert Report.objects.get(pk=new.pk).is_issued


def test_figures_are_frozen_when_the_report_is_issued(world: World) -> None:
    report = issued_report(world)
    figure = Evidence.objects.get(finding__report=report, kind="figure")
    assert figure.frozen is not None
    before = figure.frozen

    for _ in range(10):
        make_experience(world.maternity, rating=5)

    figure.refresh_from_db()
    assert figure.frozen == before
    assert before["responses"] == 11  # ten ratings and the quoted comment's "very good"
    assert round(before["positive"]["percent"], 1) == 54.5  # 6 of 11
    # A draft's figure is live: a new draft sees the new feedback.
    draft = draft_report(world)
    live = services.compute_figure(
        Evidence.objects.get(finding__report=draft, kind="figure"), draft
    )
    assert live["responses"] == 32


def test_small_counts_are_withheld_in_figures(world: World) -> None:
    report = services.create_report(
        world.hospital,
        world.alice,
        title="Tiny",
        services=[world.maternity],
        period_start=this_month(),
        period_end=this_month(),
    )
    finding = services.add_finding(report, "Few", "Few spoke")
    for rating in (1, 1, 4):
        make_experience(world.maternity, rating=rating)
    figure = services.add_figure(finding, Evidence.Measure.POSITIVE)

    value = services.compute_figure(figure, report)

    assert value["responses"] is None and value["positive"] is None


def test_only_published_comments_can_be_quoted(world: World) -> None:
    report = draft_report(world)
    finding = report.findings.get()
    withdrawn = published_quote(world, "The midwives were rushed.")
    withdraw_publication(withdrawn, world.alice)

    with pytest.raises(ValidationError, match="published comment"):
        services.add_quote(finding, withdrawn)
    assert not Evidence.objects.filter(publication=withdrawn).exists()


def test_a_quote_keeps_the_text_published_when_the_report_was_issued(world: World) -> None:
    report = issued_report(world)
    quote = Evidence.objects.get(finding__report=report, kind="quote")
    assert quote.quote_text == "The staff were kind and explained everything."

    publication = quote.publication
    assert publication is not None
    publication.text = "Edited later"
    publication.save()

    quote.refresh_from_db()
    assert quote.quote_text == "The staff were kind and explained everything."


def test_a_response_is_given_once_with_planned_actions_when_accepted(world: World) -> None:
    report = issued_report(world)
    recommendation = report.recommendations.get()
    frank = responder(world)

    with pytest.raises(ValidationError, match="what will be done"):
        services.record_response(recommendation, frank, decision="accepted", reasons="Agreed")
    services.record_response(
        recommendation, frank, decision="accepted", reasons="Agreed", planned_actions="From May"
    )
    with pytest.raises(ValidationError, match="answered already"):
        services.record_response(recommendation, frank, decision="not_accepted", reasons="No")
    assert recommendation.response.decision == "accepted"


def test_the_pdf_renders_from_the_report_html(world: World) -> None:
    report = issued_report(world)

    pdf = render_pdf(report, public=False)

    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 2000
