"""Held-back submissions are in no figure, public or staff, until an officer releases them; each
decision is audited, and only officers and organisation admins at the record's organisation
may make it."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from patientvoice.feedback.models import Experience
from patientvoice.insight.services import classify_comments
from patientvoice.people.models import AuditEvent, User
from tests.conftest import World, make_experience
from tests.insight.test_summary import FixedReader, assert_matches_a_rebuild, summary


@pytest.fixture(autouse=True)
def no_background_model(settings: Any) -> None:
    settings.FEEDBACK_COMMENT_TASKS = []


def held(world: World, **fields: Any) -> Experience:
    return make_experience(
        world.maternity, rating=5, held_back_reason="busy_client", source_key="abc", **fields
    )


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_held_back_submission_is_in_no_summary_and_not_on_the_public_page(
    client: Client, world: World
) -> None:
    for _ in range(5):
        make_experience(world.maternity, rating=1)
    flood = [held(world) for _ in range(20)]
    classify_comments([c.pk for e in flood for c in e.comments.all()], FixedReader(["Parking"], 5))

    kept = assert_matches_a_rebuild()

    assert [sum(counts[:6]) for counts in kept["responses"].values()] == [5]
    assert kept["themes"] == {}
    page = client.get("/services/maternity/").content.decode()
    assert "5 people rated this service" in page
    assert "100%</strong> said their experience was good" in page
    assert "Parking" not in page  # the flood's theme, 20 comments, is not among the top themes


def test_the_staff_feedback_list_and_explorer_leave_held_back_records_out(world: World) -> None:
    make_experience(world.maternity, what_was_good="Counted words about the night staff.")
    held(world, what_was_good="Held back words about the car park.")

    alice = signed_in(world.alice)
    listing = alice.get("/staff/feedback/").content.decode()
    explorer = alice.get("/staff/insight/comments/").content.decode()

    assert "1 record" in listing
    assert "Counted words" in explorer and "Held back words" not in explorer


def test_releasing_counts_it_everywhere_and_is_audited(world: World) -> None:
    experience = held(world)
    classify_comments([c.pk for c in experience.comments.all()], FixedReader(["Parking"], 5))
    before = summary()

    response = signed_in(world.alice).post(
        f"/staff/held-back/{experience.reference}/", {"decision": "release"}
    )

    assert response.status_code == 302
    experience.refresh_from_db()
    assert experience.status == "counted" and experience.reviewed_by == world.alice
    after = assert_matches_a_rebuild()
    assert before == {"responses": {}, "themes": {}}
    assert [counts[4] for counts in after["responses"].values()] == [1]  # one "very poor"
    assert [key[-1] for key in after["themes"]] == ["Parking"]
    event = AuditEvent.objects.get(action="submission_released")
    assert (event.actor, event.subject_id, event.detail) == (
        world.alice,
        str(experience.pk),
        {"reason": "busy_client"},
    )


def test_rejecting_keeps_it_stored_and_out_of_every_figure(world: World) -> None:
    experience = held(world)

    signed_in(world.charlie).post(
        f"/staff/held-back/{experience.reference}/", {"decision": "reject"}
    )

    experience.refresh_from_db()
    assert experience.status == "rejected"
    assert assert_matches_a_rebuild()["responses"] == {}
    assert AuditEvent.objects.filter(action="submission_rejected", actor=world.charlie).exists()


def test_a_decision_is_made_once(world: World) -> None:
    experience = held(world)
    alice = signed_in(world.alice)

    alice.post(f"/staff/held-back/{experience.reference}/", {"decision": "release"})
    again = alice.post(f"/staff/held-back/{experience.reference}/", {"decision": "reject"})

    assert again.status_code == 404
    experience.refresh_from_db()
    assert experience.status == "counted"
    assert AuditEvent.objects.count() == 1


@pytest.mark.parametrize(
    ("persona", "listed", "decided"),
    [
        ("alice", 200, 302),  # officer here
        ("charlie", 200, 302),  # organisation admin here
        ("bob", 403, 404),  # analyst here
        ("dana", 200, 404),  # officer at another organisation: sees only her own
        ("erin", 403, 403),  # no role anywhere
    ],
)
def test_who_may_review_held_back_submissions(
    world: World, persona: str, listed: int, decided: int
) -> None:
    experience = held(world, what_was_good="Words only Northdale staff may read here.")
    client = signed_in(getattr(world, persona))

    listing = client.get("/staff/held-back/")
    decision = client.post(f"/staff/held-back/{experience.reference}/", {"decision": "release"})

    assert (listing.status_code, decision.status_code) == (listed, decided)
    if listed == 200:
        shown = "Words only Northdale staff may read here." in listing.content.decode()
        assert shown == (persona != "dana")


def test_a_visitor_is_sent_to_sign_in(client: Client, world: World) -> None:
    experience = held(world)

    assert client.get("/staff/held-back/")["Location"].startswith("/staff/sign-in/")
    response = client.post(f"/staff/held-back/{experience.reference}/", {"decision": "release"})
    assert response["Location"].startswith("/staff/sign-in/")
    assert Experience.objects.get().status == "held_back"


def test_the_review_page_takes_the_same_queries_however_many_are_held_back(
    world: World,
) -> None:
    alice = signed_in(world.alice)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            page = alice.get("/staff/held-back/")
        assert page.status_code == 200
        return len(captured)

    held(world)
    count()  # the first request of a session also writes the session
    few = count()
    for _ in range(10):
        held(world)
    assert count() == few
    assert "11 held back from the same address" in alice.get("/staff/held-back/").content.decode()
