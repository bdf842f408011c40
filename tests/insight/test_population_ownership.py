"""Population references are owned: the organisation that uploads an area's counts keeps them,
others in the area use them read-only, and every upload says who made it."""

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from patientvoice.insight.models import PopulationCount, PopulationReference
from patientvoice.insight.representation import replace_population
from patientvoice.people.audit import POPULATION_UPLOADED
from patientvoice.people.models import AuditEvent, Role, User
from tests.conftest import World, make_user

POPULATION = "dimension,category,count\nsex,female,500\nsex,male,500\n"
OTHER = "dimension,category,count\nsex,female,10\nsex,male,990\n"


def _upload(user: User, world: World, text: str) -> Any:
    client = Client()
    client.force_login(user)
    return client.post(
        "/staff/population/",
        {"area": world.area.pk, "file": SimpleUploadedFile("census.csv", text.encode())},
    )


def _share_area(world: World) -> User:
    """The hospital and the practice serve the same area; Frank is the practice's admin."""
    world.hospital.area = world.area
    world.hospital.save()
    return make_user("frank", [(world.practice, Role.ORG_ADMIN)])


def _female_count() -> int:
    return PopulationCount.objects.get(dimension="sex", category="female").count


def test_the_first_upload_makes_the_organisation_the_owner_and_records_the_uploader(
    world: World,
) -> None:
    _share_area(world)

    response = _upload(world.charlie, world, POPULATION)

    assert response.status_code == 302
    reference = PopulationReference.objects.get(area=world.area)
    assert (reference.owner, reference.uploaded_by, reference.file_name) == (
        world.hospital,
        world.charlie,
        "census.csv",
    )
    event = AuditEvent.objects.get(action=POPULATION_UPLOADED)
    assert (event.actor, event.organisation) == (world.charlie, world.hospital)
    assert event.detail == {"area": "Eastbridge", "counts": 2, "file_name": "census.csv"}


def test_another_organisation_cannot_overwrite_a_reference_it_does_not_own(world: World) -> None:
    frank = _share_area(world)
    _upload(world.charlie, world, POPULATION)

    response = _upload(frank, world, OTHER)

    assert response.status_code == 200
    assert "is kept by Northdale Hospitals" in response.content.decode()
    assert _female_count() == 500
    assert PopulationReference.objects.get().uploaded_by == world.charlie
    assert AuditEvent.objects.filter(action=POPULATION_UPLOADED).count() == 1


def test_the_owner_replaces_its_own_reference(world: World) -> None:
    _share_area(world)
    _upload(world.charlie, world, POPULATION)

    response = _upload(world.charlie, world, OTHER)

    assert response.status_code == 302
    assert _female_count() == 10
    assert AuditEvent.objects.filter(action=POPULATION_UPLOADED).count() == 2


def test_other_organisations_see_who_keeps_the_shared_reference(world: World) -> None:
    frank = _share_area(world)
    _upload(world.charlie, world, POPULATION)
    client = Client()
    client.force_login(frank)

    page = client.get("/staff/population/").content.decode()

    assert "only Northdale Hospitals can replace them" in page


def test_counts_from_before_references_were_owned_are_taken_by_the_next_upload(
    world: World,
) -> None:
    frank = _share_area(world)
    replace_population(world.area, io.StringIO(POPULATION))

    response = _upload(frank, world, OTHER)

    assert response.status_code == 302
    assert PopulationReference.objects.get().owner == world.practice
    assert _female_count() == 10
