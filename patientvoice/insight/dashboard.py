"""The numbers behind the insight page, for one scope (organisation, service, period, channel).

Every figure comes from a fixed handful of grouped queries, so the page costs the same number of
queries however many services, months or themes there are.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, Count, FilteredRelation, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from patientvoice.directory.models import Organisation, Service
from patientvoice.feedback.models import Comment, Experience
from patientvoice.insight.models import Theme, ThemeAssignment
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


def _months(scope: Scope, periods: int = 1) -> list[datetime.date]:
    """The first day of each month in the scope's period (or, with periods=2, in it and the
    period before), oldest first."""
    back = periods * scope.months - 1
    return [_month_start(scope.end, b) for b in range(back, -1, -1)]


def since(day: datetime.date) -> datetime.datetime:
    """The first moment of `day` in the site's time zone.

    Filters compare `submitted_at` with this rather than `submitted_at__date`, which converts
    every row's time zone before comparing and so cannot use an index.
    """
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def month_index(field: str, months: list[datetime.date]) -> Case:
    """Which of `months` the moment in `field` falls in, as an index into the list.

    Comparing with each month's first moment is exact in the site's time zone, works the same
    on every database, and is far cheaper than truncating every row's converted timestamp
    (on SQLite that is a Python function call per row).
    """
    return Case(
        *(
            When(**{f"{field}__gte": since(month)}, then=Value(i))
            for i, month in reversed(list(enumerate(months)))
        ),
        default=Value(None),
        output_field=IntegerField(),
    )


def in_scope(scope: Scope, prefix: str = "") -> Q:
    """The scope's organisation, service and channel, as a filter on experiences or, with a
    prefix such as "experience__", on rows joined to them (a join, not an IN subquery)."""
    found = Q(**{f"{prefix}organisation": scope.organisation})
    if scope.service:
        found &= Q(**{f"{prefix}service": scope.service})
    if scope.channel:
        found &= Q(**{f"{prefix}channel": scope.channel})
    return found


def scoped_experiences(scope: Scope) -> QuerySet[Experience]:
    return Experience.objects.filter(in_scope(scope))


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
    months = _months(scope)
    rows = (
        scoped_experiences(scope)
        .filter(submitted_at__gte=since(scope.start), rating__isnull=False)
        .annotate(month=month_index("submitted_at", months))
        .values("service_id", "month", "rating")
        .annotate(n=Count("*"))
        .order_by()
    )
    answers: dict[tuple[int, datetime.date], dict[int, int]] = defaultdict(dict)
    for row in rows:
        answers[row["service_id"], months[row["month"]]][row["rating"]] = row["n"]
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
    """Every theme figure on the page comes from this one grouped query over both periods.

    Each comment has at most one current assignment per theme and at most one current
    sentiment (classification and review keep it so), so counting rows counts comments, and
    summing over months, services or sentiments gives the totals the page shows.
    """
    months = _months(scope, periods=2)
    rows = list(
        ThemeAssignment.objects.filter(
            in_scope(scope, "comment__experience__"),
            is_current=True,
            comment__experience__submitted_at__gte=since(months[0]),
        )
        .annotate(
            month=month_index("comment__experience__submitted_at", months),
            current_sentiment=FilteredRelation(
                "comment__sentiments", condition=Q(comment__sentiments__is_current=True)
            ),
        )
        .values("theme_id", "comment__experience__service_id", "month", "current_sentiment__value")
        .annotate(n=Count("*"))
        .order_by()
    )
    # Grouping by the theme's id, not its name, keeps the grouped rows narrow.
    themes = Theme.objects.in_bulk({row["theme_id"] for row in rows})
    return [
        ThemeFact(
            themes[row["theme_id"]].name,
            themes[row["theme_id"]].category,
            row["comment__experience__service_id"],
            months[row["month"]],
            row["current_sentiment__value"],
            row["n"],
        )
        for row in rows
    ]


def _themes(scope: Scope, facts: list[ThemeFact]) -> tuple[list[ThemeRow], int, int]:
    comments = Comment.objects.filter(
        in_scope(scope, "experience__"),
        experience__submitted_at__gte=since(scope.previous_start),
    )
    first_day = scope.start  # computed once: the property reads the clock
    start = since(first_day)
    totals = comments.aggregate(
        now=Count("experience_id", filter=Q(experience__submitted_at__gte=start)),
        then=Count("experience_id", filter=Q(experience__submitted_at__lt=start)),
    )
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    split: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for fact in facts:
        current = fact.month >= first_day
        counts[fact.theme, fact.category][0 if current else 1] += fact.n
        if current and fact.sentiment is not None:
            split[fact.theme][fact.sentiment] += fact.n
    now, then = totals["now"] or 0, totals["then"] or 0
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
        chart = xmr_chart(series)
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
    counts = _monthly_counts(scope)
    by_month: dict[datetime.date, list[FftCounts]] = defaultdict(list)
    by_service: dict[int, dict[datetime.date, FftCounts]] = defaultdict(dict)
    for (service_id, month), c in counts.items():
        by_month[month].append(c)
        by_service[service_id][month] = c
    overall = {m: _sum(cs) for m, cs in by_month.items()}
    chart = xmr_chart(_percent_series(overall, months, minimum_month))
    facts = _theme_facts(scope)
    themes, now, then = _themes(scope, facts)
    services = Service.objects.in_bulk(
        {*by_service, *(f.service_id for f in facts if f.month >= months[0])}
    )
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
        theme_concerns=_theme_signals(facts, months, minimum_month),
        by_service=_theme_by_service(scope, facts, services),
    )
