"""Who sees which feedback, as a grid of persona × organisation, anonymous included.

Alice (officer), Bob (analyst) and Charlie (organisation admin) work at Northdale Hospitals;
Dana is an officer at Oak Lane Surgery; Erin has an account but no role.
"""

import pytest

from patientvoice.people.models import EqualityMonitoring, Person
from tests.conftest import World, client_for, make_experience

SEES_HOSPITAL = {"alice", "bob", "charlie"}
SEES_PRACTICE = {"dana"}
PERSONAS = ["anonymous", "alice", "bob", "charlie", "dana", "erin"]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("organisation", ["hospital", "practice"])
def test_a_record_is_visible_only_to_staff_of_its_organisation(
    world: World, persona: str, organisation: str
) -> None:
    service = world.maternity if organisation == "hospital" else world.appointments
    experience = make_experience(service)
    allowed = SEES_HOSPITAL if organisation == "hospital" else SEES_PRACTICE

    detail = client_for(world, persona).get(f"/staff/feedback/{experience.reference}/")
    listing = client_for(world, persona).get("/staff/feedback/")

    if persona == "anonymous":
        assert detail.status_code == 302 and "/staff/sign-in/" in detail["Location"]
        assert listing.status_code == 302
    elif persona == "erin":
        assert detail.status_code == 403
        assert listing.status_code == 403
    elif persona in allowed:
        assert detail.status_code == 200
        assert experience.reference in listing.content.decode()
    else:
        assert detail.status_code == 404  # not 403: a reference reveals nothing
        assert experience.reference not in listing.content.decode()


@pytest.mark.parametrize(
    ("persona", "sees_contact", "sees_equality"),
    [("alice", True, False), ("bob", False, True), ("charlie", True, False)],
)
def test_contact_details_and_equality_answers_go_only_to_the_roles_that_need_them(
    world: World, persona: str, sees_contact: bool, sees_equality: bool
) -> None:
    experience = make_experience(world.maternity, may_contact=True)
    experience.contact = Person.objects.create(
        full_name="Sam Jones", email="sam@example.org", preferred_contact="email"
    )
    experience.equality = EqualityMonitoring.objects.create(ethnicity="N", age_band="35-44")
    experience.save()

    page = client_for(world, persona).get(f"/staff/feedback/{experience.reference}/")
    html = page.content.decode()

    assert page.status_code == 200
    assert ("sam@example.org" in html) is sees_contact
    assert ("Black or Black British – African" in html) is sees_equality
    assert "The midwives were kind" in html


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("alice", 200),
        ("bob", 404),
        ("charlie", 200),
        ("dana", 404),
        ("erin", 403),
    ],
)
def test_only_officers_and_admins_of_the_organisation_can_enter_feedback_for_its_services(
    world: World, persona: str, status: int
) -> None:
    response = client_for(world, persona).get("/staff/feedback/new/maternity/")

    assert response.status_code == status
