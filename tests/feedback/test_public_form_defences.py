"""The share form's defences: a honeypot, a minimum time from form to post, rate limits per
client and per service, and near-duplicate detection. Whatever trips one is stored held back
(never dropped) behind the ordinary thank-you; only a flood is refused, with a 429 page."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from django.test import Client

from patientvoice.defences import issue_form_token
from patientvoice.feedback.models import Experience
from tests.conftest import World
from tests.feedback.test_share_view import URL, valid_form

NUMBERS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
LIMITS = {"client_hold": "3/10m", "client_refuse": "6/10m", "scope_hold": "100/h"}


def post(client: Client, n: int = 0, address: str = "192.0.2.10", **overrides: Any) -> Any:
    # Different words each time, so that only the check under test trips.
    words = f"Visit number {NUMBERS[n % len(NUMBERS)]}"
    form = valid_form(what_was_good=f"{words} went well.", could_be_better="", **overrides)
    return client.post(URL, form, REMOTE_ADDR=address)


def held_back(reason: str) -> list[Experience]:
    return list(Experience.objects.filter(status="held_back", held_back_reason=reason))


def test_a_post_sent_within_seconds_of_the_form_is_stored_held_back_and_thanked_as_usual(
    client: Client, world: World, settings: Any
) -> None:
    # Sent a minute after the form was shown, against a minimum of ten: no clock race.
    settings.PATIENTVOICE_FORM_MIN_SECONDS = 600
    response = post(client)

    experience = Experience.objects.get()
    assert experience.status == "held_back" and experience.held_back_reason == "too_fast"
    assert response.status_code == 302
    assert response["Location"] == f"/share/thank-you/{experience.reference}/"
    thanks = client.get(response["Location"]).content.decode()
    assert "Thank you for your feedback" in thanks
    assert "held back" not in thanks.lower()


def test_a_person_who_takes_their_time_is_counted(client: Client, world: World) -> None:
    post(client, submission_token=issue_form_token(rendered_at=time.time() - 30))

    assert Experience.objects.get().status == "counted"


def test_a_filled_in_honeypot_is_held_back(client: Client, world: World) -> None:
    post(client, website="https://cheap-pills.example")

    assert [e.held_back_reason for e in Experience.objects.all()] == ["honeypot"]


def test_a_post_made_without_our_form_is_held_back(client: Client, world: World) -> None:
    post(client, submission_token=str(uuid.uuid4()))  # a bare token, never signed by us

    assert len(held_back("no_form")) == 1


def test_a_token_altered_to_claim_an_older_form_is_not_accepted(
    client: Client, world: World
) -> None:
    token, moment, signature = issue_form_token().rsplit(":", 2)

    response = post(client, submission_token=f"{token}:{int(moment) - 600}:{signature}")

    assert "The form has expired: send it again" in response.content.decode()
    assert Experience.objects.count() == 0


def test_a_token_that_is_not_one_at_all_is_a_form_error_and_nothing_is_stored(
    client: Client, world: World
) -> None:
    response = client.post(URL, valid_form(submission_token="not-a-token"))

    assert response.status_code == 200
    assert "The form has expired: send it again" in response.content.decode()
    assert Experience.objects.count() == 0


def test_the_honeypot_is_hidden_out_of_the_tab_order_and_labelled_to_be_left_empty(
    client: Client, world: World
) -> None:
    page = client.get(URL).content.decode()

    found = re.search(
        r'<div class="nhsuk-u-visually-hidden">\s*<label for="id_website">(.*?)</label>\s*'
        r'<input type="text" name="website" id="id_website" value="" tabindex="-1" '
        r'autocomplete="off">',
        page,
    )
    assert found is not None
    assert "Leave this field empty" in found.group(1)


def test_a_client_posting_again_and_again_is_held_back_then_refused(
    client: Client, world: World, settings: Any
) -> None:
    settings.PATIENTVOICE_RATELIMIT = LIMITS

    answers = [post(client, n).status_code for n in range(8)]

    assert answers == [302, 302, 302, 302, 302, 302, 429, 429]
    assert Experience.objects.filter(status="counted").count() == 3
    assert len(held_back("busy_client")) == 3
    refused = post(client, 9)
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "has not been saved" in page and "Wait 10 minutes" in page
    assert 'class="nhsuk-header' in page  # the NHS.UK layout
    assert Experience.objects.count() == 6


def test_one_noisy_client_does_not_hold_back_anyone_else(
    client: Client, world: World, settings: Any
) -> None:
    settings.PATIENTVOICE_RATELIMIT = LIMITS
    for n in range(8):
        post(client, n)

    response = post(client, 9, address="198.51.100.7")

    assert response.status_code == 302
    assert Experience.objects.order_by("-pk").first().status == "counted"  # type: ignore[union-attr]


def test_many_addresses_posting_about_one_service_are_held_back_beyond_its_limit(
    client: Client, world: World, settings: Any
) -> None:
    settings.PATIENTVOICE_RATELIMIT = LIMITS | {"scope_hold": "2/h"}

    for n in range(4):
        post(client, n, address=f"203.0.113.{n + 1}")
    client.post(
        "/share/services/oak-lane-appointments/",
        valid_form(what_was_good="Another service entirely, seen on time."),
        REMOTE_ADDR="203.0.113.99",
    )

    assert len(held_back("busy_scope")) == 2
    assert Experience.objects.filter(status="counted").count() == 3


def test_nearly_the_same_words_about_the_same_service_are_held_back(
    client: Client, world: World
) -> None:
    words = "The midwife stayed with us all night and explained everything."
    client.post(URL, valid_form(what_was_good=words, could_be_better=""))
    client.post(
        URL,
        valid_form(
            what_was_good="THE MIDWIFE stayed with us all night, and explained everything 2!",
            could_be_better="",
        ),
        REMOTE_ADDR="198.51.100.8",
    )
    client.post(
        "/share/services/oak-lane-appointments/",
        valid_form(what_was_good=words, could_be_better=""),
    )

    assert [e.service.slug for e in held_back("duplicate")] == ["maternity"]
    assert Experience.objects.filter(status="counted").count() == 2


def test_short_answers_that_many_people_give_are_not_duplicates(
    client: Client, world: World
) -> None:
    for _ in range(3):
        client.post(URL, valid_form(what_was_good="Very good", could_be_better=""))

    assert Experience.objects.filter(status="counted").count() == 3


def test_a_load_test_can_turn_the_time_and_duplicate_checks_off(
    client: Client, world: World, settings: Any
) -> None:
    words = {"what_was_good": "The same words from a load generator, again and again."}
    settings.PATIENTVOICE_FORM_MIN_SECONDS = 0
    client.post(URL, valid_form(submission_token=issue_form_token(), **words))
    client.post(URL, valid_form(submission_token=issue_form_token(), **words))
    settings.PATIENTVOICE_DUPLICATE_HOURS = 0
    client.post(URL, valid_form(submission_token=issue_form_token(), **words))

    reasons = list(Experience.objects.order_by("pk").values_list("held_back_reason", flat=True))
    assert reasons == ["", "duplicate", ""]


def test_after_an_automated_looking_post_the_address_is_held_back_however_slow(
    client: Client, world: World
) -> None:
    post(client, 1, website="filled by a bot")

    slow = post(client, 2)
    post(client, 3, address="198.51.100.9")  # someone else is not affected

    assert slow.status_code == 302
    reasons = list(Experience.objects.order_by("pk").values_list("held_back_reason", flat=True))
    assert reasons == ["honeypot", "busy_client", ""]


def test_what_an_address_sent_before_its_first_automated_post_is_held_back_too(
    client: Client, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    from tests.insight.test_summary import assert_matches_a_rebuild

    post(client, 1)  # unhurried, as the first post of a flood can look behind a slow queue
    post(client, 2, address="198.51.100.9")  # someone else
    assert Experience.objects.filter(status="counted").count() == 2

    post(client, 3, website="filled by a bot")

    statuses = list(Experience.objects.order_by("pk").values_list("status", "held_back_reason"))
    assert statuses == [
        ("held_back", "busy_client"),
        ("counted", ""),
        ("held_back", "honeypot"),
    ]
    assert [sum(c[:6]) for c in assert_matches_a_rebuild()["responses"].values()] == [1]
