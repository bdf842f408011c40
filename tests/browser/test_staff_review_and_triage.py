"""Staff work the text insight: an analyst corrects a comment's themes, an officer picks up and
closes a safeguarding concern, an organisation admin uploads population counts."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from patientvoice.insight.models import (
    Concern,
    ModelVersion,
    SentimentAssignment,
    Source,
    Theme,
    ThemeAssignment,
)
from patientvoice.people.models import Membership
from tests.browser.conftest import assert_accessible
from tests.conftest import World, make_experience

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, username: str) -> None:
    page.goto("/staff/sign-in/")
    assert_accessible(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Sign in").click()
    assert_accessible(page)


def test_an_analyst_corrects_the_models_themes(page: Page, world: World) -> None:
    comment = make_experience(world.maternity, what_was_good="The food was cold").comments.get()
    version = ModelVersion.objects.create(
        version="px-browser",
        training_data_sha256="a" * 64,
        trained_at=timezone.now(),
        evaluation={"method": "5-fold", "patientvoice": {"micro_f1": 0.74, "per_label_f1": {}}},
    )
    wrong = Theme.objects.create(name="Parking", category="Access to treatment or medication")
    Theme.objects.create(name="Food & drink provision & facilities", category="Environment")
    ThemeAssignment.objects.create(
        comment=comment, theme=wrong, source=Source.MODEL, model_version=version, confidence=0.4
    )
    SentimentAssignment.objects.create(
        comment=comment, value=3, source=Source.MODEL, model_version=version
    )

    sign_in(page, "bob")
    page.goto(f"/staff/comments/{comment.pk}/")
    expect(page.get_by_text("Not reviewed")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Parking").uncheck()
    page.get_by_label("Food & drink provision & facilities").check()
    page.get_by_label("Negative", exact=True).check()
    page.get_by_role("button", name="Save review").click()
    expect(page.get_by_text("Your review has been saved")).to_be_visible()
    assert_accessible(page)
    current = ThemeAssignment.objects.get(comment=comment, is_current=True)
    assert (current.theme.name, current.source) == ("Food & drink provision & facilities", "person")

    page.get_by_role("link", name="Text model").click()
    expect(page.get_by_role("heading", name="px-browser (newest)")).to_be_visible()
    assert_accessible(page)


def test_an_officer_picks_up_and_closes_a_safeguarding_concern(page: Page, world: World) -> None:
    comment = make_experience(
        world.maternity, rating=5, what_was_good="A carer shouted at my dad"
    ).comments.get()
    concern = Concern.objects.create(
        comment=comment, kind="safeguarding", severity=1, evidence="shouted at"
    )

    sign_in(page, "alice")
    page.get_by_role("link", name="Concerns").click()
    assert_accessible(page)
    page.get_by_role("link", name=f"Safeguarding #{concern.pk}").click()
    assert_accessible(page)
    page.get_by_role("button", name="Pick up this concern").click()
    expect(page.get_by_text("You have picked up this concern")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Close concern").click()
    expect(page).to_have_title(f"Error: Safeguarding concern #{concern.pk} – patientvoice")
    assert_accessible(page)
    page.get_by_label("What was done?").fill("Referred to the trust's safeguarding lead")
    page.get_by_role("button", name="Close concern").click()
    expect(page.get_by_text("The concern is closed")).to_be_visible()
    assert_accessible(page)
    concern.refresh_from_db()
    assert (concern.status, concern.closed_by) == ("closed", world.alice)


def test_an_organisation_admin_uploads_population_counts(
    page: Page, world: World, tmp_path: Path
) -> None:
    world.hospital.area = world.area
    world.hospital.save()
    Membership.objects.filter(user=world.charlie).update(role="org_admin")
    counts = tmp_path / "population.csv"
    counts.write_text("dimension,category,count\nsex,female,510\nsex,male,490\n")

    sign_in(page, "charlie")
    page.get_by_role("link", name="Population").click()
    assert_accessible(page)
    page.get_by_label("Population counts (CSV)").set_input_files(str(counts))
    page.get_by_role("button", name="Upload population counts").click()
    expect(page.get_by_text("Saved 2 population counts for Eastbridge")).to_be_visible()
    assert_accessible(page)
