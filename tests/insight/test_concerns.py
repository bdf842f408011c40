"""The safeguarding and complaints queue: who sees it, its order, and that nothing is dropped."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from patientvoice.insight.models import Concern
from patientvoice.insight.review import close_concern, pick_up_concern
from tests.conftest import World, client_for, make_experience


def concern_on(service, kind="safeguarding", severity=1, age_minutes=0) -> Concern:  # type: ignore[no-untyped-def]
    comment = make_experience(service, what_was_good="Staff shouted at my mum.").comments.get()
    concern = Concern.objects.create(
        comment=comment, kind=kind, severity=severity, evidence="shouted at"
    )
    Concern.objects.filter(pk=concern.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=age_minutes)
    )
    return concern


@pytest.mark.parametrize(
    ("persona", "list_status", "hospital_detail"),
    [
        ("anonymous", 302, 302),
        ("alice", 200, 200),
        ("bob", 403, 404),
        ("charlie", 200, 200),
        ("dana", 200, 404),
        ("erin", 403, 403),
    ],
)
def test_the_queue_is_for_officers_and_admins_of_the_organisation(
    world: World, persona: str, list_status: int, hospital_detail: int
) -> None:
    concern = concern_on(world.maternity)
    client = client_for(world, persona)

    listing = client.get("/staff/concerns/")
    detail = client.get(f"/staff/concerns/{concern.pk}/")

    assert listing.status_code == list_status
    assert detail.status_code == hospital_detail
    if list_status == 200:
        assert (f"/staff/concerns/{concern.pk}/" in listing.content.decode()) is (
            hospital_detail == 200
        )


def test_most_severe_come_first_then_newest(world: World) -> None:
    old_high = concern_on(world.maternity, severity=1, age_minutes=60)
    new_low = concern_on(world.maternity, kind="complaint", severity=3, age_minutes=1)
    new_high = concern_on(world.maternity, severity=1, age_minutes=5)

    page = client_for(world, "alice").get("/staff/concerns/").context["page"]

    assert [c.pk for c in page] == [new_high.pk, old_high.pk, new_low.pk]


def test_the_queue_takes_the_same_number_of_queries_however_long(world: World) -> None:
    client = client_for(world, "alice")
    concern_on(world.maternity)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/staff/concerns/").status_code == 200
        return len(captured)

    few = count()
    for _ in range(20):
        concern_on(world.maternity)
    assert count() == few


def test_picking_up_and_closing_record_who_and_what_was_done(world: World) -> None:
    concern = concern_on(world.maternity)
    client = client_for(world, "alice")

    client.post(f"/staff/concerns/{concern.pk}/", {"action": "pick_up"})
    concern.refresh_from_db()
    assert (concern.status, concern.picked_up_by) == ("picked_up", world.alice)

    response = client.post(f"/staff/concerns/{concern.pk}/", {"action_taken": ""})
    assert "Say what was done before closing the concern" in response.content.decode()
    concern.refresh_from_db()
    assert concern.status == "picked_up"

    client.post(f"/staff/concerns/{concern.pk}/", {"action_taken": "Referred to safeguarding lead"})
    concern.refresh_from_db()
    assert (concern.status, concern.closed_by) == ("closed", world.alice)
    assert concern.action_taken == "Referred to safeguarding lead"
    closed = client.get("/staff/concerns/", {"status": "closed"}).content.decode()
    assert f"/staff/concerns/{concern.pk}/" in closed


def test_a_closed_concern_cannot_be_closed_or_picked_up_again(world: World) -> None:
    concern = concern_on(world.maternity)
    close_concern(concern, world.alice, "Logged as complaint C-1")

    with pytest.raises(ValidationError):
        close_concern(concern, world.charlie, "again")
    with pytest.raises(ValidationError):
        pick_up_concern(concern, world.charlie)
    concern.refresh_from_db()
    assert concern.closed_by == world.alice


def test_staff_can_raise_a_concern_the_model_missed(world: World) -> None:
    comment = make_experience(world.maternity).comments.get()

    response = client_for(world, "alice").post(
        f"/staff/comments/{comment.pk}/raise-concern/",
        {"kind": "safeguarding", "note": "Mentions a bruise on the baby"},
    )

    concern = Concern.objects.get()
    assert response["Location"] == f"/staff/concerns/{concern.pk}/"
    assert concern.raised_by == world.alice and concern.detected_by is None


def test_new_concerns_are_emailed_to_the_triage_staff_once(world: World) -> None:
    from django.core import mail

    from patientvoice.insight.tasks import alert_new_concerns

    concern_on(world.maternity)
    concern_on(world.maternity, kind="complaint", severity=2)
    concern_on(world.appointments)

    first = alert_new_concerns.enqueue()
    second = alert_new_concerns.enqueue()

    assert (first.return_value, second.return_value) == (3, 0)
    recipients = sorted(tuple(sorted(m.to)) for m in mail.outbox)
    assert recipients == [("alice@example.org", "charlie@example.org"), ("dana@example.org",)]
    hospital = next(m for m in mail.outbox if "alice@example.org" in m.to)
    assert hospital.subject.startswith("2 new concern(s)")
    assert "/staff/concerns/" in hospital.body
    assert not Concern.objects.filter(notified_at__isnull=True).exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 302), ("alice", 200), ("bob", 200), ("charlie", 200), ("erin", 403)],
)
def test_model_versions_are_visible_to_staff_roles(world: World, persona: str, status: int) -> None:
    from patientvoice.insight.models import ModelVersion

    ModelVersion.objects.create(
        version="px-2026-11-23-abc",
        training_data_sha256="f" * 64,
        trained_at=timezone.now(),
        evaluation={
            "method": "5-fold",
            "patientvoice": {"micro_f1": 0.75, "sampled_macro_f1": 0.6, "per_label_f1": {}},
        },
    )

    response = client_for(world, persona).get("/staff/text-model/")

    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "px-2026-11-23-abc" in page and "f" * 64 in page and "0.750" in page
        assert "Themes macro-F1, 25% samples" in page and "0.600" in page
