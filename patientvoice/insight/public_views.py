"""The public page of a service, with its published summary.

It lives in insight, not directory, because the summary draws on feedback and its themes; the
design map lets insight read both, and directory neither.
"""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from patientvoice.directory.models import Group, Service
from patientvoice.feedback.models import Experience, Publication
from patientvoice.feedback.summary import since
from patientvoice.insight.headline import PUBLIC_MONTHS, Period, service_headline
from patientvoice.insight.models import ThemeAssignment
from patientvoice.insight.stats import (
    SUPPRESSION_THRESHOLD,
    FftCounts,
    Suppressed,
    is_suppressed,
    publishable_count,
    suppress_table,
)

TOP_THEMES = 5
STORIES = 5


def _summary(counts: FftCounts) -> dict[str, object]:
    """What may be published beside the total: % positive, unless it would disclose fewer than
    5 people.

    The percentage and the total give away both how many said good and how many did not, so
    both are a table (`suppress_table`). When only those who did not are few, a bound is shown
    instead ("more than 90%"): it says no more than that fewer than 5 did not.
    """
    total = counts.total
    cells = suppress_table({"positive": counts.positive, "other": total - counts.positive})
    positive_percent = positive_above = None
    if not isinstance(cells["positive"], Suppressed):
        positive_percent = 100 * counts.positive / total if total else None
    elif not is_suppressed(counts.positive):
        positive_above = 100 * (total - SUPPRESSION_THRESHOLD) // total
    return {
        "total": total,
        "total_withheld": isinstance(publishable_count(total), Suppressed),
        "positive_percent": positive_percent,
        "positive_above": positive_above,
        "positive_withheld": is_suppressed(counts.positive),
    }


def service_detail(request: HttpRequest, slug: str) -> HttpResponse:
    service = get_object_or_404(
        Service.objects.select_related("organisation", "site"), slug=slug, is_active=True
    )
    # The same headline, over the same kind of period, as the staff insight page shows.
    headline = service_headline(service, Period.to_today(PUBLIC_MONTHS))
    # Held-back submissions are in no figure until released.
    recent = Experience.objects.filter(
        status=Experience.Status.COUNTED,
        service=service,
        submitted_at__gte=since(headline.period.start),
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
            "period": headline.period,
            "summary": _summary(headline.counts),
            # Themes mentioned fewer than 5 times are left out: they could identify someone.
            "themes": [t for t in themes if not is_suppressed(t["n"])],
            "stories": stories,
        },
    )
