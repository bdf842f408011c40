from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from patientvoice.feedback.generate import generate_feedback
from patientvoice.feedback.models import Comment, Experience


@pytest.fixture(autouse=True)
def development(settings: Any) -> None:
    """The demo world loads with DEBUG on, as on a developer's machine (pytest-django turns
    DEBUG off)."""
    settings.DEBUG = True


def generate(rows: int) -> str:
    out = StringIO()
    call_command("generate-feedback", "--rows", str(rows), "--no-classify", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_writes_the_rows_once_and_tops_up_to_a_larger_count() -> None:
    call_command("demo", stdout=StringIO())
    before = Experience.objects.count()

    assert "Added 300" in generate(300)
    assert "Added 0" in generate(300)
    assert "Added 200" in generate(500)
    assert Experience.objects.count() == before + 500


@pytest.mark.django_db
def test_services_differ_in_size_and_ratings_are_mostly_good() -> None:
    call_command("demo", stdout=StringIO())
    generate(2000)
    generated = Experience.objects.filter(external_id__startswith="gen-")

    sizes = sorted(generated.values("service").annotate(n=Count("pk")).values_list("n", flat=True))
    good = generated.filter(rating__in=[1, 2]).count() / generated.count()
    assert sizes[-1] > 3 * sizes[0]
    assert 0.6 < good < 0.95
    assert generated.filter(comments__isnull=False).distinct().count() > 1200


@pytest.mark.django_db
def test_it_needs_services_first() -> None:
    with pytest.raises(CommandError, match="load the demo world first"):
        generate(10)


@pytest.mark.django_db
def test_a_caller_is_handed_every_new_comment_to_store_more_about() -> None:
    call_command("demo", stdout=StringIO())
    handed: list[int] = []

    generate_feedback(300, classify=False, on_comments=lambda cs: handed.extend(c.pk for c in cs))

    generated = Comment.objects.filter(experience__external_id__startswith="gen-")
    assert sorted(handed) == sorted(generated.values_list("pk", flat=True))
    assert len(handed) > 200
