"""A body larger than a page accepts is refused with 413 before anything reads it: every form
of ours fits in PATIENTVOICE_MAX_POST_BYTES; only signed-in staff may send more, and only to
the upload pages."""

from __future__ import annotations

import io
from typing import Any

from django.test import Client

from patientvoice.feedback.models import Experience
from tests.conftest import World


class UnreadBody(io.RawIOBase):
    """The network stream of a request: reading it at all fails the test."""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the body was read")

    readline = read  # type: ignore[assignment]


def post_declaring(client: Client, path: str, length: int) -> Any:
    return client.generic(
        "POST",
        path,
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": UnreadBody()},  # type: ignore[arg-type]
    )


def test_a_300_mb_anonymous_post_is_refused_without_being_read(
    client: Client, world: World
) -> None:
    response = post_declaring(client, "/share/services/maternity/", 300_000_000)

    assert response.status_code == 413
    assert "What you sent is too large" in response.content.decode()
    assert 'class="nhsuk-header' in response.content.decode()
    assert Experience.objects.count() == 0


def test_the_upload_pages_take_larger_files_from_signed_in_staff_only(
    client: Client, world: World, settings: Any
) -> None:
    settings.PATIENTVOICE_MAX_POST_BYTES = 1_000
    settings.PATIENTVOICE_MAX_UPLOAD_BYTES = 100_000
    body = b"x" * 50_000

    def upload(who: Client) -> int:
        return who.generic(
            "POST", "/staff/imports/", body, content_type="application/octet-stream"
        ).status_code

    anonymous = upload(client)
    client.force_login(world.bob)
    staff = upload(client)
    too_big = post_declaring(client, "/staff/imports/", 100_001).status_code
    elsewhere = post_declaring(client, "/staff/feedback/new/maternity/", 50_000).status_code

    assert (anonymous, too_big, elsewhere) == (413, 413, 413)
    assert staff != 413
