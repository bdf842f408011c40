"""When the database cannot be reached, a person sending the share form is told plainly, in the
NHS.UK layout, that their feedback was not saved and what to do, and is given back what they
wrote. The failure is real: the connection points at a port nothing listens on (PostgreSQL) or
a file that cannot exist (SQLite)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections
from django.db.utils import load_backend
from django.test import Client

from tests.conftest import World
from tests.feedback.test_share_view import URL, valid_form


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def database_unreachable() -> Iterator[None]:
    working = connections["default"]
    broken = dict(working.settings_dict)
    if working.vendor == "postgresql":
        broken.update(HOST="127.0.0.1", PORT=str(closed_port()), CONN_HEALTH_CHECKS=False)
    else:
        broken["NAME"] = "/nonexistent-directory/patientvoice.db"
    wrapper = load_backend(broken["ENGINE"]).DatabaseWrapper(broken, "default")
    connections["default"] = wrapper
    try:
        yield
    finally:
        connections["default"] = working
        wrapper.close()


def test_the_person_is_told_their_feedback_was_not_saved_and_what_to_do(
    client: Client, world: World
) -> None:
    words = "The midwife <stayed> with us all night."

    with database_unreachable():
        response = client.post(URL, valid_form(what_was_good=words))

    page = response.content.decode()
    assert response.status_code == 503
    assert "<title>Your feedback has not been saved" in page
    assert "We did not save your feedback" in page
    assert "Try again in a few minutes" in page and "phone" in page
    assert 'class="nhsuk-header' in page
    assert "The midwife &lt;stayed&gt; with us all night." in page  # given back, escaped
