"""Working days in England, against dates worked out by hand from the gov.uk calendar."""

from __future__ import annotations

import datetime

import pytest

from patientvoice.influence.deadlines import (
    add_working_days,
    is_working_day,
    reminder_due,
    response_due,
)

D = datetime.date


@pytest.mark.parametrize(
    ("issued", "due"),
    [
        # Thu 3 Dec 2026: Christmas (Fri 25), Boxing Day observed (Mon 28) and New Year's Day
        # (Fri 1 Jan) are skipped, so not Thu 31 Dec as weekdays alone would give.
        (D(2026, 12, 3), D(2027, 1, 5)),
        # Fri 20 Mar 2026 across Good Friday (3 Apr) and Easter Monday (6 Apr).
        (D(2026, 3, 20), D(2026, 4, 21)),
        # Mon 8 Mar 2027 across Good Friday (26 Mar) and Easter Monday (29 Mar).
        (D(2027, 3, 8), D(2027, 4, 7)),
        # No bank holiday in the way: four weeks exactly.
        (D(2026, 6, 1), D(2026, 6, 29)),
    ],
)
def test_responses_are_due_twenty_working_days_after_issue(
    issued: datetime.date, due: datetime.date
) -> None:
    assert response_due(issued) == due


def test_a_report_issued_on_a_bank_holiday_starts_counting_the_next_working_day() -> None:
    # Issued on Christmas Day 2026: the first working day counted is Tue 29 December.
    assert add_working_days(D(2026, 12, 25), 1) == D(2026, 12, 29)


def test_christmas_boxing_day_and_easter_are_not_working_days() -> None:
    for day in (D(2026, 12, 25), D(2026, 12, 28), D(2027, 3, 26), D(2027, 3, 29)):
        assert not is_working_day(day), day
    assert is_working_day(D(2026, 12, 29))


def test_reminders_go_five_working_days_before_the_due_date() -> None:
    # Due Tue 5 Jan 2027: back through Mon 4 Jan, Thu 31, Wed 30 and Tue 29 Dec, skipping New
    # Year's Day and the Christmas holidays, to Thu 24 Dec.
    assert reminder_due(D(2027, 1, 5)) == D(2026, 12, 24)
