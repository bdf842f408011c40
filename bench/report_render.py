"""How long a large report takes to render as a PDF, and the memory it takes.

A report with 20 findings, 10 % positive charts (12 months each, with their data tables) and
50 published quotes, issued (figures frozen), rendered to PDF by `influence.rendering.render_pdf`
from the same HTML as its page. Runs on a throwaway in-memory SQLite database with the test
settings; nothing is fetched.

    .venv/bin/python bench/report_render.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
import tracemalloc
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patientvoice.test_settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def build() -> object:
    from django.utils import timezone

    from patientvoice.directory.models import Organisation, Service
    from patientvoice.feedback.models import ResponseSummary
    from patientvoice.feedback.services import ExperienceInput, publish_comment, submit_feedback
    from patientvoice.influence import services
    from patientvoice.influence.models import Evidence
    from patientvoice.insight.headline import month_start
    from patientvoice.people.models import Membership, Role, User

    org = Organisation.objects.create(name="Bench Healthwatch", slug="bench-hw", kind="healthwatch")
    trust = Organisation.objects.create(name="Bench Trust", slug="bench-trust", kind="nhs_trust")
    service = Service.objects.create(organisation=trust, name="Ward 1", slug="bench-ward")
    author = User.objects.create_user("bench-author", email="a@example.org")
    checker = User.objects.create_user("bench-checker", email="c@example.org")
    for user in (author, checker):
        Membership.objects.create(user=user, organisation=org, role=Role.OFFICER)
    today = timezone.localdate()
    publications = []
    for i in range(50):
        experience, _ = submit_feedback(
            ExperienceInput(
                service=service,
                rating=1 + i % 5,
                respondent="patient",
                channel="web",
                consent_method="online",
                what_was_good=f"Comment number {i}: the nurses explained the plan and the "
                "discharge letter was ready on time, though the wait for medicines was long.",
                may_publish=True,
                submission_token=uuid.uuid4(),
            )
        )
        publications.append(publish_comment(experience.comments.get(), f"Quote {i}", author))
    for back in range(1, 12):
        ResponseSummary.objects.create(
            organisation=trust,
            service=service,
            channel="web",
            month=month_start(today, back),
            very_good=40 + back,
            good=20,
            neither=5,
            poor=6,
            very_poor=5,
            comments=30,
        )
    report = services.create_report(
        org,
        author,
        title="Bench report",
        summary="A large report.\n\nSecond paragraph.",
        services=[service],
        period_start=month_start(today, 11),
        period_end=today,
    )
    for f in range(20):
        finding = services.add_finding(report, f"Finding {f}", "What we found. " * 40)
        if f < 10:
            services.add_figure(finding, Evidence.Measure.POSITIVE)
        for publication in publications[f * 50 // 20 : (f + 1) * 50 // 20]:
            services.add_quote(finding, publication)
        services.add_recommendation(report, f"Recommendation {f}.", trust)
    services.sign_off_report(report, checker)
    return services.issue_report(report, author)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)
    from patientvoice.influence.models import Evidence
    from patientvoice.influence.rendering import render_pdf

    report = build()
    counts = Evidence.objects.filter(finding__report=report).values_list("kind", flat=True)
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        pdf = render_pdf(report, public=True)  # type: ignore[arg-type]
        times.append(time.perf_counter() - started)
        assert pdf.startswith(b"%PDF")
    # Memory on a separate run: tracing every allocation slows Python several times over.
    tracemalloc.start()
    size = len(render_pdf(report, public=True))  # type: ignore[arg-type]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(
        json.dumps(
            {
                "findings": 20,
                "charts": list(counts).count("figure"),
                "quotes": list(counts).count("quote"),
                "pdf_bytes": size,
                "seconds": [round(t, 2) for t in times],
                "python_peak_mib": round(peak / 2**20, 1),
                "process_max_rss_mib": round(
                    resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
                ),
            }
        )
    )


if __name__ == "__main__":
    main()
