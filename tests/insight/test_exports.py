"""Exports from the insight pages: every one is in the audit log, and no cell runs as a formula."""

import csv
import io
from typing import Any

from django.test import Client

from patientvoice.people.audit import EXPORTED
from patientvoice.people.models import AuditEvent
from tests.conftest import World, make_experience


def _download(client: Client, path: str, params: dict[str, Any]) -> list[list[str]]:
    response = client.get(path, params)
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
    return list(csv.reader(io.StringIO(body.decode())))


def test_a_comment_written_as_a_formula_reaches_the_spreadsheet_as_text(world: World) -> None:
    make_experience(world.maternity, what_was_good='=HYPERLINK("http://evil.example","Refund")')
    client = Client()
    client.force_login(world.bob)

    rows = _download(
        client,
        "/staff/insight/comments/",
        {"organisation": world.hospital.pk, "format": "csv"},
    )

    assert rows[1][-1] == '\'=HYPERLINK("http://evil.example","Refund")'


def test_exporting_comments_is_audited_with_who_which_organisation_and_the_filters(
    world: World,
) -> None:
    make_experience(world.maternity)
    client = Client()
    client.force_login(world.bob)

    _download(
        client,
        "/staff/insight/comments/",
        {"organisation": world.hospital.pk, "format": "csv", "q": "kind"},
    )

    event = AuditEvent.objects.get(action=EXPORTED)
    assert event.actor == world.bob
    assert event.organisation == world.hospital
    assert event.detail["export"] == "comments"
    assert "q=kind" in event.detail["query"]


def test_downloading_a_table_of_the_insight_page_is_audited(world: World) -> None:
    make_experience(world.maternity)
    client = Client()
    client.force_login(world.alice)

    _download(
        client,
        "/staff/insight/",
        {"organisation": world.hospital.pk, "format": "csv", "table": "themes"},
    )

    assert list(AuditEvent.objects.values_list("action", "detail__export")) == [
        (EXPORTED, "insight_themes")
    ]


def test_viewing_the_comments_page_is_not_an_export(world: World) -> None:
    make_experience(world.maternity)
    client = Client()
    client.force_login(world.bob)

    client.get("/staff/insight/comments/", {"organisation": world.hospital.pk})

    assert not AuditEvent.objects.filter(action=EXPORTED).exists()
