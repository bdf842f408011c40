"""The staff insight page: its figures, its drill-down and its cost in queries."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from patientvoice.directory.models import Service
from patientvoice.feedback.models import Experience
from patientvoice.feedback.summary import responses_changing
from patientvoice.insight.models import (
    ModelVersion,
    SentimentAssignment,
    Source,
    Theme,
    ThemeAssignment,
)
from patientvoice.insight.summary import themes_changing
from tests.conftest import World, make_experience


def rated(service: Service, ratings: list[int], days_ago: int = 1) -> list[Experience]:
    made = [make_experience(service, rating=r) for r in ratings]
    # Backdated as the demo loader does, through the helper that keeps the summary right.
    with responses_changing([e.pk for e in made]):
        Experience.objects.filter(pk__in=[e.pk for e in made]).update(
            submitted_at=timezone.now() - datetime.timedelta(days=days_ago)
        )
    return made


def themed(experiences: list[Experience], name: str, sentiment: int) -> None:
    version, _ = ModelVersion.objects.get_or_create(
        version="px-test", defaults={"training_data_sha256": "0" * 64, "trained_at": timezone.now()}
    )
    theme, _ = Theme.objects.get_or_create(name=name, defaults={"category": "Staff"})
    comments = [experience.comments.get() for experience in experiences]
    # Stored as classification stores them: with the theme summary changed alongside.
    with themes_changing([c.pk for c in comments]):
        for comment in comments:
            ThemeAssignment.objects.create(
                comment=comment,
                theme=theme,
                source=Source.MODEL,
                model_version=version,
                confidence=0.9,
            )
            SentimentAssignment.objects.create(
                comment=comment, value=sentiment, source=Source.MODEL, model_version=version
            )


def analyst(world: World) -> Client:
    client = Client()
    client.force_login(world.bob)
    return client


def test_rates_count_dont_know_and_carry_wilson_intervals(world: World) -> None:
    # 8 positive (1, 2) of 10 answers, one of which is "Don't know" (6): 80%, not 8/9.
    rated(world.maternity, [1, 1, 1, 1, 1, 2, 2, 2, 4, 6])

    response = analyst(world).get("/staff/insight/", {"organisation": world.hospital.pk})

    page = response.content.decode()
    assert response.context["insight"].rates.total == 10
    assert "<strong>80.0%</strong> (95% CI 49.0% to 94.3%)" in page


def test_themes_show_count_share_sentiment_and_link_to_their_comments(world: World) -> None:
    kind = rated(world.maternity, [1, 1, 2])
    rude = rated(world.maternity, [5])
    themed(kind, "Staff manner & personal attributes", 1)
    themed(rude, "Staff manner & personal attributes", 5)
    client = analyst(world)

    row = (
        client.get("/staff/insight/", {"organisation": world.hospital.pk})
        .context["insight"]
        .themes[0]
    )
    comments = client.get(
        "/staff/insight/comments/",
        {
            "organisation": world.hospital.pk,
            "theme": "Staff manner & personal attributes",
        },
    )

    assert (row.name, row.count, row.share) == ("Staff manner & personal attributes", 4, 1.0)
    assert (row.positive, row.neutral, row.negative) == (3, 0, 1)
    assert comments.context["page"].paginator.count == 4


def test_a_deteriorating_service_is_listed_as_an_emerging_concern(world: World) -> None:
    # Eleven steady months around 90% positive, then a month at 20%: beyond the lower limit.
    for month in range(11, 0, -1):
        rated(world.maternity, [1] * 9 + [4], days_ago=30 * month + 3)
    rated(world.maternity, [1] * 2 + [5] * 8, days_ago=0)

    insight = (
        analyst(world)
        .get("/staff/insight/", {"organisation": world.hospital.pk, "months": 12})
        .context["insight"]
    )

    assert [c.service for c in insight.concerns] == [world.maternity]


def test_the_page_costs_the_same_queries_however_many_services_and_themes(world: World) -> None:
    client = analyst(world)
    themed(rated(world.maternity, [1, 2, 3]), "Theme A", 2)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert (
                client.get("/staff/insight/", {"organisation": world.hospital.pk}).status_code
                == 200
            )
        return len(captured)

    few = count()
    for n in range(6):
        service = Service.objects.create(
            organisation=world.hospital, name=f"Ward {n}", slug=f"ward-{n}"
        )
        themed(rated(service, [1, 4, 5, 1, 2], days_ago=40 * n), f"Theme {n}", 4)
    assert count() == few


@pytest.mark.parametrize(
    ("persona", "status"), [("anonymous", 302), ("erin", 403), ("alice", 200), ("dana", 200)]
)
def test_insight_is_for_staff_and_shows_only_their_organisations(
    world: World, persona: str, status: int
) -> None:
    rated(world.maternity, [1])
    client = Client()
    if persona != "anonymous":
        client.force_login(getattr(world, persona))

    response = client.get("/staff/insight/", {"organisation": world.hospital.pk})

    assert response.status_code == status
    if persona == "dana":  # asked for the hospital, shown her own practice instead
        assert response.context["insight"].scope.organisation == world.practice


def test_the_comment_explorer_searches_filters_and_exports(world: World) -> None:
    late = rated(world.maternity, [5])[0]
    late.comments.update(text="The ambulance was three hours late")
    themed(rated(world.maternity, [1, 1]), "Staff manner & personal attributes", 1)
    client = analyst(world)
    base = {"organisation": world.hospital.pk}

    by_words = client.get("/staff/insight/comments/", base | {"q": "three hours"})
    by_rating = client.get("/staff/insight/comments/", base | {"rating": 5})
    by_sentiment = client.get("/staff/insight/comments/", base | {"sentiment": 1})
    export = client.get("/staff/insight/comments/", base | {"format": "csv"})

    assert [c.text for c in by_words.context["page"]] == ["The ambulance was three hours late"]
    assert by_rating.context["page"].paginator.count == 1
    assert by_sentiment.context["page"].paginator.count == 2
    lines = b"".join(export.streaming_content).decode().splitlines()  # type: ignore[attr-defined]
    assert lines[0] == "reference,service,submitted,rating,question,comment"
    assert len(lines) == 4 and any("three hours late" in line for line in lines)


def test_the_pages_tables_download_as_csv(world: World) -> None:
    themed(
        rated(world.maternity, [1, 1, 1, 4, 4], days_ago=0), "Staff manner & personal attributes", 2
    )
    client = analyst(world)

    monthly = client.get(
        "/staff/insight/", {"organisation": world.hospital.pk, "format": "csv", "table": "monthly"}
    )
    themes = client.get(
        "/staff/insight/", {"organisation": world.hospital.pk, "format": "csv", "table": "themes"}
    )

    assert monthly.content.decode().splitlines()[0] == "month,responses,percent_positive"
    assert monthly.content.decode().splitlines()[-1].endswith(",5,60.0")
    assert (
        themes.content.decode()
        .splitlines()[1]
        .startswith("Staff manner & personal attributes,Staff,5,1.0000,5,0,0")
    )


def test_a_theme_turning_negative_is_an_emerging_concern(world: World) -> None:
    # Eleven months where 1 in 10 comments about staff manner is negative, then a month of 8/10.
    for month in range(11, 0, -1):
        happy = rated(world.maternity, [1] * 9, days_ago=30 * month + 3)
        themed(happy, "Staff manner & personal attributes", 1)
        themed(
            rated(world.maternity, [4], days_ago=30 * month + 3),
            "Staff manner & personal attributes",
            5,
        )
    themed(rated(world.maternity, [1, 1], days_ago=0), "Staff manner & personal attributes", 1)
    themed(rated(world.maternity, [5] * 8, days_ago=0), "Staff manner & personal attributes", 5)

    insight = (
        analyst(world)
        .get("/staff/insight/", {"organisation": world.hospital.pk, "months": 12})
        .context["insight"]
    )

    assert [t.theme for t in insight.theme_concerns] == ["Staff manner & personal attributes"]
    assert insight.theme_concerns[0].latest == pytest.approx(80.0)


def test_themes_by_service_counts_each_theme_at_each_service(world: World) -> None:
    ward = Service.objects.create(organisation=world.hospital, name="Ward 1", slug="ward-1")
    themed(rated(world.maternity, [1, 1, 1]), "Theme A", 1)
    themed(rated(ward, [1]), "Theme A", 1)
    themed(rated(ward, [4, 4]), "Theme B", 4)

    table = (
        analyst(world)
        .get("/staff/insight/", {"organisation": world.hospital.pk})
        .context["insight"]
        .by_service
    )

    assert [s.name for s in table.services] == ["Maternity unit", "Ward 1"]
    assert table.rows == [("Theme A", [3, 1]), ("Theme B", [0, 2])]


def test_the_comment_explorer_finds_a_word_in_any_case_and_nothing_else(world: World) -> None:
    parking, kind = rated(world.maternity, [4, 1])
    parking.comments.update(text="Parking at the hospital was impossible.")
    kind.comments.update(text="The midwives were kind.")
    base = {"organisation": world.hospital.pk}

    found = analyst(world).get("/staff/insight/comments/", base | {"q": "parking"})
    none = analyst(world).get("/staff/insight/comments/", base | {"q": "helicopter"})

    assert [c.text for c in found.context["page"]] == ["Parking at the hospital was impossible."]
    assert none.context["page"].paginator.count == 0


def test_themes_count_each_period_and_services_from_one_grouped_query(world: World) -> None:
    themed(rated(world.maternity, [1, 1], days_ago=3), "Staff manner & personal attributes", 1)
    ward = Service.objects.create(organisation=world.hospital, name="Ward 1", slug="ward-1")
    themed(rated(ward, [4], days_ago=3), "Staff manner & personal attributes", 5)
    themed(rated(world.maternity, [1], days_ago=400), "Staff manner & personal attributes", 1)

    insight = (
        analyst(world)
        .get("/staff/insight/", {"organisation": world.hospital.pk, "months": 12})
        .context["insight"]
    )

    row = insight.themes[0]
    assert (row.count, row.previous_count, row.positive, row.negative) == (3, 1, 2, 1)
    assert (insight.comments, insight.previous_comments) == (3, 1)
    assert insight.by_service.rows == [("Staff manner & personal attributes", [2, 1])]


def test_the_comment_explorer_stops_counting_past_its_limit(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("patientvoice.insight.dashboard_views.CappedPaginator.limit", 2)
    rated(world.maternity, [1, 2, 4])
    base = {"organisation": world.hospital.pk}

    many = analyst(world).get("/staff/insight/comments/", base)
    few = analyst(world).get("/staff/insight/comments/", base | {"rating": 4})

    assert "More than 2 comments from" in many.content.decode()
    assert "1 comment from" in few.content.decode()


def test_the_percent_positive_chart_keeps_its_limits_within_0_and_100(world: World) -> None:
    # Months alternating between 100% and 80% positive: mean 90, MR̄ about 20, so mean + 2.66
    # MR̄ is far above 100%.
    for month in range(11, -1, -1):
        rated(world.maternity, [1] * 10 if month % 2 else [1] * 8 + [4] * 2, days_ago=30 * month)

    response = analyst(world).get("/staff/insight/", {"organisation": world.hospital.pk})

    limits = response.context["insight"].chart.limits
    assert limits.lower >= 0 and limits.upper == 100.0
    assert f"process limits {limits.lower:.1f}% to 100.0%" in response.content.decode()
