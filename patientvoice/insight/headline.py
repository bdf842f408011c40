"""A service's headline figures over a stated period: responses, % positive, % negative.

The public service page and the staff insight page both read their headline through
`headline_of`, over the same kind of period, so the same service shows the same figures to the
public and to staff. They once disagreed (37 responses and 86% against 30 and 83.3%) because the
public page counted the last 365 days from the records while staff counted whole calendar
months from the response summary.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from patientvoice.directory.models import Service
from patientvoice.feedback.models import ResponseSummary
from patientvoice.feedback.summary import RESPONSE_FIELDS
from patientvoice.insight.stats import FftCounts, FftRates, fft_rates

# What the public service page shows, and the staff insight page's default.
PUBLIC_MONTHS = 12


def month_start(day: datetime.date, months_back: int) -> datetime.date:
    """The first day of the month `months_back` months before `day`'s month."""
    index = day.year * 12 + day.month - 1 - months_back
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """The last `months` calendar months up to and including `end` (this month so far counts as
    one). Whole months, because the summaries the figures come from count by month."""

    months: int
    end: datetime.date

    @classmethod
    def to_today(cls, months: int) -> Period:
        return cls(months, timezone.localdate())

    @property
    def start(self) -> datetime.date:
        return month_start(self.end, self.months - 1)

    def __str__(self) -> str:
        return f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"


@dataclass(frozen=True)
class Headline:
    period: Period
    counts: FftCounts
    rates: FftRates  # "Don't know" counts as a response, as NHS England counts it
    comments: int


def headline_of(period: Period, rows: Iterable[Mapping[str, Any]]) -> Headline:
    """The headline from response summary rows (each with a `month` and the RESPONSE_FIELDS
    counts). Rows dated before the period are left out; rows dated after its end (an import
    can carry a future date) count, as they do in the period's last month on the chart."""
    totals = [0] * len(RESPONSE_FIELDS)
    for row in rows:
        if row["month"] >= period.start:
            for i, name in enumerate(RESPONSE_FIELDS):
                totals[i] += row[name] or 0
    counts = FftCounts(*totals[:-1])
    return Headline(period, counts, fft_rates(counts), totals[-1])


def service_headline(service: Service, period: Period) -> Headline:
    """One aggregate query of the response summary."""
    row = ResponseSummary.objects.filter(
        organisation=service.organisation_id, service=service, month__gte=period.start
    ).aggregate(**{name: Sum(name) for name in RESPONSE_FIELDS})
    return headline_of(period, [{**row, "month": period.start}])
