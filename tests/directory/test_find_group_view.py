import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from patientvoice.directory.models import Group
from tests.conftest import World


def names(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [group.name for group in response.context["page"]]


def test_the_search_page_shows_no_results_before_searching(client: Client, world: World) -> None:
    response = client.get("/groups/")

    assert response.status_code == 200
    assert response.context["page"] is None
    assert "Find your local group" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    ["Oak Lane Patient", "eastbridge", "ND4", "nd4 2ab", "ND42AB", "Oak Lane Surgery", "Y99001"],
)
def test_it_finds_a_group_by_name_place_postcode_or_practice(
    client: Client, world: World, query: str
) -> None:
    response = client.get("/groups/", {"q": query})

    assert names(response) == ["Oak Lane Patient Participation Group"]


def test_it_says_so_when_nothing_matches(client: Client, world: World) -> None:
    response = client.get("/groups/", {"q": "Atlantis"})

    assert names(response) == []
    assert "No groups match your search" in response.content.decode()


def test_it_filters_by_kind(client: Client, world: World) -> None:
    Group.objects.create(
        name="Eastbridge Maternity Voices",
        slug="mnvp",
        kind=Group.Kind.MNVP,
        host=world.hospital,
        summary="Families improving maternity care.",
    ).areas.add(world.area)

    everything = client.get("/groups/", {"q": "Eastbridge"})
    maternity = client.get("/groups/", {"q": "Eastbridge", "kind": "mnvp"})

    assert len(names(everything)) == 2
    assert names(maternity) == ["Eastbridge Maternity Voices"]


def test_results_say_what_the_group_does_and_how_to_join(client: Client, world: World) -> None:
    page = client.get("/groups/", {"q": "Oak"}).content.decode()

    assert "Patients working with the practice on access and appointments." in page
    assert "How to join: Anyone can join" in page
    assert "First Wednesday of the month" in page


def test_unpublished_groups_are_not_listed(client: Client, world: World) -> None:
    Group.objects.filter(pk=world.ppg.pk).update(is_published=False)

    assert names(client.get("/groups/", {"q": "Oak"})) == []
    assert client.get(f"/groups/{world.ppg.slug}/").status_code == 404


def test_the_query_count_does_not_grow_with_the_number_of_groups(
    client: Client, world: World
) -> None:
    def queries_for_search() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/groups/", {"q": "Eastbridge"}).status_code == 200
        return len(captured)

    before = queries_for_search()
    for n in range(15):
        group = Group.objects.create(
            name=f"Eastbridge group {n}",
            slug=f"eb-{n}",
            kind=Group.Kind.PPG,
            host=world.practice,
            summary="A group.",
        )
        group.areas.add(world.area)

    assert queries_for_search() == before
