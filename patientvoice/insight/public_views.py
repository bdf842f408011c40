"""The public page of a service, with its published summary.

It lives in insight, not directory, because the summary draws on feedback and its themes; the
design map lets insight read both, and directory neither.
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from patientvoice.directory.models import Group, Service
from patientvoice.feedback.models import Experience, Publication
from patientvoice.insight.models import ThemeAssignment
from patientvoice.insight.stats import (
    FftCounts,
    Rate,
    Suppressed,
    is_suppressed,
    publishable_fft_rates,
)

TOP_THEMES = 5
STORIES = 5


def _summary(counts: FftCounts) -> dict[str, object]:
    """What may be published: totals and rates resting on fewer than 5 people are withheld."""
    rates = publishable_fft_rates(counts)
    positive = rates.positive
    return {
        "total": counts.total,
        "total_withheld": isinstance(rates.total, Suppressed),
        "positive_percent": None if not isinstance(positive, Rate) else 100 * positive.proportion,
        "positive_withheld": isinstance(positive, Suppressed),
    }


def service_detail(request: HttpRequest, slug: str) -> HttpResponse:
    service = get_object_or_404(
        Service.objects.select_related("organisation", "site"), slug=slug, is_active=True
    )
    since = timezone.now() - datetime.timedelta(days=365)
    recent = Experience.objects.filter(service=service, submitted_at__gte=since)
    answers = Counter(
        dict(recent.filter(rating__isnull=False).values_list("rating").annotate(n=Count("pk")))
    )
    themes = (
        ThemeAssignment.objects.filter(is_current=True, comment__experience__in=recent)
        .exclude(theme__name__in=["Labelling not possible", "Not assigned"])
        .values("theme__name")
        .annotate(n=Count("comment", distinct=True))
        .order_by("-n", "theme__name")[:TOP_THEMES]
    )
    stories = (
        Publication.objects.filter(comment__experience__service=service, withdrawn_at__isnull=True)
        .select_related("comment")
        .order_by("-published_at")[:STORIES]
    )
    groups = (
        Group.objects.filter(is_published=True, influences=service.organisation)
        .select_related("host")
        .order_by("name")
    )
    return render(
        request,
        "insight/service_detail.jinja",
        {
            "service": service,
            "groups": groups,
            "summary": _summary(FftCounts.from_answers(dict(answers))),
            # Themes mentioned fewer than 5 times are left out: they could identify someone.
            "themes": [t for t in themes if not is_suppressed(t["n"])],
            "stories": stories,
        },
    )
