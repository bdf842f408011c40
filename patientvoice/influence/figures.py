"""The figures a finding cites, computed from the insight summaries over a report's scope.

While a report is a draft its figures are live; `issue_report` stores each one, as this module
computes it, in `Evidence.frozen`, and the report is drawn from that ever after, so new feedback
cannot change an issued report. What is stored is what may be published: counts of 1 to 4, and
any rate or share built on one, are withheld as on the public service page
(`insight.stats.suppress_table`, `publishable_rate`).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone

from patientvoice.directory.models import Service
from patientvoice.feedback.models import ResponseSummary
from patientvoice.feedback.summary import RESPONSE_FIELDS, months_between
from patientvoice.influence.models import Evidence, Report
from patientvoice.insight.charts import XmrDrawing, draw_xmr
from patientvoice.insight.headline import month_start
from patientvoice.insight.models import Theme, ThemeSummary
from patientvoice.insight.stats import (
    PERCENT,
    FftCounts,
    Improvement,
    Suppressed,
    compare_theme_share,
    is_suppressed,
    publishable_count,
    publishable_rate,
    suppress_table,
    xmr_chart,
)

Figure = dict[str, Any]


def scope_services(report: Report) -> list[Service]:
    """The services a report is about: those chosen, else every service of the organisations
    in its area (and the areas inside it), else the reporting organisation's own."""
    chosen = list(report.services.select_related("organisation").order_by("name"))
    if chosen:
        return chosen
    if report.area_id:
        in_area = Q(organisation__area=report.area_id) | Q(
            organisation__area__parent=report.area_id
        )
        return list(Service.objects.filter(in_area).select_related("organisation"))
    return list(report.organisation.services.select_related("organisation"))


def scope_label(report: Report) -> str:
    chosen = list(report.services.all())
    if chosen:
        return ", ".join(str(s) for s in chosen)
    if report.area_id:
        return f"Every service in {report.area}"
    return f"Every service of {report.organisation}"


def period_label(start: datetime.date, end: datetime.date) -> str:
    return f"{start:%B %Y} to {end:%B %Y}"


def _months(report: Report) -> list[datetime.date]:
    return months_between(report.period_start, report.period_end)


def _response_rows(service_ids: list[int], first: datetime.date, last: datetime.date) -> dict:
    rows = (
        ResponseSummary.objects.filter(service_id__in=service_ids, month__gte=first)
        .filter(month__lte=last)
        .values("month")
        .annotate(**{name: Sum(name) for name in RESPONSE_FIELDS})
        .order_by()
    )
    return {row["month"]: row for row in rows}


def _counts(row: dict | None) -> FftCounts:
    return FftCounts(*((row or {}).get(name) or 0 for name in RESPONSE_FIELDS[:-1]))


def _shown(value: int) -> int | None:
    published = publishable_count(value)
    return None if isinstance(published, Suppressed) else published


def _rate(numerator: int, denominator: int) -> dict[str, float] | None:
    """A percentage with its Wilson interval, or None when it would disclose a small count."""
    published = publishable_rate(numerator, denominator)
    if published is None or isinstance(published, Suppressed):
        return None
    return {
        "percent": 100 * published.proportion,
        "low": 100 * published.interval.low,
        "high": 100 * published.interval.high,
    }


def _positive(counts: FftCounts) -> dict[str, float] | None:
    # The % and the total together give away how many did not say good: both are one table.
    cells = suppress_table({"positive": counts.positive, "other": counts.total - counts.positive})
    if any(isinstance(v, Suppressed) for v in cells.values()) or not counts.total:
        return None
    return _rate(counts.positive, counts.total)


