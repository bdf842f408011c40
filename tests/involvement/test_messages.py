"""Organisers write to the group's members: email for those who prefer it, a printable list of
the rest showing only what each agreed to share."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from patientvoice.involvement.models import GroupMessage, MessageDelivery
from patientvoice.involvement.tasks import email_group_message
from tests.conftest import World
from tests.involvement.people import client_as, make_groups, member


def test_email_members_are_emailed_and_the_rest_are_listed_to_post_to(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    groups = make_groups(world)
    member(
        world.ppg,
        None,
        "Walter Price",
        "member",
        preferred_contact="post",
        postal_address="3 Mill Lane",
    )
    fay = client_as(world, groups, "fay")

    with django_capture_on_commit_callbacks(execute=True):
        response = fay.post(
            reverse("staff:group_message_new", args=[world.ppg.slug]),
            {"subject": "Next meeting", "body": "We meet on Wednesday at 6pm."},
        )
    page = fay.get(response["Location"]).content.decode()

    assert sorted(m.to[0] for m in mail.outbox) == [
        "dana@example.org",
        "fay@example.org",
        "gina@example.org",
    ]
    assert "Wednesday at 6pm" in mail.outbox[0].body
    assert "Walter Price" in page
    assert "3 Mill Lane" not in page  # he did not agree to share his address with organisers


def test_sending_twice_emails_nobody_twice(world: World) -> None:
    make_groups(world)  # Fay, Gina and Dana prefer email
    message = GroupMessage.objects.create(group=world.ppg, subject="Hello", body="Hello")

    first = email_group_message.call(message.pk)
    second = email_group_message.call(message.pk)

    assert (first, second) == (3, 0)
    assert len(mail.outbox) == 3
    assert MessageDelivery.objects.count() == 3


def test_the_printable_list_takes_the_same_queries_for_many_members(world: World) -> None:
    groups = make_groups(world)
    message = GroupMessage.objects.create(group=world.ppg, subject="Hello", body="Hello")
    fay = client_as(world, groups, "fay")
    url = reverse("staff:group_message", args=[message.pk])
    member(world.ppg, None, "Post 0", "member", preferred_contact="post")

    with CaptureQueriesContext(connection) as few:
        fay.get(url)
    for n in range(1, 12):
        member(world.ppg, None, f"Post {n}", "member", preferred_contact="post")
    with CaptureQueriesContext(connection) as many:
        html = fay.get(url).content.decode()

    assert "Post 11" in html
    assert len(many) == len(few)
