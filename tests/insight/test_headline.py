"""The same service shows the same figures to the public and to staff for the same period, and
both pages say which period that is."""

import datetime

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from patientvoice.feedback.models import Experience
from patientvoice.feedback.summary import responses_changing, since
from patientvoice.insight.headline import Period, service_headline
from tests.conftest import World, make_experience


def rated_at(world: World, ratings: list[int], moment: datetime.datetime) -> None:
    made = [make_experience(world.maternity, rating=r) for r in ratings]
    with responses_changing([e.pk for e in made]):
        Experience.objects.filter(pk__in=[e.pk for e in made]).update(submitted_at=moment)


def test_the_public_page_and_the_insight_page_agree_and_state_the_period(world: World) -> None:
    period = Period.to_today(12)
    first_moment = since(period.start)
    # In the period: 15 of 20 good, "Don't know" counted as NHS England counts it.
    rated_at(world, [1] * 12, first_moment + datetime.timedelta(hours=1))
    rated_at(world, [2, 2, 2, 3, 4, 5, 6, 6], first_moment + datetime.timedelta(days=20))
    # The day before it: inside "the last 365 days" on some days of the year, never in the
    # period (the public page used to count these, staff did not).
    rated_at(world, [5] * 6, first_moment - datetime.timedelta(hours=1))
    staff = Client()
    staff.force_login(world.bob)

    public = Client().get("/services/maternity/").content.decode()
    insight = staff.get(
        "/staff/insight/",
        {"organisation": world.hospital.pk, "service": world.maternity.pk, "months": 12},
    )

    rates = insight.context["insight"].rates
    assert (rates.total, rates.positive.numerator) == (20, 15)
    assert "<strong>75.0%</strong>" in insight.content.decode()
    assert "20 people rated this service" in public
    assert "<strong>75%</strong>" in public
    stated = f"{period.start:%-d %B %Y} to {period.end:%-d %B %Y}"
    assert stated == str(period)
    assert f"From {stated}." in public
    assert f"<p>{stated}." in insight.content.decode()


def test_the_headline_counts_future_dated_records_and_leaves_out_earlier_ones(
    world: World,
) -> None:
    period = Period.to_today(3)
    rated_at(world, [1, 6], since(period.start))
    rated_at(world, [4], since(period.end) + datetime.timedelta(days=40))  # an import's date
    rated_at(world, [5], since(period.start) - datetime.timedelta(seconds=1))

    headline = service_headline(world.maternity, period)

    assert headline.counts.as_tuple() == (1, 0, 0, 1, 0, 1)
    assert headline.rates.total == 3
    assert headline.comments == 3  # one comment each, from the three in the period


def test_the_public_service_page_costs_the_same_queries_however_many_responses(
    world: World,
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert Client().get("/services/maternity/").status_code == 200
        return len(captured)

    rated_at(world, [1, 2, 4], since(Period.to_today(12).end))
    few = count()
    rated_at(world, [1, 2, 3, 4, 5, 6] * 5, since(Period.to_today(12).start))

    assert count() == few
