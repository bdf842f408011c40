"""A concern a person raises alerts triage staff by email as the model's concerns do: through
the same alert, once per concern, and again if a closed one is raised again."""

from collections.abc import Callable
from typing import Any

from django.core import mail
from django.test import Client

from patientvoice.insight.models import Concern
from patientvoice.insight.review import close_concern
from tests.conftest import World, make_experience

OnCommit = Callable[..., Any]


def raise_on(world: World, comment_id: int, note: str = "Mentions a bruise on the baby") -> None:
    client = Client()
    client.force_login(world.alice)
    response = client.post(
        f"/staff/comments/{comment_id}/raise-concern/", {"kind": "safeguarding", "note": note}
    )
    assert response.status_code == 302


def test_a_concern_a_person_raises_is_emailed_to_triage_staff(
    world: World, django_capture_on_commit_callbacks: OnCommit
) -> None:
    comment = make_experience(world.maternity).comments.get()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        raise_on(world, comment.pk)

    concern = Concern.objects.get()
    assert [sorted(m.to) for m in mail.outbox] == [["alice@example.org", "charlie@example.org"]]
    assert mail.outbox[0].subject.startswith("1 new concern(s)")
    assert "Safeguarding (severity 1) about Maternity unit, raised by alice" in mail.outbox[0].body
    assert f"/staff/concerns/{concern.pk}/" in mail.outbox[0].body
    assert concern.notified_at is not None


def raised_and_announced(world: World, on_commit: OnCommit) -> int:
    """A comment with a concern a person raised, its alert sent; returns the comment's id."""
    comment = make_experience(world.maternity).comments.get()
    with on_commit(execute=True):
        raise_on(world, comment.pk)
    mail.outbox.clear()
    return comment.pk


def test_raising_an_open_concern_again_sends_nothing_new(
    world: World, django_capture_on_commit_callbacks: OnCommit
) -> None:
    comment_id = raised_and_announced(world, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        raise_on(world, comment_id, "And again")

    assert mail.outbox == []


def test_a_closed_concern_raised_again_alerts_triage_staff_again(
    world: World, django_capture_on_commit_callbacks: OnCommit
) -> None:
    comment_id = raised_and_announced(world, django_capture_on_commit_callbacks)
    close_concern(Concern.objects.get(), world.alice, "Called the family; no harm found.")

    with django_capture_on_commit_callbacks(execute=True):
        raise_on(world, comment_id, "A second bruise mentioned at the follow-up call")

    assert Concern.objects.get().status == Concern.Status.NEW
    assert [sorted(m.to) for m in mail.outbox] == [["alice@example.org", "charlie@example.org"]]
