"""Who is speaking: population references, the comparison and the weighted rates."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from patientvoice.feedback.models import Experience
from patientvoice.insight.models import PopulationCount
from patientvoice.insight.representation import PopulationFileError, replace_population
from patientvoice.people.models import EqualityMonitoring
from tests.conftest import World, make_experience

POPULATION = "dimension,category,count\nsex,female,500\nsex,male,500\n"


def respondent(world: World, sex: str, rating: int) -> Experience:
    experience = make_experience(world.maternity, rating=rating)
    experience.equality = EqualityMonitoring.objects.create(sex=sex)
    experience.save()
    return experience


def test_a_population_file_with_a_bad_line_changes_nothing(world: World) -> None:
    replace_population(world.area, io.StringIO(POPULATION))

    with pytest.raises(PopulationFileError) as raised:
        replace_population(
            world.area,
            io.StringIO(
                "dimension,category,count\nsex,female,10\nsex,other,3\nage_band,35-44,lots\n"
            ),
        )

    assert raised.value.errors == [
        "line 3: sex category 'other' is not one of female, male",
        "line 4: count 'lots' is not a whole number",
    ]
    assert sorted(PopulationCount.objects.values_list("category", "count")) == [
        ("female", 500),
        ("male", 500),
    ]


def test_the_insight_page_shows_under_representation_and_weighted_rates(world: World) -> None:
    world.hospital.area = world.area
    world.hospital.save()
    replace_population(world.area, io.StringIO(POPULATION))
    # 8 women, all positive; 2 men, both negative. Half the population is men, so weighting
    # gives men's answers four times the weight: weighted % positive = 0.5 × 1 + 0.5 × 0 = 50%.
    for _ in range(8):
        respondent(world, "female", 1)
    for _ in range(2):
        respondent(world, "male", 5)
    client = Client()
    client.force_login(world.bob)

    page = client.get("/staff/insight/", {"organisation": world.hospital.pk})
    who = page.context["who"]

    assert who.respondents == 10
    men = next(g for g in who.groups if g.category == "male")
    assert men.under_represented and men.respondent_share == pytest.approx(0.2)
    assert who.unweighted.positive.proportion == pytest.approx(0.8)
    assert who.weighted.positive.proportion == pytest.approx(0.5, abs=1e-6)
    assert "<strong>Under-represented</strong>" in page.content.decode()


def test_only_analysts_see_who_is_speaking(world: World) -> None:
    world.hospital.area = world.area
    world.hospital.save()
    replace_population(world.area, io.StringIO(POPULATION))
    respondent(world, "female", 1)
    client = Client()
    client.force_login(world.alice)

    assert client.get("/staff/insight/", {"organisation": world.hospital.pk}).context["who"] is None


@pytest.mark.parametrize(("persona", "status"), [("alice", 403), ("bob", 403), ("charlie", 200)])
def test_organisation_admins_upload_population_counts(
    world: World, persona: str, status: int
) -> None:
    world.hospital.area = world.area
    world.hospital.save()
    client = Client()
    client.force_login(getattr(world, persona))

    response = client.post(
        "/staff/population/",
        {
            "area": world.area.pk,
            "file": SimpleUploadedFile("pop.csv", POPULATION.encode()),
        },
    )

    assert response.status_code == (302 if status == 200 else 403)
    assert PopulationCount.objects.count() == (2 if status == 200 else 0)


def test_deprivation_quintiles_are_compared_with_the_area(world: World) -> None:
    world.hospital.area = world.area
    world.hospital.save()
    replace_population(
        world.area,
        io.StringIO(
            "dimension,category,count\n"
            + "".join(f"deprivation_quintile,{q},200\n" for q in range(1, 6))
        ),
    )
    # Nine respondents from the least deprived fifth, one from the most deprived.
    for quintile in [5] * 9 + [1]:
        experience = make_experience(world.maternity, rating=1)
        experience.equality = EqualityMonitoring.objects.create(deprivation_quintile=quintile)
        experience.save()
    client = Client()
    client.force_login(world.bob)

    who = client.get("/staff/insight/", {"organisation": world.hospital.pk}).context["who"]

    most_deprived = next(g for g in who.groups if g.category == "1")
    assert most_deprived.under_represented
    assert most_deprived.respondent_share == pytest.approx(0.1)
    assert most_deprived.population_share == pytest.approx(0.2)
