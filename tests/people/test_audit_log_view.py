"""An organisation admin reads their organisation's audit log: only its events, filterable,
a page at a time."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from patientvoice.people import audit
from patientvoice.people.models import AuditEvent
from tests.conftest import World


def charlie(world: World) -> Client:
    client = Client()
    client.force_login(world.charlie)
    return client


def test_it_lists_the_organisations_events_and_no_others(world: World) -> None:
    audit.record_audit(world.alice, audit.VIEWED_CONTACT_DETAILS, organisation=world.hospital)
    audit.record_audit(world.dana, audit.EXPORTED, organisation=world.practice)

    response = charlie(world).get("/staff/audit-log/")

    assert [(e.actor_username, e.action) for e in response.context["page"]] == [
        ("alice", audit.VIEWED_CONTACT_DETAILS)
    ]
    page = response.content.decode()
    assert "1 event" in page and "Viewed contact details" in page
    assert "dana" not in page


def test_it_filters_by_action_person_and_date(world: World) -> None:
    old = audit.record_audit(world.alice, audit.EXPORTED, organisation=world.hospital)
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - datetime.timedelta(days=40))
    audit.record_audit(world.alice, audit.VIEWED_CONTACT_DETAILS, organisation=world.hospital)
    audit.record_audit(world.bob, audit.VIEWED_EQUALITY, organisation=world.hospital)
    client = charlie(world)
    since = timezone.localdate() - datetime.timedelta(days=7)

    by_action = client.get("/staff/audit-log/", {"action": audit.VIEWED_EQUALITY})
    by_person = client.get("/staff/audit-log/", {"person": "ALICE"})
    by_date = client.get(
        "/staff/audit-log/",
        {
            "date_from[day]": since.day,
            "date_from[month]": since.month,
            "date_from[year]": since.year,
        },
    )

    assert [e.actor_username for e in by_action.context["page"]] == ["bob"]
    assert {e.action for e in by_person.context["page"]} == {
        audit.EXPORTED,
        audit.VIEWED_CONTACT_DETAILS,
    }
    assert audit.EXPORTED not in {e.action for e in by_date.context["page"]}
    assert by_date.context["page"].paginator.count == 2


def test_a_bad_date_is_reported_not_a_crash(world: World) -> None:
    response = charlie(world).get(
        "/staff/audit-log/",
        {"date_from[day]": "31", "date_from[month]": "2", "date_from[year]": "2026"},
    )

    assert response.status_code == 200
    assert "Date must be a real date" in response.content.decode()


def test_it_pages_fifty_at_a_time_with_the_same_queries_however_many(world: World) -> None:
    client = charlie(world)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/staff/audit-log/").status_code == 200
        return len(captured)

    audit.record_audit(world.alice, audit.EXPORTED, organisation=world.hospital)
    few = queries()
    for _ in range(60):
        audit.record_audit(world.alice, audit.EXPORTED, organisation=world.hospital)

    assert queries() == few
    second = client.get("/staff/audit-log/", {"page": 2})
    assert len(second.context["page"].object_list) == 11