def compute_figure(evidence: Evidence, report: Report) -> Figure:
    """The figure as it stands now (a dict that can be stored as JSON)."""
    services = [evidence.service] if evidence.service else scope_services(report)
    ids = [s.pk for s in services]
    months = _months(report)
    figure: Figure = {
        "measure": evidence.measure,
        "scope": str(evidence.service) if evidence.service else scope_label(report),
        "period": period_label(months[0], months[-1]),
        "computed_at": timezone.now().isoformat(),
    }
    if evidence.measure == Evidence.Measure.THEME:
        return figure | _theme_figure(evidence.theme, ids, months)  # type: ignore[arg-type]
    rows = _response_rows(ids, months[0], months[-1])
    total = _counts_sum(rows.values())
    comments = sum(row["comments"] or 0 for row in rows.values())
    figure |= {"responses": _shown(total.total), "comments": _shown(comments)}
    if evidence.measure == Evidence.Measure.POSITIVE:
        figure["positive"] = _positive(total)
        figure["monthly"] = [
            {
                "month": f"{m:%b %Y}",
                "n": _shown(_counts(rows.get(m)).total),
                "value": (_positive(_counts(rows.get(m))) or {}).get("percent"),
            }
            for m in months
        ]
    return figure


def _counts_sum(rows: Any) -> FftCounts:
    totals = [0] * 6
    for row in rows:
        for i, name in enumerate(RESPONSE_FIELDS[:-1]):
            totals[i] += row[name] or 0
    return FftCounts(*totals)


def _theme_figure(theme: Theme, ids: list[int], months: list[datetime.date]) -> Figure:
    """A theme's share of the period's comments, its share in the period of the same length
    before, whether the change is significant, and its share month by month."""
    before = month_start(months[0], len(months))
    comments = {
        m: row["comments"] or 0 for m, row in _response_rows(ids, before, months[-1]).items()
    }
    with_theme: dict[datetime.date, int] = defaultdict(int)
    rows = (
        ThemeSummary.objects.filter(service_id__in=ids, theme=theme, month__gte=before)
        .filter(month__lte=months[-1])
        .values("month")
        .annotate(n=Sum("comments"))
        .order_by()
    )
    for row in rows:
        with_theme[row["month"]] = row["n"] or 0
    now_n = sum(with_theme[m] for m in months)
    now_total = sum(comments.get(m, 0) for m in months)
    then_n = sum(n for m, n in with_theme.items() if m < months[0])
    then_total = sum(n for m, n in comments.items() if m < months[0])
    figure: Figure = {
        "theme": theme.name,
        "mentions": _shown(now_n),
        "comments": _shown(now_total),
        "share": _rate(now_n, now_total),
        "previous_share": _rate(then_n, then_total),
        "change": None,
        "monthly": [
            {
                "month": f"{m:%b %Y}",
                "n": _shown(with_theme[m]),
                "value": (_rate(with_theme[m], comments.get(m, 0)) or {}).get("percent"),
            }
            for m in months
        ],
    }
    disclosive = any(is_suppressed(n) for n in (now_n, now_total, then_n, then_total))
    if now_total and then_total and not disclosive:
        change = compare_theme_share(then_n, then_total, now_n, now_total)
        figure["change"] = {
            "difference": 100 * change.difference,
            "p_value": change.p_value,
            "significant": change.significant,
        }
    return figure


def figure_of(evidence: Evidence, report: Report) -> Figure:
    """What the report shows: the frozen figure once issued, else the live one."""
    if evidence.frozen is not None:
        return evidence.frozen
    return compute_figure(evidence, report)


def drawing(figure: Figure) -> XmrDrawing | None:
    """The SVG geometry of a figure's monthly series, from the figure's own (frozen) values."""
    monthly = figure.get("monthly") or []
    values = [m["value"] for m in monthly]
    if sum(v is not None for v in values) < 2:
        return None
    improvement = Improvement.INCREASE if figure["measure"] == "positive" else Improvement.DECREASE
    chart = xmr_chart(values, bounds=PERCENT)
    return draw_xmr(chart, [m["month"] for m in monthly], improvement)
