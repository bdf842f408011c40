"""Asking to join a group from its public page, and the chair or staff lead deciding."""

from __future__ import annotations

import time
from typing import Any

from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from patientvoice.defences import issue_form_token
from patientvoice.involvement.models import GroupMember, JoinRequest
from patientvoice.people.models import AuditEvent, Person
from tests.conftest import World
from tests.involvement.people import client_as, make_groups


def form(**overrides: Any) -> dict[str, Any]:
    """As a person sends it: the page fetched a minute ago, the honeypot left empty."""
    data: dict[str, Any] = {
        "submission_token": issue_form_token(rendered_at=time.time() - 60),
        "website": "",
        "full_name": "Priya Shah",
        "preferred_contact": "email",
        "email": "priya@example.org",
        "phone": "07700 900123",
        "share": ["share_email"],
        "about_me": "I use the practice with my two children.",
        "consent": "on",
    }
    data.update(overrides)
    return data


def test_the_group_page_offers_to_ask_to_join(client: Client, world: World) -> None:
    html = client.get(world.ppg.get_absolute_url()).content.decode()

    assert reverse("involvement:join", args=[world.ppg.slug]) in html


def test_a_request_is_stored_with_what_the_person_shares_and_their_consent(
    client: Client, world: World
) -> None:
    response = client.post(reverse("involvement:join", args=[world.ppg.slug]), form())

    assert response["Location"] == reverse("involvement:join_done", args=[world.ppg.slug])
    request = JoinRequest.objects.get()
    assert (request.group, request.status) == (world.ppg, "pending")
    assert (request.share_email, request.share_phone, request.share_address) == (True, False, False)
    assert request.person.consents.filter(purpose="group_contact").exists()


def test_sending_the_form_twice_makes_one_request(client: Client, world: World) -> None:
    data = form()
    url = reverse("involvement:join", args=[world.ppg.slug])

    client.post(url, data)
    client.post(url, data)

    assert JoinRequest.objects.count() == 1
    assert Person.objects.count() == 1


def test_a_request_sent_within_seconds_of_the_page_is_held_back_from_the_chair(
    client: Client, world: World
) -> None:
    groups = make_groups(world)
    client.post(
        reverse("involvement:join", args=[world.ppg.slug]),
        form(submission_token=issue_form_token()),
    )

    assert JoinRequest.objects.get().held_back_reason == "too_fast"
    page = client_as(world, groups, "fay").get(
        reverse("staff:group_join_requests", args=[world.ppg.slug])
    )
    assert "Priya Shah" not in page.content.decode()


def test_a_flood_from_one_address_is_refused(client: Client, world: World, settings: Any) -> None:
    settings.PATIENTVOICE_RATELIMIT = {**settings.PATIENTVOICE_RATELIMIT, "client_refuse": "2/h"}
    url = reverse("involvement:join", args=[world.ppg.slug])

    statuses = [client.post(url, form()).status_code for _ in range(3)]

    assert statuses == [302, 302, 429]


def test_a_group_joined_by_invitation_has_no_form(client: Client, world: World) -> None:
    world.ppg.join_method = "invitation"
    world.ppg.save()

    assert client.get(reverse("involvement:join", args=[world.ppg.slug])).status_code == 404


def test_accepting_makes_a_member_and_emails_the_person(
    client: Client, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    groups = make_groups(world)
    client.post(reverse("involvement:join", args=[world.ppg.slug]), form())
    request = JoinRequest.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(world, groups, "fay").post(
            reverse("staff:group_join_request", args=[request.pk]),
            {"decision": "accept", "reply": "Our next meeting is on the first Wednesday."},
        )

    assert response.status_code == 302
    member = GroupMember.objects.get(person=request.person)
    assert (member.group, member.role, member.share_email, member.share_phone) == (
        world.ppg,
        "member",
        True,
        False,
    )
    assert [m.to for m in mail.outbox] == [["priya@example.org"]]
    assert "first Wednesday" in mail.outbox[0].body
    request.refresh_from_db()
    assert request.told_at is not None
    assert AuditEvent.objects.filter(action="join_request_decided").count() == 1


def test_a_phone_contact_is_listed_to_be_told_until_an_organiser_says_so(
    client: Client, world: World
) -> None:
    groups = make_groups(world)
    client.post(
        reverse("involvement:join", args=[world.ppg.slug]),
        form(preferred_contact="phone", email="", share=["share_phone"]),
    )
    request = JoinRequest.objects.get()
    dana = client_as(world, groups, "dana")
    dana.post(reverse("staff:group_join_request", args=[request.pk]), {"decision": "decline"})
    listing = reverse("staff:group_join_requests", args=[world.ppg.slug])

    before = dana.get(listing).content.decode()
    dana.post(reverse("staff:group_join_request_told", args=[request.pk]))
    after = dana.get(listing).content.decode()

    assert mail.outbox == []
    assert "07700 900123" in before and "To tell by phone or post" in before
    assert "Priya Shah" not in after
    assert not GroupMember.objects.filter(person=request.person).exists()


def test_organisers_see_only_what_each_member_agreed_to_share(world: World) -> None:
    groups = make_groups(world)
    gina = GroupMember.objects.get(person__user=groups.gina)
    Person.objects.filter(pk=gina.person_id).update(
        phone="0113 496 0000", postal_address="1 Oak Lane"
    )

    html = (
        client_as(world, groups, "fay")
        .get(reverse("staff:group_members", args=[world.ppg.slug]))
        .content.decode()
    )

    assert "gina@example.org" in html  # shared
    assert "0113 496 0000" not in html and "1 Oak Lane" not in html  # not shared


def test_the_member_list_takes_the_same_queries_for_many_members(world: World) -> None:
    groups = make_groups(world)
    fay = client_as(world, groups, "fay")
    url = reverse("staff:group_members", args=[world.ppg.slug])
    fay.get(url)

    with CaptureQueriesContext(connection) as few:
        fay.get(url)
    for n in range(15):
        person = Person.objects.create(full_name=f"Member {n}", preferred_contact="post")
        GroupMember.objects.create(group=world.ppg, person=person)
    with CaptureQueriesContext(connection) as many:
        html = fay.get(url).content.decode()

    assert "Member 14" in html
    assert len(many) == len(few)


def test_the_join_request_list_takes_the_same_queries_for_many_requests(world: World) -> None:
    groups = make_groups(world)
    fay = client_as(world, groups, "fay")
    url = reverse("staff:group_join_requests", args=[world.ppg.slug])

    def add(n: int) -> None:
        person = Person.objects.create(full_name=f"Asker {n}", preferred_contact="phone")
        JoinRequest.objects.create(group=world.ppg, person=person)
        JoinRequest.objects.create(group=world.ppg, person=person, status="accepted")

    add(0)
    with CaptureQueriesContext(connection) as few:
        fay.get(url)
    for n in range(1, 12):
        add(n)
    with CaptureQueriesContext(connection) as many:
        html = fay.get(url).content.decode()

    assert "Asker 11" in html
    assert len(many) == len(few)
