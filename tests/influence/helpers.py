"""A report world on top of tests/conftest.py's: Northdale Hospitals reports, Oak Lane Surgery
is addressed, and Frank answers for the surgery as its responder."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from patientvoice.feedback.models import Publication
from patientvoice.feedback.services import publish_comment
from patientvoice.influence import services
from patientvoice.influence.models import Evidence, Report
from patientvoice.people.models import Role, User
from tests.conftest import World, make_experience, make_user


def responder(world: World) -> User:
    found = User.objects.filter(username="frank").first()
    return found or make_user("frank", [(world.practice, Role.RESPONDER)])


def this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


def published_quote(
    world: World, text: str = "The midwives were kind and explained everything."
) -> Publication:
    experience = make_experience(world.maternity, may_publish=True, what_was_good=text)
    return publish_comment(
        experience.comments.get(), text.replace("midwives", "staff"), world.alice
    )


def draft_report(world: World, *, figures: int = 1) -> Report:
    """Alice's draft about the maternity unit, this month: a finding with a % positive figure,
    a published quote and a visit note; one recommendation to the surgery; one contact."""
    for rating in (1, 1, 1, 2, 2, 3, 4, 4, 5, 6):
        make_experience(world.maternity, rating=rating)
    report = services.create_report(
        world.hospital,
        world.alice,
        title="Maternity care in Northdale",
        summary="What 11 people told us.",
        services=[world.maternity],
        period_start=this_month(),
        period_end=this_month(),
    )
    finding = services.add_finding(report, "Most people were positive", "Kindness stood out.")
    for _ in range(figures):
        services.add_figure(finding, Evidence.Measure.POSITIVE)
    services.add_quote(finding, published_quote(world))
    services.add_note(finding, "Staff were welcoming on our visit.", "Enter and view, Ward 4")
    services.add_recommendation(report, "Offer evening appointments.", world.practice)
    services.add_contact(report, "ICB quality team", "quality@icb.example.org")
    return report


def issued_report(world: World) -> Report:
    report = draft_report(world)
    services.sign_off_report(report, world.charlie)
    return services.issue_report(Report.objects.get(pk=report.pk), world.alice)


def audit_actions(report: Report) -> QuerySet:
    from patientvoice.people.models import AuditEvent

    return AuditEvent.objects.filter(subject_id=str(report.pk)).values_list("action", flat=True)
