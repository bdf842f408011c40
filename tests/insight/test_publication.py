"""Publishing comments: only with the person's agreement, only redacted text, and the public
summary withholds anything resting on fewer than 5 people."""

import pytest
from django.test import Client

from patientvoice.feedback.models import Publication
from tests.conftest import World, make_experience


def officer(world: World) -> Client:
    client = Client()
    client.force_login(world.alice)
    return client


def test_an_officer_publishes_a_redacted_comment_that_appears_on_the_service_page(
    world: World,
) -> None:
    comment = make_experience(
        world.maternity, may_publish=True, what_was_good="Midwife Jane Smith was wonderful"
    ).comments.get()

    officer(world).post(
        f"/staff/comments/{comment.pk}/publish/", {"text": "Midwife [name] was wonderful"}
    )
    page = Client().get("/services/maternity/").content.decode()

    assert "Midwife [name] was wonderful" in page
    assert "Jane Smith" not in page


def test_a_comment_without_agreement_to_publish_cannot_be_published(world: World) -> None:
    comment = make_experience(world.maternity, may_publish=False).comments.get()

    officer(world).post(f"/staff/comments/{comment.pk}/publish/", {"text": "Anything"})

    assert Publication.objects.count() == 0


def test_a_held_back_comment_cannot_be_published_until_it_is_released(world: World) -> None:
    comment = make_experience(
        world.maternity, may_publish=True, held_back_reason="busy_client", source_key="abc"
    ).comments.get()

    officer(world).post(f"/staff/comments/{comment.pk}/publish/", {"text": "Anything"})

    assert not Publication.objects.filter(comment=comment).exists()


def test_withdrawing_takes_it_off_the_page_and_keeps_the_record(world: World) -> None:
    comment = make_experience(world.maternity, may_publish=True).comments.get()
    client = officer(world)
    client.post(f"/staff/comments/{comment.pk}/publish/", {"text": "Kind midwives"})

    client.post(f"/staff/comments/{comment.pk}/publish/", {"action": "withdraw"})

    assert "Kind midwives" not in Client().get("/services/maternity/").content.decode()
    assert Publication.objects.get().withdrawn_by == world.alice


@pytest.mark.parametrize("persona", ["bob", "dana", "erin"])
def test_only_officers_and_admins_of_the_organisation_publish(world: World, persona: str) -> None:
    comment = make_experience(world.maternity, may_publish=True).comments.get()
    client = Client()
    client.force_login(getattr(world, persona))

    response = client.post(f"/staff/comments/{comment.pk}/publish/", {"text": "x"})

    assert response.status_code in (403, 404)
    assert Publication.objects.count() == 0


@pytest.mark.parametrize(
    ("ratings", "expected"),
    [
        ([1, 1, 1], "Fewer than 5 people rated this service"),
        # 3 of 8 positive: the 3 could identify people, so the rate is withheld too.
        ([1, 1, 1, 4, 4, 4, 4, 4], "rests on fewer than 5 people"),
        # 6 of 7 positive: "86%" beside 7 would show that 1 person did not say good.
        ([1, 1, 1, 1, 1, 2, 4], "<strong>More than 28%</strong> said their experience was good"),
        ([1, 1, 1, 1, 1, 2, 4, 4, 5, 6, 3], "<strong>55%</strong> said their experience was good"),
    ],
)
def test_the_public_summary_withholds_small_numbers(
    world: World, ratings: list[int], expected: str
) -> None:
    for rating in ratings:
        make_experience(world.maternity, rating=rating)

    page = Client().get("/services/maternity/").content.decode()

    assert expected in page
    if "55%" not in expected:
        assert "86%" not in page and "55%" not in page
    if "%</strong>" not in expected:
        assert "%</strong>" not in page
