import datetime
import uuid
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from patientvoice.feedback.models import Experience
from tests.conftest import World, make_experience


def signed_in(world: World, persona: str = "alice") -> Client:
    client = Client()
    client.force_login(getattr(world, persona))
    return client


def references(response: Any) -> set[str]:
    return {experience.reference for experience in response.context["page"]}


def test_the_list_filters_by_rating_channel_service_and_date(world: World) -> None:
    good = make_experience(world.maternity, rating=1)
    poor_phone = make_experience(world.maternity, rating=4, channel="phone")
    old = make_experience(world.maternity, rating=4)
    Experience.objects.filter(pk=old.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=40)
    )
    client = signed_in(world)
    since = timezone.localdate() - datetime.timedelta(days=7)

    assert references(client.get("/staff/feedback/", {"rating": 4})) == {
        poor_phone.reference,
        old.reference,
    }
    assert references(client.get("/staff/feedback/", {"channel": "phone"})) == {
        poor_phone.reference
    }
    assert references(
        client.get(
            "/staff/feedback/",
            {
                "date_from[day]": since.day,
                "date_from[month]": since.month,
                "date_from[year]": since.year,
            },
        )
    ) == {good.reference, poor_phone.reference}
    assert references(client.get("/staff/feedback/", {"service": world.maternity.pk})) == {
        good.reference,
        poor_phone.reference,
        old.reference,
    }


def test_a_reversed_date_range_is_reported(world: World) -> None:
    response = signed_in(world).get(
        "/staff/feedback/",
        {
            "date_from[day]": 10,
            "date_from[month]": 10,
            "date_from[year]": 2026,
            "date_to[day]": 1,
            "date_to[month]": 10,
            "date_to[year]": 2026,
        },
    )

    assert "The end date must be the same as or after the start date" in (response.content.decode())


def test_the_list_takes_the_same_number_of_queries_however_many_records(world: World) -> None:
    client = signed_in(world)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/staff/feedback/").status_code == 200
        return len(captured)

    make_experience(world.maternity)
    few = count()
    for _ in range(30):
        make_experience(world.maternity, could_be_better="Parking.")

    assert count() == few
    assert few <= 8


def test_an_officer_enters_a_phone_call_on_someones_behalf(world: World) -> None:
    response = signed_in(world).post(
        "/staff/feedback/new/maternity/",
        {
            "submission_token": str(uuid.uuid4()),
            "channel": "phone",
            "consent_method": "verbal",
            "rating": "5",
            "could_be_better": "Nobody answered the ward phone.",
            "respondent": "relative",
        },
    )

    experience = Experience.objects.get()
    assert response["Location"] == f"/staff/feedback/{experience.reference}/"
    assert experience.captured_by == world.alice
    assert (experience.channel, experience.consent_method) == ("phone", "verbal")


def test_capture_needs_the_channel_and_how_consent_was_given(world: World) -> None:
    response = signed_in(world).post(
        "/staff/feedback/new/maternity/",
        {
            "submission_token": str(uuid.uuid4()),
            "rating": "1",
            "respondent": "patient",
        },
    )

    page = response.content.decode()
    assert "Select how you heard this experience" in page
    assert "Select how consent was given" in page
    assert Experience.objects.count() == 0


def test_sign_in_takes_staff_to_the_feedback_list(world: World) -> None:
    response = Client().post("/staff/sign-in/", {"username": "alice", "password": "password"})

    assert response.status_code == 302
    assert response["Location"] == "/staff/feedback/"


def test_a_wrong_password_is_reported_in_the_error_summary(world: World) -> None:
    response = Client().post("/staff/sign-in/", {"username": "alice", "password": "nope"})

    assert "Enter a correct username and password" in response.content.decode()
    assert "There is a problem" in response.content.decode()


def test_sign_out_takes_a_post(world: World) -> None:
    client = signed_in(world)

    assert client.get("/staff/sign-out/").status_code == 200
    client.post("/staff/sign-out/")
    assert client.get("/staff/feedback/").status_code == 302
