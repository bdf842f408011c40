"""An analyst imports an FFT export with two bad rows, fixes the column matching, opens the
insight page and follows a special-cause signal to the comments behind it."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from patientvoice.feedback.imports import run_import
from patientvoice.feedback.models import ImportBatch
from tests.browser.conftest import assert_accessible
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BAD_MONTH_COMMENT = "Waited four hours for pain relief and nobody came"


def month_start(months_back: int) -> datetime.date:
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - months_back
    return datetime.date(index // 12, index % 12 + 1, 1)


def export(path: Path) -> Path:
    """Eleven steady months at 90% positive, then a month at 20%; two rows name no ward."""
    lines = ["Response ID,Date,Ward,Rating,Comment"]
    for back in range(11, 0, -1):
        day = month_start(back).isoformat()
        for n in range(10):
            rating, comment = (1, "Kind staff") if n < 9 else (4, "Long wait")
            lines.append(f"R{back}-{n},{day},Maternity unit,{rating},{comment}")
    for n in range(10):
        rating, comment = (1, "Kind staff") if n < 2 else (5, BAD_MONTH_COMMENT)
        ward = "" if n in (0, 1) else "Maternity unit"
        lines.append(f"R0-{n},{month_start(0).isoformat()},{ward},{rating},{comment}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_the_worker() -> None:
    """What the background worker does with a queued import (the browser tests queue tasks
    without running them)."""
    for batch in ImportBatch.objects.filter(status=ImportBatch.Status.QUEUED):
        run_import(batch.pk)


def test_an_analyst_imports_fixes_the_mapping_and_follows_a_signal_to_its_comments(
    page: Page, world: World, tmp_path: Path
) -> None:
    page.goto("/staff/sign-in/")
    assert_accessible(page)
    page.get_by_label("Username").fill("bob")
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Sign in").click()
    assert_accessible(page)

    page.get_by_role("link", name="Import").click()
    assert_accessible(page)
    page.get_by_label("Where does this file come from?").fill("Maternity FFT export")
    page.get_by_label("File (CSV or XLSX)").set_input_files(str(export(tmp_path / "fft.csv")))
    page.get_by_role("button", name="Upload and match columns").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Match the columns")
    assert_accessible(page)

    page.get_by_label("FFT rating").select_option("Rating")
    page.get_by_label("Comment: why did you give that answer?").select_option("Comment")
    page.get_by_label("Date of response").select_option("Date")
    page.get_by_label("Service or site").select_option("Ward")
    page.get_by_label("Respondent or comment id").select_option("Response ID")
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_text("The import runs in the background")).to_be_visible()
    assert_accessible(page)
    run_the_worker()
    page.get_by_role("link", name="Check progress again").click()
    expect(page.get_by_text("Nothing from this file was imported")).to_be_visible()
    expect(page.get_by_text("line 112: has no service")).to_be_visible()
    expect(page.get_by_text("line 113: has no service")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Change the column matching and try again").click()
    assert_accessible(page)
    page.get_by_label("Service for rows that name none").select_option("maternity")
    page.get_by_role("button", name="Check and import").click()
    assert_accessible(page)
    run_the_worker()
    page.reload()
    created = page.locator(".nhsuk-summary-list__row", has_text="Records created")
    expect(created.locator("dd")).to_have_text("120")
    assert_accessible(page)

    page.get_by_role("link", name="Insight").click()
    assert_accessible(page)
    page.get_by_label("Organisation").select_option(str(world.hospital.pk))
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="Emerging concerns")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Maternity unit").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Insight: Maternity unit")
    assert_accessible(page)

    page.get_by_role("link", name="Concern").first.click()
    expect(page.get_by_text(BAD_MONTH_COMMENT).first).to_be_visible()
    expect(page.get_by_text("Kind staff")).to_have_count(2)
    assert_accessible(page)
