from io import StringIO

import pytest
from django.core.management import call_command

from patientvoice.directory.models import Group, Organisation
from patientvoice.feedback.models import Comment, Experience
from patientvoice.people.models import Membership


def counts() -> tuple[int, ...]:
    return (
        Organisation.objects.count(),
        Group.objects.count(),
        Experience.objects.count(),
        Comment.objects.count(),
        Membership.objects.count(),
    )


@pytest.mark.django_db
def test_the_demo_world_loads_once_and_a_second_run_changes_nothing() -> None:
    call_command("demo", stdout=StringIO())
    first = counts()
    call_command("demo", stdout=StringIO())

    assert counts() == first
    kinds = set(Group.objects.values_list("kind", flat=True))
    assert {"ppg", "patient_forum", "mnvp", "people_council", "committee", "voluntary"} <= kinds
    assert Group.objects.filter(kind="mnvp").count() == 3
    assert Experience.objects.count() >= 300
    assert Comment.objects.filter(text__gt="").count() >= 300
