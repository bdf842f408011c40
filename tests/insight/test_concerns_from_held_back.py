"""Concerns raised from submissions the public form held back (a flood, a bot) do not bury the
others: they are grouped by source, one row each, below the concerns from counted records."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from patientvoice.insight.models import Concern
from tests.conftest import World, make_experience


@pytest.fixture(autouse=True)
def no_background_model(settings: Any) -> None:
    settings.FEEDBACK_COMMENT_TASKS = []


def concern_on(world: World, severity: int = 1, **held: str) -> Concern:
    experience = make_experience(
        world.maternity, what_was_good="Staff shouted at my mum on the ward.", **held
    )
    return Concern.objects.create(
        comment=experience.comments.get(), kind="safeguarding", severity=severity, evidence="x"
    )


def flood(world: World, n: int, source: str = "a1b2c3d4e5f6a7b8") -> list[Concern]:
    return [concern_on(world, held_back_reason="too_fast", source_key=source) for _ in range(n)]


def linked(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/staff/concerns/(\d+)/"', page)]


def queue(world: World, query: str = "") -> str:
    client = Client()
    client.force_login(world.alice)
    response = client.get(f"/staff/concerns/{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_thirty_posts_from_one_source_are_one_row_below_a_genuine_concern(world: World) -> None:
    flooded = flood(world, 30)
    genuine = concern_on(world, severity=2)

    page = queue(world)

    assert linked(page) == [genuine.pk]
    assert f'href="/staff/concerns/{genuine.pk}/"' in page
    assert page.index(f"/staff/concerns/{genuine.pk}/") < page.index("From submissions held back")
    assert "30 from 30 submissions" in page
    assert "Sent within seconds of the form being shown" in page
    assert f"/staff/concerns/{flooded[0].pk}/" not in page


def test_each_source_is_its_own_row_and_opens_to_its_concerns(world: World) -> None:
    flood(world, 3, source="1111111111111111")
    other = flood(world, 2, source="2222222222222222")

    page = queue(world)
    listed = queue(world, "?status=open&source=2222222222222222")

    assert "3 from 3 submissions" in page and "2 from 2 submissions" in page
    assert sorted(linked(listed)) == sorted(c.pk for c in other)


def test_a_released_submission_s_concern_joins_the_queue(world: World) -> None:
    [concern] = flood(world, 1)
    client = Client()
    client.force_login(world.alice)
    reference = concern.comment.experience.reference

    client.post(f"/staff/held-back/{reference}/", {"decision": "release"})

    assert f'href="/staff/concerns/{concern.pk}/"' in queue(world)


def test_the_queue_takes_the_same_queries_however_large_the_flood(world: World) -> None:
    client = Client()
    client.force_login(world.alice)
    concern_on(world)
    flood(world, 2)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get("/staff/concerns/")
        return len(captured)

    count()  # the first request of a session also writes the session
    few = count()
    flood(world, 10)
    flood(world, 3, source="ffffffffffffffff")
    assert count() == few
