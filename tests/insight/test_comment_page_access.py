"""The comment page is open to every role that may do something with a comment, and shows each
only what it may do: an organisation admin reaches publishing without correcting the model."""

import pytest

from patientvoice.feedback.models import Comment, Publication
from tests.conftest import World, make_experience
from tests.insight.test_concerns import client_for

REVIEW = "Accept or correct"
PUBLISH = "Publish on the service"
RAISE = "Raise a concern"


def comment_for(world: World) -> Comment:
    return make_experience(world.maternity, may_publish=True).comments.get()


@pytest.mark.parametrize(
    ("persona", "status", "sections"),
    [
        ("anonymous", 302, set()),
        ("erin", 403, set()),  # no role anywhere
        ("dana", 404, set()),  # another organisation's officer
        ("alice", 200, {REVIEW, PUBLISH, RAISE}),  # officer
        ("bob", 200, {REVIEW}),  # analyst
        ("charlie", 200, {PUBLISH, RAISE}),  # organisation admin
    ],
)
def test_each_role_sees_what_it_may_do_with_a_comment(
    world: World, persona: str, status: int, sections: set[str]
) -> None:
    comment = comment_for(world)

    response = client_for(world, persona).get(f"/staff/comments/{comment.pk}/")

    assert response.status_code == status
    page = response.content.decode()
    assert {s for s in (REVIEW, PUBLISH, RAISE) if s in page} == sections


def test_an_organisation_admin_goes_from_the_feedback_to_publishing_it(world: World) -> None:
    comment = comment_for(world)
    client = client_for(world, "charlie")

    detail = client.get(f"/staff/feedback/{comment.experience.reference}/").content.decode()
    published = client.post(
        f"/staff/comments/{comment.pk}/publish/", {"text": "The midwives were kind."}
    )

    assert f'href="/staff/comments/{comment.pk}/"' in detail
    assert published.status_code == 302
    assert Publication.objects.get().text == "The midwives were kind."


def test_an_organisation_admin_cannot_correct_the_model(world: World) -> None:
    comment = comment_for(world)

    response = client_for(world, "charlie").post(
        f"/staff/comments/{comment.pk}/", {"themes": [], "sentiment": "1"}
    )

    assert response.status_code == 403
