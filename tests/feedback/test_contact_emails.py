"""Emails to someone who asked to be contacted: first a link to confirm the address, and only
once its owner confirms, the acknowledgement. Nothing typed on the form is echoed, and one
address gets at most PATIENTVOICE_EMAILS_PER_ADDRESS emails a day."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django.test import Client

from patientvoice.feedback.models import Experience
from tests.conftest import World
from tests.feedback.test_share_view import URL, valid_form

SPOOF = "Dear customer. Your NHS refund of 250 pounds is waiting: log in at refund.example"


def share_with_contact(client: Client, capture: Any, **overrides: Any) -> Experience:
    fields = {"may_contact": "on", "contact_name": SPOOF, "contact_email": "sam@example.org"}
    with capture(execute=True):
        response = client.post(URL, valid_form(**fields | overrides))
    return Experience.objects.get(reference=response["Location"].split("/")[-2])


def link_in(message: Any) -> str:
    found = re.search(r"http://127\.0\.0\.1:8000(/share/confirm-email/[^/\s]+/)", message.body)
    assert found is not None
    return found.group(1)


def test_the_first_email_asks_the_owner_to_confirm_and_echoes_nothing_typed(
    client: Client, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    share_with_contact(
        client, django_capture_on_commit_callbacks, what_was_good=SPOOF, could_be_better=SPOOF
    )

    # The typed scam text may also raise a concern, whose alert goes to triage staff.
    [message] = [m for m in mail.outbox if "sam@example.org" in m.to]
    assert message.to == ["sam@example.org"]
    assert message.subject == "Confirm your email address for Northdale Hospitals"
    assert "Maternity" in message.body and "Northdale Hospitals" in message.body
    for typed in ("refund", "customer", "250"):
        assert typed not in f"{message.subject}\n{message.body}"
    assert link_in(message)


def test_opening_the_link_changes_nothing_and_the_button_confirms_then_acknowledges(
    client: Client, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    experience = share_with_contact(client, django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])

    page = client.get(link)
    assert page.status_code == 200
    assert "Confirm my email address" in page.content.decode()
    experience.contact.refresh_from_db()  # type: ignore[union-attr]
    assert experience.contact.email_confirmed_at is None  # type: ignore[union-attr]
    assert len(mail.outbox) == 1

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(link)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link)  # pressed twice

    assert "Your email address is confirmed" in confirmed.content.decode()
    experience.refresh_from_db()
    assert experience.contact.email_confirmed_at is not None  # type: ignore[union-attr]
    assert experience.acknowledged_at is not None
    assert len(mail.outbox) == 2
    acknowledgement = mail.outbox[1]
    assert acknowledgement.subject == f"We have received your feedback ({experience.reference})"
    assert acknowledgement.body.startswith("Hello,\n")
    assert "refund" not in acknowledgement.body


def test_an_altered_link_is_refused(
    client: Client, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    share_with_contact(client, django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])

    response = client.post(link[:-3] + "xx/")

    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    assert len(mail.outbox) == 1


def test_one_address_gets_at_most_three_emails_a_day(
    client: Client, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    for n in range(5):
        share_with_contact(
            client,
            django_capture_on_commit_callbacks,
            what_was_good=f"Different words each time, visit {'abcde'[n]} went fine.",
            contact_email="Sam@Example.org" if n % 2 else "sam@example.org",
        )

    assert len(mail.outbox) == 3
    assert Experience.objects.filter(confirmation_sent_at__isnull=False).count() == 5


def test_a_held_back_submission_emails_nobody_until_it_is_released(
    client: Client, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    experience = share_with_contact(client, django_capture_on_commit_callbacks, website="x")
    assert experience.status == "held_back"
    assert mail.outbox == []

    officer = Client()
    officer.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        officer.post(f"/staff/held-back/{experience.reference}/", {"decision": "release"})

    [message] = mail.outbox
    assert message.subject == "Confirm your email address for Northdale Hospitals"
