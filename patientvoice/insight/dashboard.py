"""The numbers behind the insight page, for one scope (organisation, service, period, channel).

Every figure comes from a fixed handful of grouped queries, so the page costs the same number of
queries however many services, months or themes there are.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from patientvoice.directory.models import Organisation, Service
from patientvoice.feedback.models import Comment, Experience
from patientvoice.insight.models import ThemeAssignment
from patientvoice.insight.stats import (
    FftCounts,
    FftRates,
    Improvement,
    Meaning,
    ProportionChange,
    XmrChart,
    benjamini_hochberg,
    compare_theme_share,
    fft_rates,
    xmr_chart,
)


@dataclass(frozen=True)
class Scope:
    organisation: Organisation
    service: Service | None
    months: int
    channel: str = ""

    @property
    def end(self) -> datetime.date:
        return timezone.localdate()

    @property
    def start(self) -> datetime.date:
        return _month_start(self.end, self.months - 1)

    @property
    def previous_start(self) -> datetime.date:
        return _month_start(self.end, 2 * self.months - 1)


def _month_start(day: datetime.date, months_back: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 - months_back
    return datetime.date(index // 12, index % 12 + 1, 1)


def _months(scope: Scope) -> list[datetime.date]:
    return [_month_start(scope.end, back) for back in range(scope.months - 1, -1, -1)]


def scoped_experiences(scope: Scope) -> QuerySet[Experience]:
    experiences = Experience.objects.filter(organisation=scope.organisation)
    if scope.service:
        experiences = experiences.filter(service=scope.service)
    if scope.channel:
        experiences = experiences.filter(channel=scope.channel)
    return experiences


@dataclass
class ThemeRow:
    name: str
    category: str
    count: int
    share: float
    positive: int = 0
    neutral: int = 0
    negative: int = 0
    previous_count: int = 0
    previous_share: float = 0.0
    change: ProportionChange | None = None
    adjusted_p: float | None = None

    @property
    def significant(self) -> bool:
        return self.adjusted_p is not None and self.adjusted_p < 0.05


@dataclass
class Concern:
    service: Service
    chart: XmrChart
    latest: float


@dataclass
class ThemeSignal:
    theme: str
    chart: XmrChart
    latest: float  # % of the theme's comments that were negative in the latest month


@dataclass
class ThemeByService:
    services: list[Service]
    rows: list[tuple[str, list[int]]]  # theme, count per service (same order as services)


@dataclass
class Insight:
    scope: Scope
    months: list[datetime.date]
    rates: FftRates
    monthly: list[FftRates | None]
    chart: XmrChart
    themes: list[ThemeRow]
    comments: int
    previous_comments: int
    concerns: list[Concern] = field(default_factory=list)
    theme_concerns: list[ThemeSignal] = field(default_factory=list)
    by_service: ThemeByService | None = None


def _monthly_counts(scope: Scope) -> dict[tuple[int, datetime.date], FftCounts]:
    rows = (
        scoped_experiences(scope)
        .filter(submitted_at__date__gte=scope.start, rating__isnull=False)
        .annotate(month=TruncMonth("submitted_at"))
        .values("service_id", "month", "rating")
        .annotate(n=Count("pk"))
        .order_by()
    )
    answers: dict[tuple[int, datetime.date], dict[int, int]] = defaultdict(dict)
    for row in rows:
        month = row["month"]
        month = month.date() if isinstance(month, datetime.datetime) else month
        answers[row["service_id"], month][row["rating"]] = row["n"]
    return {key: FftCounts.from_answers(value) for key, value in answers.items()}


def _sum(counts: list[FftCounts]) -> FftCounts:
    return FftCounts(*(sum(column) for column in zip(*(c.as_tuple() for c in counts), strict=True)))


def _percent_series(
    per_month: dict[datetime.date, FftCounts], months: list[datetime.date], minimum: int
) -> list[float | None]:
    series: list[float | None] = []
    for month in months:
        counts = per_month.get(month)
        rates = fft_rates(counts) if counts else None
        enough = rates is not None and rates.positive is not None and rates.total >= minimum
        series.append(100 * rates.positive.proportion if enough else None)  # type: ignore[union-attr]
    return series


def _themes(scope: Scope) -> tuple[list[ThemeRow], int, int]:
    comments = Comment.objects.filter(experience__in=scoped_experiences(scope))
    period = Q(experience__submitted_at__date__gte=scope.start)
    before = Q(
        experience__submitted_at__date__gte=scope.previous_start,
        experience__submitted_at__date__lt=scope.start,
    )
    totals = comments.aggregate(now=Count("pk", filter=period), then=Count("pk", filter=before))
    assignments = ThemeAssignment.objects.filter(is_current=True, comment__in=comments)
    counts = (
        assignments.values("theme__name", "theme__category")
        .annotate(
            now=Count(
                "comment",
                filter=Q(comment__experience__submitted_at__date__gte=scope.start),
                distinct=True,
            ),
            then=Count(
                "comment",
                filter=Q(
                    comment__experience__submitted_at__date__gte=scope.previous_start,
                    comment__experience__submitted_at__date__lt=scope.start,
                ),
                distinct=True,
            ),
        )
        .order_by()
    )
    sentiment = (
        assignments.filter(
            comment__experience__submitted_at__date__gte=scope.start,
            comment__sentiments__is_current=True,
        )
        .values("theme__name", "comment__sentiments__value")
        .annotate(n=Count("pk"))
        .order_by()
    )
    split: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for row in sentiment:
        split[row["theme__name"]][row["comment__sentiments__value"]] += row["n"]
    now, then = totals["now"] or 0, totals["then"] or 0
    rows = []
    for row in counts:
        if not row["now"] and not row["then"]:
            continue
        s = split[row["theme__name"]]
        theme = ThemeRow(
            row["theme__name"],
            row["theme__category"],
            row["now"],
            row["now"] / now if now else 0,
            positive=s[1] + s[2],
            neutral=s[3],
            negative=s[4] + s[5],
            previous_count=row["then"],
            previous_share=row["then"] / then if then else 0,
        )
        if now and then:
            theme.change = compare_theme_share(row["then"], then, row["now"], now)
        rows.append(theme)
    tested = [r for r in rows if r.change is not None]
    for r, p in zip(tested, benjamini_hochberg([r.change.p_value for r in tested]), strict=True):  # type: ignore[union-attr]
        r.adjusted_p = p
    rows.sort(key=lambda r: (-r.count, r.name))
    return rows, now, then


def _theme_signals(scope: Scope, months: list[datetime.date], minimum: int) -> list[ThemeSignal]:
    """XmR charts of each theme's monthly negative share; a theme whose latest month is a
    special cause on the high side is a concern."""
    rows = (
        ThemeAssignment.objects.filter(
            is_current=True,
            comment__experience__in=scoped_experiences(scope),
            comment__experience__submitted_at__date__gte=scope.start,
            comment__sentiments__is_current=True,
        )
        .annotate(month=TruncMonth("comment__experience__submitted_at"))
        .values("theme__name", "month")
        .annotate(
            n=Count("pk"),
            negative=Count("pk", filter=Q(comment__sentiments__value__in=[4, 5])),
        )
        .order_by()
    )
    per_theme: dict[str, dict[datetime.date, tuple[int, int]]] = defaultdict(dict)
    for row in rows:
        month = row["month"]
        month = month.date() if isinstance(month, datetime.datetime) else month
        per_theme[row["theme__name"]][month] = (row["negative"], row["n"])
    signals = []
    for theme, counts in per_theme.items():
        series: list[float | None] = []
        for month in months:
            negative, n = counts.get(month, (0, 0))
            series.append(100 * negative / n if n >= minimum else None)
        chart = xmr_chart(series)
        observed = [i for i, v in enumerate(chart.values) if v is not None]
        if observed and any(
            s.meaning(Improvement.DECREASE) is Meaning.CONCERN
            for s in chart.signals_at(observed[-1])
        ):
            signals.append(ThemeSignal(theme, chart, chart.values[observed[-1]] or 0.0))
    return sorted(signals, key=lambda s: -s.latest)


def _theme_by_service(
    scope: Scope, top_services: int = 8, top_themes: int = 15
) -> ThemeByService | None:
    if scope.service is not None:
        return None
    rows = (
        ThemeAssignment.objects.filter(
            is_current=True,
            comment__experience__in=scoped_experiences(scope),
            comment__experience__submitted_at__date__gte=scope.start,
        )
        .values("theme__name", "comment__experience__service_id")
        .annotate(n=Count("comment", distinct=True))
        .order_by()
    )
    table: dict[str, dict[int, int]] = defaultdict(dict)
    service_totals: dict[int, int] = defaultdict(int)
    theme_totals: dict[str, int] = defaultdict(int)
    for row in rows:
        service_id, n = row["comment__experience__service_id"], row["n"]
        table[row["theme__name"]][service_id] = n
        service_totals[service_id] += n
        theme_totals[row["theme__name"]] += n
    if not table:
        return None
    service_ids = sorted(service_totals, key=lambda s: -service_totals[s])[:top_services]
    services = Service.objects.in_bulk(service_ids)
    themes = sorted(theme_totals, key=lambda t: (-theme_totals[t], t))[:top_themes]
    return ThemeByService(
        [services[s] for s in service_ids],
        [(t, [table[t].get(s, 0) for s in service_ids]) for t in themes],
    )


def build_insight(scope: Scope, *, minimum_month: int = 5) -> Insight:
    months = _months(scope)
    counts = _monthly_counts(scope)
    by_month: dict[datetime.date, list[FftCounts]] = defaultdict(list)
    by_service: dict[int, dict[datetime.date, FftCounts]] = defaultdict(dict)
    for (service_id, month), c in counts.items():
        by_month[month].append(c)
        by_service[service_id][month] = c
    overall = {m: _sum(cs) for m, cs in by_month.items()}
    chart = xmr_chart(_percent_series(overall, months, minimum_month))
    themes, now, then = _themes(scope)
    services = Service.objects.in_bulk(list(by_service))
    concerns = []
    for service_id, per_month in by_service.items():
        service_chart = xmr_chart(_percent_series(per_month, months, minimum_month))
        observed = [i for i, v in enumerate(service_chart.values) if v is not None]
        if not observed:
            continue
        latest = observed[-1]
        if any(
            s.meaning(Improvement.INCREASE) is Meaning.CONCERN
            for s in service_chart.signals_at(latest)
        ):
            concerns.append(
                Concern(services[service_id], service_chart, service_chart.values[latest] or 0.0)
            )
    concerns.sort(key=lambda c: c.latest)
    return Insight(
        scope=scope,
        months=months,
        rates=fft_rates(_sum(list(overall.values()))),
        monthly=[fft_rates(overall[m]) if m in overall else None for m in months],
        chart=chart,
        themes=themes,
        comments=now,
        previous_comments=then,
        concerns=concerns,
        theme_concerns=_theme_signals(scope, months, minimum_month),
        by_service=_theme_by_service(scope),
    )
