"""An officer reviews what the public form held back: sees why, and releases a genuine
submission; a safeguarding concern from a flood waits below the others, grouped."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from patientvoice.feedback.models import Experience
from patientvoice.insight.models import Concern
from tests.browser.conftest import assert_accessible
from tests.browser.test_staff_review_and_triage import sign_in
from tests.conftest import World, make_experience

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_releases_a_genuine_submission_and_sees_a_flood_grouped(
    page: Page, world: World
) -> None:
    genuine = make_experience(
        world.maternity,
        what_was_good="My daughter was born safely and the team were wonderful.",
        held_back_reason="too_fast",
        source_key="0123456789abcdef",
    )
    for n in range(3):
        flooded = make_experience(
            world.maternity,
            what_was_good=f"Someone hurt me on the ward, copy {n}.",
            held_back_reason="busy_client",
            source_key="fedcba9876543210",
        )
        Concern.objects.create(
            comment=flooded.comments.get(), kind="safeguarding", severity=1, evidence="hurt"
        )

    sign_in(page, "alice")
    page.get_by_role("link", name="Held back").click()
    expect(page.get_by_role("heading", name="Held back for review")).to_be_visible()
    expect(
        page.get_by_role("cell", name="Sent within seconds of the form being shown")
    ).to_be_visible()
    expect(page.get_by_text("3 held back from the same address").first).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name=f"Release {genuine.reference}").click()
    expect(page.get_by_text(f"{genuine.reference} is released: it now counts")).to_be_visible()
    assert_accessible(page)
    assert Experience.objects.get(pk=genuine.pk).status == "counted"

    page.get_by_role("link", name="Concerns").click()
    expect(
        page.get_by_role("heading", name="From submissions held back for review")
    ).to_be_visible()
    expect(page.get_by_role("cell", name="3 from 3 submissions")).to_be_visible()
    assert_accessible(page)
