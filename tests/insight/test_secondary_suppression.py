"""Suppression cannot be undone by arithmetic: a withheld count shown beside its table's total,
or beside percentages of it, takes a second cell with it."""

import io

import pytest
from django.test import Client

from patientvoice.insight.representation import replace_population
from patientvoice.insight.stats import SUPPRESSED, suppress_table
from patientvoice.people.models import EqualityMonitoring
from tests.conftest import World, make_experience


def test_a_table_with_nothing_under_5_is_shown_whole() -> None:
    assert suppress_table({"a": 12, "b": 5, "c": 0}) == {"a": 12, "b": 5, "c": 0}


def test_one_small_cell_takes_the_next_smallest_with_it() -> None:
    # Without the second cell withheld, b = 30 - 20 - 7.
    assert suppress_table({"a": 20, "b": 3, "c": 7, "d": 0}) == {
        "a": 20,
        "b": SUPPRESSED,
        "c": SUPPRESSED,
        "d": 0,
    }


def test_two_small_cells_that_add_up_to_under_5_take_a_third() -> None:
    # 1 + 2 = 3 would be known from the total; with 6 withheld too the sum is 9.
    assert suppress_table({"a": 1, "b": 2, "c": 6, "d": 40}) == {
        "a": SUPPRESSED,
        "b": SUPPRESSED,
        "c": SUPPRESSED,
        "d": 40,
    }


def test_two_small_cells_that_add_up_to_5_or_more_are_enough() -> None:
    assert suppress_table({"a": 3, "b": 4, "c": 6}) == {"a": SUPPRESSED, "b": SUPPRESSED, "c": 6}


def test_zeros_are_neither_withheld_nor_chosen_to_hide_a_cell() -> None:
    assert suppress_table({"a": 0, "b": 2, "c": 9}) == {"a": 0, "b": SUPPRESSED, "c": SUPPRESSED}


@pytest.mark.parametrize("cells", [{"a": 3, "b": 9, "c": 14, "d": 0}, {"a": 1, "b": 1, "c": 7}])
def test_no_withheld_cell_can_be_worked_out_from_the_total(cells: dict[str, int]) -> None:
    published = suppress_table(cells)
    withheld = [k for k, v in published.items() if v is SUPPRESSED]

    assert len(withheld) >= 2
    assert sum(cells[k] for k in withheld) >= 5


def test_the_who_is_speaking_table_hides_a_small_group_and_one_beside_it(world: World) -> None:
    world.hospital.area = world.area
    world.hospital.save()
    replace_population(
        world.area,
        io.StringIO("dimension,category,count\nsex,female,500\nsex,male,500\n"),
    )
    # 8 women and 2 men: "fewer than 5" men beside "80.0%" women would say 2.
    for sex, n in (("female", 8), ("male", 2)):
        for _ in range(n):
            experience = make_experience(world.maternity, rating=1)
            experience.equality = EqualityMonitoring.objects.create(sex=sex)
            experience.save()
    client = Client()
    client.force_login(world.bob)

    response = client.get("/staff/insight/", {"organisation": world.hospital.pk})

    page = response.content.decode()
    groups = {g.category: g for g in response.context["who"].groups}
    assert not groups["male"].disclosed and not groups["female"].disclosed
    assert "80.0%" not in page and "20.0%" not in page
    assert page.count(">not shown</td>") == 4


@pytest.mark.parametrize(
    ("ratings", "shown", "hidden"),
    [
        # 6 of 7: "86%" beside 7 says 1 person did not say good; a bound says only "under 5".
        ([1] * 6 + [4], "<strong>More than 28%</strong>", "86%"),
        # 40 of 42 good: 95% would say 2 did not.
        ([2] * 40 + [5, 6], "<strong>More than 88%</strong>", "95%"),
        # 5 of 10: both halves 5 or more, so the exact figure is shown.
        ([1] * 5 + [3] * 5, "<strong>50%</strong>", "More than"),
        # Everyone said good: nobody is disclosed by 100%.
        ([1] * 6, "<strong>100%</strong>", "More than"),
    ],
)
def test_the_public_percentage_never_gives_away_a_small_remainder(
    world: World, ratings: list[int], shown: str, hidden: str
) -> None:
    for rating in ratings:
        make_experience(world.maternity, rating=rating)

    page = Client().get("/services/maternity/").content.decode()

    assert shown in page
    assert hidden not in page
