"""A service's public page (its figures and published comments) is reachable from the public
site: from the service search, from group pages and from the thank-you page."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from patientvoice.directory.models import Service
from tests.conftest import World, make_experience


def _queries(client: Client, url: str, data: dict[str, str] | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, data or {}).status_code == 200
    return len(captured)


def test_each_search_result_links_to_the_service_page_and_its_feedback_form(
    client: Client, world: World
) -> None:
    page = client.get("/share/", {"q": "maternity"}).content.decode()

    assert 'href="/services/maternity/"' in page
    assert "What people said about Maternity unit" in page
    assert 'href="/share/services/maternity/"' in page


def test_the_group_page_links_to_the_services_its_host_runs(client: Client, world: World) -> None:
    Service.objects.create(
        organisation=world.practice, name="Closed clinic", slug="closed", is_active=False
    )

    page = client.get("/groups/oak-lane-ppg/").content.decode()

    assert "Services Oak Lane Surgery runs" in page
    assert 'href="/services/oak-lane-appointments/"' in page
    assert 'href="/services/closed/"' not in page
    assert 'href="/services/maternity/"' not in page  # another organisation's service


def test_a_host_with_many_services_shows_the_first_ten_and_links_to_the_rest(
    client: Client, world: World
) -> None:
    before = _queries(client, "/groups/oak-lane-ppg/")
    for n in range(15):
        Service.objects.create(organisation=world.practice, name=f"Clinic {n:02}", slug=f"c-{n:02}")

    page = client.get("/groups/oak-lane-ppg/").content.decode()

    assert page.count('href="/services/') == 10
    assert 'href="/services/c-00/"' in page and 'href="/services/c-12/"' not in page
    assert 'href="/share/?q=Oak%20Lane%20Surgery"' in page
    assert _queries(client, "/groups/oak-lane-ppg/") == before


def test_the_thank_you_page_links_to_the_service_page(client: Client, world: World) -> None:
    experience = make_experience(world.maternity)

    page = client.get(f"/share/thank-you/{experience.reference}/").content.decode()

    assert 'href="/services/maternity/"' in page
    assert "Read what people have said about Maternity unit" in page
