from django.test import Client

from tests.conftest import World


def test_a_group_page_says_what_it_does_who_it_influences_and_how_to_join(
    client: Client, world: World
) -> None:
    page = client.get("/groups/oak-lane-ppg/").content.decode()

    assert "<h1>Oak Lane Patient Participation Group</h1>" in page
    assert "Who this group influences" in page
    assert "Oak Lane Surgery (GP practice)" in page
    assert "How to join" in page


def test_a_service_page_links_to_the_feedback_form_and_local_groups(
    client: Client, world: World
) -> None:
    page = client.get("/services/oak-lane-appointments/").content.decode()

    assert 'href="/share/services/oak-lane-appointments/"' in page
    assert "Oak Lane Patient Participation Group" in page


def test_unknown_pages_are_not_found(client: Client, world: World) -> None:
    assert client.get("/groups/no-such-group/").status_code == 404
    assert client.get("/services/no-such-service/").status_code == 404
