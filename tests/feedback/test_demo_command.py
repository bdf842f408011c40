from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from patientvoice.directory.models import Group, Organisation
from patientvoice.feedback.demo import DEMO_PASSWORD, STAFF
from patientvoice.feedback.models import Comment, Experience
from patientvoice.people.models import Membership, User


def counts() -> tuple[int, ...]:
    return (
        Organisation.objects.count(),
        Group.objects.count(),
        Experience.objects.count(),
        Comment.objects.count(),
        Membership.objects.count(),
    )


@pytest.mark.django_db
def test_the_demo_world_loads_once_and_a_second_run_changes_nothing(settings: Any) -> None:
    settings.DEBUG = True  # development: pytest-django turns DEBUG off
    call_command("demo", stdout=StringIO())
    first = counts()
    call_command("demo", stdout=StringIO())

    assert counts() == first
    kinds = set(Group.objects.values_list("kind", flat=True))
    assert {"ppg", "patient_forum", "mnvp", "people_council", "committee", "voluntary"} <= kinds
    assert Group.objects.filter(kind="mnvp").count() == 3
    assert Experience.objects.count() >= 300
    assert Comment.objects.filter(text__gt="").count() >= 300


@pytest.mark.django_db
def test_with_debug_off_it_refuses_unless_told_explicitly(settings: Any) -> None:
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--allow-production"):
        call_command("demo", stdout=StringIO())

    assert Organisation.objects.count() == 0


@pytest.mark.django_db
def test_with_debug_off_the_demo_staff_get_no_password(settings: Any) -> None:
    settings.DEBUG = False
    out = StringIO()

    call_command("demo", "--allow-production", stdout=out)

    staff = User.objects.filter(username__startswith="demo-")
    assert staff.count() == len(STAFF)
    assert not any(user.has_usable_password() for user in staff)
    assert DEMO_PASSWORD not in out.getvalue()
    assert "patientvoice changepassword" in out.getvalue()


@pytest.mark.django_db
def test_in_production_an_account_left_with_the_published_password_loses_it(
    settings: Any,
) -> None:
    settings.DEBUG = True
    call_command("demo", stdout=StringIO())  # development, with the published password
    assert User.objects.get(username="demo-officer").check_password(DEMO_PASSWORD)
    settings.DEBUG = False
    changed = User.objects.get(username="demo-admin")
    changed.set_password("their own long password")
    changed.save()

    call_command("demo", "--allow-production", stdout=StringIO())

    assert not User.objects.get(username="demo-officer").has_usable_password()
    assert User.objects.get(username="demo-admin").check_password("their own long password")


@pytest.mark.django_db
def test_in_development_the_demo_staff_use_the_published_password(settings: Any) -> None:
    settings.DEBUG = True
    out = StringIO()

    call_command("demo", stdout=out)

    assert User.objects.get(username="demo-analyst").check_password(DEMO_PASSWORD)
    assert f"use the password {DEMO_PASSWORD}" in out.getvalue()
