"""A triage officer regrades a concern the text model filed too low, with and without
JavaScript: the queue shows the sentence that raised it, the change needs a reason, and the
decision appears in the concern's history."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from patientvoice.insight.models import Concern, ConcernDecision, ModelVersion
from tests.browser.conftest import assert_accessible
from tests.browser.test_staff_review_and_triage import sign_in
from tests.conftest import World, make_experience

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SENTENCE = "The carer grabs his arm so hard it leaves bruises."
OTHER = "Nobody answers his bell at night."


@pytest.mark.parametrize("javascript", [True, False])
def test_a_triage_officer_regrades_a_concern(page: Page, world: World) -> None:
    comment = make_experience(
        world.maternity, rating=2, what_was_good=f"The room was clean. {SENTENCE} {OTHER}"
    ).comments.get()
    version = ModelVersion.objects.create(
        version="px-triage", training_data_sha256="b" * 64, trained_at=timezone.now()
    )
    concern = Concern.objects.create(
        comment=comment,
        kind="safeguarding",
        severity=2,
        category="neglect",
        evidence=SENTENCE,
        findings=[
            {"sentence": SENTENCE, "category": "neglect", "score": 0.62, "words": []},
            {"sentence": OTHER, "category": "neglect", "score": 0.55, "words": ["bell"]},
        ],
        detected_by=version,
    )

    sign_in(page, "alice")
    page.get_by_role("link", name="Concerns").click()
    expect(page.get_by_role("cell", name=SENTENCE)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=f"Safeguarding #{concern.pk}").click()
    assert_accessible(page)
    page.get_by_label("Change its severity or category").check()
    page.get_by_label("High", exact=True).check()
    page.get_by_label("Category", exact=True).select_option(label="Physical abuse")
    page.get_by_role("button", name="Record decision").click()
    expect(page).to_have_title(f"Error: Safeguarding concern #{concern.pk} – patientvoice")
    assert_accessible(page)
    page.get_by_label("Change its severity or category").check()
    page.get_by_label("High", exact=True).check()
    page.get_by_label("Category", exact=True).select_option(label="Physical abuse")
    page.get_by_role("checkbox", name=OTHER).uncheck()
    page.get_by_label("Why?").fill("Grabbing hard enough to bruise is physical abuse")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("You have changed this concern's severity or category")).to_be_visible()
    expect(
        page.get_by_text("Category Neglect or acts of omission to Physical abuse")
    ).to_be_visible()
    assert_accessible(page)

    decision = ConcernDecision.objects.get()
    assert (decision.decided_by, decision.severity_after, decision.category_after) == (
        world.alice,
        1,
        "physical_abuse",
    )
    assert decision.sentences == [SENTENCE]
    concern.refresh_from_db()
    assert (concern.severity, concern.category, concern.status) == (
        1,
        "physical_abuse",
        "picked_up",
    )
