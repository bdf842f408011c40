"""Input that used to give a server error is validated with a message for the person, and the
error pages use the NHS.UK layout without needing the database. Run on SQLite and PostgreSQL:
PostgreSQL refuses a NUL character that SQLite stores."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory

from patientvoice import errors
from patientvoice.insight.models import PopulationCount
from tests.conftest import World


@pytest.mark.parametrize(
    "path",
    [
        "/groups/?q=%00",
        "/groups/?q=Oak%00Lane",
        "/share/?q=%00",
        "/share/?q=Maternity%00",
        "/get-involved/?group=%00",
    ],
)
def test_a_nul_character_in_a_public_search_is_ignored(world: World, path: str) -> None:
    response = Client().get(path)

    assert response.status_code == 200


def test_a_search_with_a_nul_character_finds_what_the_other_words_find(world: World) -> None:
    page = Client().get("/groups/?q=Oak%00").content.decode()

    assert "Oak Lane Patient Participation Group" in page


@pytest.mark.parametrize("month", ["0000-00", "2026-13", "2026-00", "0001-01", "99999-01"])
def test_a_month_that_does_not_exist_is_a_message_on_the_explorer(world: World, month: str) -> None:
    client = Client()
    client.force_login(world.bob)

    response = client.get("/staff/insight/comments/", {"month": month})

    assert response.status_code == 200
    assert "Enter a month like 2026-03" in response.content.decode()


def test_a_real_month_filters_the_explorer(world: World) -> None:
    client = Client()
    client.force_login(world.bob)

    response = client.get("/staff/insight/comments/", {"month": "2026-03"})

    assert response.status_code == 200
    assert "Enter a month like 2026-03" not in response.content.decode()


def upload_population(world: World, text: str) -> Any:
    """Charlie, the hospital's organisation admin, uploads counts for the area it serves."""
    world.hospital.area = world.area
    world.hospital.save()
    client = Client()
    client.force_login(world.charlie)
    return client.post(
        "/staff/population/",
        {"area": world.area.pk, "file": SimpleUploadedFile("census.csv", text.encode())},
    )


@pytest.mark.parametrize(
    ("count", "message"),
    [
        ("²", "count &#39;²&#39; is not a whole number"),
        ("1.0.0", "count &#39;1.0.0&#39; is not a whole number"),
        ("99999999999", "count 99999999999 is more than 100,000,000"),
        ("-5", "count &#39;-5&#39; is not a whole number"),
    ],
)
def test_a_population_count_that_is_not_a_sensible_number_is_a_message(
    world: World, count: str, message: str
) -> None:
    text = f"dimension,category,count\nsex,female,500\nsex,male,{count}\n"

    response = upload_population(world, text)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was changed" in page and f"line 3: {message}" in page
    assert PopulationCount.objects.count() == 0


def test_a_population_file_too_broken_to_read_as_csv_is_a_message(world: World) -> None:
    text = "dimension,category,count\nsex,female," + "9" * 200_000 + "\n"

    response = upload_population(world, text)

    assert response.status_code == 200
    assert "the file is not valid CSV" in response.content.decode()


@pytest.fixture
def production_errors(settings: Any) -> None:
    settings.DEBUG = False


def test_a_missing_page_is_the_nhs_page_not_found(world: World, production_errors: None) -> None:
    response = Client().get("/no-such-page/")

    page = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in page and "nhsuk-header" in page and "nhsuk-footer" in page


def test_a_forbidden_page_says_why_in_the_nhs_layout(world: World) -> None:
    client = Client()
    client.force_login(world.alice)

    response = client.get("/staff/imports/")

    page = response.content.decode()
    assert response.status_code == 403
    assert "You cannot see this page" in page and "nhsuk-header" in page
    assert "Your role does not include importing feedback." in page


def test_a_bad_request_is_the_nhs_page(world: World, production_errors: None) -> None:
    response = errors.bad_request(RequestFactory().get("/"), ValueError("nope"))

    assert response.status_code == 400
    assert "Sorry, we could not understand that request" in response.content.decode()


def test_the_server_error_page_is_the_nhs_page_and_reads_no_database(
    world: World, production_errors: None, django_assert_num_queries: Any
) -> None:
    request = RequestFactory().get("/share/maternity/")

    with django_assert_num_queries(0):
        response = errors.server_error(request)

    page = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in page and "nhsuk-header" in page
    assert "may not have been saved" in page


def test_a_form_sent_without_its_csrf_cookie_explains_itself(world: World) -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post("/get-involved/", {"full_name": "Sam"})

    page = response.content.decode()
    assert response.status_code == 403
    assert "Your form could not be sent" in page and "nhsuk-header" in page
