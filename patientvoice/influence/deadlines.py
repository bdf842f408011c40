"""Working days in England: when a response to a report is due.

Bank holidays come from the maintained `holidays` package (England's subdivision of the United
Kingdom: Christmas, Boxing Day, Good Friday, Easter Monday, the May and August holidays and
their substitute days), never from a list kept here. Dates are days in Europe/London.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

import holidays

RESPONSE_WORKING_DAYS = 20
# Reminders go this many working days before responses are due.
REMINDER_WORKING_DAYS = 5


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The day `days` working days after `start` (negative: before). `start` itself does not
    count, so a report issued on a Friday with 1 working day is due the next working Monday."""
    step = 1 if days >= 0 else -1
    day, left = start, abs(days)
    while left:
        day += datetime.timedelta(days=step)
        if is_working_day(day):
            left -= 1
    return day


def response_due(issued_on: datetime.date) -> datetime.date:
    return add_working_days(issued_on, RESPONSE_WORKING_DAYS)


def reminder_due(responses_due: datetime.date) -> datetime.date:
    return add_working_days(responses_due, -REMINDER_WORKING_DAYS)
