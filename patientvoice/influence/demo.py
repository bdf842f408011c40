"""Demo reports: Healthwatch Northdale's two issued reports to Northdale Hospitals, with the
trust's responses, so that a newcomer sees the loop from finding to answer. Idempotent: a report
already in the demo (by organisation and title) is left as it is, as issued reports must be."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from patientvoice.directory.models import Organisation, Service
from patientvoice.feedback.demo import DEMO_PASSWORD
from patientvoice.influence import services
from patientvoice.influence.models import Evidence, Report
from patientvoice.insight.headline import month_start
from patientvoice.people.models import Membership, Role, User

# username, first, last, organisation slug, role. Not named demo-*: those are feedback.demo's.
STAFF = [
    ("healthwatch-officer", "Holly", "Healthwatch", "healthwatch-northdale", Role.OFFICER),
    ("healthwatch-manager", "Hassan", "Manager", "healthwatch-northdale", Role.ORG_ADMIN),
    ("trust-responder", "Rita", "Responder", "northdale-hospitals", Role.RESPONDER),
]

REPORTS: list[dict[str, Any]] = [
    {
        "title": "Having a baby at Northdale General: what families told us",
        "summary": "Families told us about kind midwives, and about waits on the postnatal ward "
        "before going home.",
        "service": "ndh-maternity",
        "findings": [
            ("Most families rated their care as good", "positive", ""),
            (
                "Going home took too long",
                "note",
                "Families on our Enter and View visit described "
                "waiting most of a day for medicines before they could leave.",
            ),
        ],
        "recommendations": [
            (
                "Start discharge planning on the day of birth.",
                "accepted",
                "We agree that waits for discharge are too long.",
                "A discharge coordinator on the postnatal ward from April; pharmacy to prepare "
                "take-home medicines the evening before.",
            ),
            (
                "Tell families each morning when they are likely to go home.",
                "partly",
                "We will give an expected day, not a time: tests may change it.",
                "Expected discharge day written on the ward board from March.",
            ),
        ],
        "publish": True,
    },
    {
        "title": "Outpatient letters and appointments",
        "summary": "People told us letters arrived after the appointment they were about.",
        "service": None,
        "findings": [
            ("How many told us", "volume", ""),
            (
                "Letters arrive late",
                "note",
                "At our March listening event, eleven people said "
                "a letter reached them after the appointment date.",
            ),
        ],
        "recommendations": [
            (
                "Send appointment details by text as well as by letter.",
                "accepted",
                "We agree.",
                "Text reminders for every outpatient clinic by June.",
            ),
            ("Publish how many letters arrive after the appointment date.", None, "", ""),
        ],
        "publish": False,
    },
]


def _staff(password: str | None) -> dict[str, User]:
    users = {}
    for username, first, last, org_slug, role in STAFF:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"},
        )
        # As the other demo staff: the published password only in development, and taken away
        # when the demo is loaded without it.
        if created and password:
            user.set_password(password)
            user.save(update_fields=["password"])
        elif password is None and (created or user.check_password(DEMO_PASSWORD)):
            user.set_unusable_password()
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(
            user=user, organisation=Organisation.objects.get(slug=org_slug), defaults={"role": role}
        )
        users[username] = user
    return users


@transaction.atomic
def load_demo_reports(password: str | None) -> dict[str, int]:
    users = _staff(password)
    healthwatch = Organisation.objects.get(slug="healthwatch-northdale")
    trust = Organisation.objects.get(slug="northdale-hospitals")
    author, lead = users["healthwatch-officer"], users["healthwatch-manager"]
    today = timezone.localdate()
    for spec in REPORTS:
        if Report.objects.filter(organisation=healthwatch, title=spec["title"]).exists():
            continue
        chosen = Service.objects.filter(slug=spec["service"]) if spec["service"] else []
        report = services.create_report(
            healthwatch,
            author,
            title=spec["title"],
            summary=spec["summary"],
            services=list(chosen) or list(trust.services.all()),
            period_start=month_start(today, 5),
            period_end=today,
        )
        for title, kind, text in spec["findings"]:
            finding = services.add_finding(report, title, text or title + ".")
            if kind == "note":
                services.add_note(finding, text, "Healthwatch Northdale")
            else:
                services.add_figure(finding, kind)
                quote = services.quotable(report).first()
                if quote is not None and kind == Evidence.Measure.POSITIVE:
                    services.add_quote(finding, quote)
        for text, *_ in spec["recommendations"]:
            services.add_recommendation(report, text, trust)
        services.add_contact(report, "Northdale ICB quality team", "quality@northdale-icb.example")
        services.sign_off_report(report, lead)
        report = services.issue_report(report, author)
        for recommendation, (_t, decision, reasons, actions) in zip(
            report.recommendations.order_by("position"), spec["recommendations"], strict=True
        ):
            if decision:
                services.record_response(
                    recommendation,
                    users["trust-responder"],
                    decision=decision,
                    reasons=reasons,
                    planned_actions=actions,
                )
        if spec["publish"]:
            services.publish_report(report, author)
    return {"reports": Report.objects.filter(organisation=healthwatch).count()}
