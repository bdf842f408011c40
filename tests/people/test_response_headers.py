"""Headers on every response: a Content Security Policy without 'unsafe-inline',
Permissions-Policy, and no-store on staff pages and downloads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from tests.conftest import World

ROOT = Path(__file__).resolve().parents[2]


def directives(response: object) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]  # type: ignore[index]
    parts = [part.strip().split() for part in header.split(";") if part.strip()]
    return {name: values for name, *values in parts}


@pytest.mark.parametrize("path", ["/", "/share/services/maternity/", "/staff/sign-in/"])
def test_pages_carry_a_policy_that_forbids_inline_script_and_style(world: World, path: str) -> None:
    response = Client().get(path)
    policy = directives(response)

    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert policy["default-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    # The one inline script, NHS.UK frontend's js-enabled switch, carries this response's nonce.
    nonce = next(v for v in policy["script-src"] if v.startswith("'nonce-"))[7:-1]
    scripts = re.findall(r"<script([^>]*)>", response.content.decode())
    inline = [attrs for attrs in scripts if "src=" not in attrs]
    assert inline == [f' nonce="{nonce}"']


def test_no_template_has_an_inline_style_or_script_of_its_own() -> None:
    templates = [*ROOT.glob("patientvoice/**/*.jinja"), *ROOT.glob("patientvoice/**/*.html")]
    offenders = [
        str(path.relative_to(ROOT))
        for path in templates
        if re.search(r"\sstyle=|<style|<script(?![^>]*\bsrc=)|\son[a-z]+=", path.read_text())
    ]

    assert offenders == []


def test_every_response_has_a_permissions_policy(world: World) -> None:
    policy = Client().get("/")["Permissions-Policy"]

    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


@pytest.mark.parametrize(
    "path", ["/staff/sign-in/", "/staff/feedback/", "/staff/team/", "/staff/sign-in/reset/"]
)
def test_staff_pages_are_never_stored(world: World, path: str) -> None:
    client = Client()
    client.force_login(world.charlie)

    assert "no-store" in client.get(path)["Cache-Control"]


def test_public_pages_may_be_cached(world: World) -> None:
    assert "no-store" not in Client().get("/").get("Cache-Control", "")


def test_any_download_is_never_stored(world: World) -> None:
    client = Client()
    client.force_login(world.bob)

    response = client.get("/staff/insight/comments/?format=csv")

    assert response["Content-Disposition"].startswith("attachment")
    assert "no-store" in response["Cache-Control"]
