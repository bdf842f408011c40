from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from patientvoice.influence.models import Report, Response


@pytest.mark.django_db
def test_the_demo_has_issued_reports_with_responses_and_a_second_run_adds_none(
    settings: Any,
) -> None:
    settings.DEBUG = True
    call_command("demo", stdout=StringIO())
    first = (Report.objects.count(), Response.objects.count())
    call_command("demo", stdout=StringIO())

    assert (Report.objects.count(), Response.objects.count()) == first == (2, 3)
    assert all(report.is_issued for report in Report.objects.all())
    published = Report.objects.get(published_at__isnull=False)
    assert published.signed_off_by is not None
    assert published.signed_off_by != published.author
