"""The numbers behind the insight page, for one scope (organisation, service, period, channel).

Every figure comes from a fixed handful of grouped queries of the insight summaries (counts per
service, channel and month, kept up to date by every write: docs/decisions/0004), so the page
costs the same few queries however many services, months, themes or records there are. The
drill-down links go to the comment explorer, which reads the records themselves.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from patientvoice.directory.models import Organisation, Service
from patientvoice.feedback.models import Experience, ResponseSummary
from patientvoice.feedback.summary import RESPONSE_FIELDS
from patientvoice.insight.headline import Headline, Period, headline_of, month_start
from patientvoice.insight.models import ThemeSummary
from patientvoice.insight.stats import (
    PERCENT,
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
from patientvoice.insight.summary import THEME_FIELDS


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
    def period(self) -> Period:
        return Period(self.months, self.end)

    @property
    def start(self) -> datetime.date:
        return self.period.start

    @property
    def previous_start(self) -> datetime.date:
        return month_start(self.end, 2 * self.months - 1)


def _months(scope: Scope, periods: int = 1) -> list[datetime.date]:
    """The first day of each month in the scope's period (or, with periods=2, in it and the
    period before), oldest first."""
    back = periods * scope.months - 1
    return [month_start(scope.end, b) for b in range(back, -1, -1)]


def in_scope(scope: Scope, prefix: str = "") -> Q:
    """The scope's organisation, service and channel, as a filter on experiences and on the
    summaries (which have the same three fields) or, with a prefix such as "experience__", on
    rows joined to experiences (a join, not an IN subquery)."""
    found = Q(**{f"{prefix}organisation": scope.organisation})
    if scope.service:
        found &= Q(**{f"{prefix}service": scope.service})
    if scope.channel:
        found &= Q(**{f"{prefix}channel": scope.channel})
    return found


def scoped_experiences(scope: Scope) -> QuerySet[Experience]:
    return Experience.objects.filter(in_scope(scope), status=Experience.Status.COUNTED)


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
    headline: Headline
    monthly: list[FftRates | None]
    chart: XmrChart
    themes: list[ThemeRow]
    comments: int
    previous_comments: int
    concerns: list[Concern] = field(default_factory=list)
    theme_concerns: list[ThemeSignal] = field(default_factory=list)
    by_service: ThemeByService | None = None

    @property
    def rates(self) -> FftRates:
        return self.headline.rates


def _responses(scope: Scope) -> list[dict[str, Any]]:
    """The response summary over both periods, one row per service and month."""
    return list(
        ResponseSummary.objects.filter(in_scope(scope), month__gte=scope.previous_start)
        .values("service_id", "month")
        .annotate(**{name: Sum(name) for name in RESPONSE_FIELDS})
        .order_by()
    )


def _in_period(month: datetime.date, months: list[datetime.date]) -> datetime.date:
    # Records dated after this month (an import can carry a future date) count in this month,
    # as they always have.
    return min(month, months[-1])


def _monthly_counts(
    scope: Scope, responses: list[dict[str, Any]]
) -> dict[tuple[int, datetime.date], FftCounts]:
    months = _months(scope)
    answers: dict[tuple[int, datetime.date], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for row in responses:
        if row["month"] < months[0]:
            continue
        for rating, name in enumerate(RESPONSE_FIELDS[:-1], start=1):
            if row[name]:
                answers[row["service_id"], _in_period(row["month"], months)][rating] += row[name]
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


@dataclass(frozen=True)
class ThemeFact:
    """How many comments in one month at one service carry a theme, and with what sentiment."""

    theme: str
    category: str
    service_id: int
    month: datetime.date
    sentiment: int | None
    n: int


def _theme_facts(scope: Scope) -> list[ThemeFact]:
    """Every theme figure on the page comes from this one grouped query of the theme summary
    over both periods.

    Each comment has at most one current assignment per theme and at most one current
    sentiment (classification and review keep it so), so the summary's counts are comments,
    and summing over months, services or sentiments gives the totals the page shows.
    """
    months = _months(scope, periods=2)
    rows = (
        ThemeSummary.objects.filter(in_scope(scope), month__gte=months[0])
        .values("theme__name", "theme__category", "service_id", "month")
        .annotate(**{name: Sum(name) for name in THEME_FIELDS})
        .order_by()
    )
    facts = []
    for row in rows:
        month = _in_period(row["month"], months)
        split = [(value, row[name]) for value, name in enumerate(THEME_FIELDS[1:], start=1)]
        without = row["comments"] - sum(n for _, n in split)
        for sentiment, n in [*split, (None, without)]:
            if n > 0:
                facts.append(
                    ThemeFact(
                        row["theme__name"],
                        row["theme__category"],
                        row["service_id"],
                        month,
                        sentiment,
                        n,
                    )
                )
    return facts


def _themes(
    scope: Scope, facts: list[ThemeFact], responses: list[dict[str, Any]]
) -> tuple[list[ThemeRow], int, int]:
    first_day = scope.start  # computed once: the property reads the clock
    now = sum(r["comments"] for r in responses if r["month"] >= first_day)
    then = sum(r["comments"] for r in responses if r["month"] < first_day)
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    split: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for fact in facts:
        current = fact.month >= first_day
        counts[fact.theme, fact.category][0 if current else 1] += fact.n
        if current and fact.sentiment is not None:
            split[fact.theme][fact.sentiment] += fact.n
    rows = []
    for (name, category), (count_now, count_then) in counts.items():
        s = split[name]
        theme = ThemeRow(
            name,
            category,
            count_now,
            count_now / now if now else 0,
            positive=s[1] + s[2],
            neutral=s[3],
            negative=s[4] + s[5],
            previous_count=count_then,
            previous_share=count_then / then if then else 0,
        )
        if now and then:
            theme.change = compare_theme_share(count_then, then, count_now, now)
        rows.append(theme)
    tested = [r for r in rows if r.change is not None]
    for r, p in zip(tested, benjamini_hochberg([r.change.p_value for r in tested]), strict=True):  # type: ignore[union-attr]
        r.adjusted_p = p
    rows.sort(key=lambda r: (-r.count, r.name))
    return rows, now, then


def _theme_signals(
    facts: list[ThemeFact], months: list[datetime.date], minimum: int
) -> list[ThemeSignal]:
    """XmR charts of each theme's monthly negative share; a theme whose latest month is a
    special cause on the high side is a concern. Only comments with a sentiment count."""
    per_theme: dict[str, dict[datetime.date, list[int]]] = defaultdict(
        lambda: defaultdict(lambda: [0, 0])
    )
    for fact in facts:
        if fact.month >= months[0] and fact.sentiment is not None:
            counts = per_theme[fact.theme][fact.month]
            counts[0] += fact.n if fact.sentiment in (4, 5) else 0
            counts[1] += fact.n
    signals = []
    for theme, per_month in per_theme.items():
        series: list[float | None] = []
        for month in months:
            negative, n = per_month.get(month, (0, 0))
            series.append(100 * negative / n if n >= minimum else None)
        chart = xmr_chart(series, bounds=PERCENT)
        observed = [i for i, v in enumerate(chart.values) if v is not None]
        if observed and any(
            s.meaning(Improvement.DECREASE) is Meaning.CONCERN
            for s in chart.signals_at(observed[-1])
        ):
            signals.append(ThemeSignal(theme, chart, chart.values[observed[-1]] or 0.0))
    return sorted(signals, key=lambda s: -s.latest)


def _theme_by_service(
    scope: Scope,
    facts: list[ThemeFact],
    services: dict[int, Service],
    top_services: int = 8,
    top_themes: int = 15,
) -> ThemeByService | None:
    if scope.service is not None:
        return None
    table: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    service_totals: dict[int, int] = defaultdict(int)
    theme_totals: dict[str, int] = defaultdict(int)
    first_day = scope.start
    for fact in facts:
        if fact.month < first_day:
            continue
        table[fact.theme][fact.service_id] += fact.n
        service_totals[fact.service_id] += fact.n
        theme_totals[fact.theme] += fact.n
    if not table:
        return None
    service_ids = sorted(service_totals, key=lambda s: -service_totals[s])[:top_services]
    themes = sorted(theme_totals, key=lambda t: (-theme_totals[t], t))[:top_themes]
    return ThemeByService(
        [services[s] for s in service_ids],
        [(t, [table[t].get(s, 0) for s in service_ids]) for t in themes],
    )


def build_insight(scope: Scope, *, minimum_month: int = 5) -> Insight:
    months = _months(scope)
    responses = _responses(scope)
    counts = _monthly_counts(scope, responses)
    by_month: dict[datetime.date, list[FftCounts]] = defaultdict(list)
    by_service: dict[int, dict[datetime.date, FftCounts]] = defaultdict(dict)
    for (service_id, month), c in counts.items():
        by_month[month].append(c)
        by_service[service_id][month] = c
    overall = {m: _sum(cs) for m, cs in by_month.items()}
    chart = xmr_chart(_percent_series(overall, months, minimum_month), bounds=PERCENT)
    facts = _theme_facts(scope)
    themes, now, then = _themes(scope, facts, responses)
    services = Service.objects.in_bulk(
        {*by_service, *(f.service_id for f in facts if f.month >= months[0])}
    )
    concerns = []
    for service_id, per_month in by_service.items():
        service_chart = xmr_chart(_percent_series(per_month, months, minimum_month), bounds=PERCENT)
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
        # The same function the public service page reads (insight/headline.py).
        headline=headline_of(scope.period, responses),
        monthly=[fft_rates(overall[m]) if m in overall else None for m in months],
        chart=chart,
        themes=themes,
        comments=now,
        previous_comments=then,
        concerns=concerns,
        theme_concerns=_theme_signals(facts, months, minimum_month),
        by_service=_theme_by_service(scope, facts, services),
    )
