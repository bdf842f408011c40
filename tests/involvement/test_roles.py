"""The chair or staff lead changes members' roles and removes members; a group keeps a chair."""

from __future__ import annotations

from django.urls import reverse

from patientvoice.involvement.models import GroupMember
from patientvoice.people.models import AuditEvent
from tests.conftest import World
from tests.involvement.people import client_as, make_groups


def test_the_chair_makes_a_member_secretary_and_it_is_audited(world: World) -> None:
    groups = make_groups(world)
    gina = GroupMember.objects.get(person__user=groups.gina)

    response = client_as(world, groups, "fay").post(
        reverse("staff:group_member", args=[gina.pk]), {"role": "secretary"}
    )

    assert response.status_code == 302
    gina.refresh_from_db()
    assert gina.role == "secretary"
    event = AuditEvent.objects.get(action="group_role_changed")
    assert event.detail == {"from": "member", "to": "secretary"}
    # As secretary she now sees the member list: permissions follow the role.
    page = client_as(world, groups, "gina").get(
        reverse("staff:group_members", args=[world.ppg.slug])
    )
    assert page.status_code == 200


def test_the_only_chair_cannot_be_demoted_or_removed(world: World) -> None:
    groups = make_groups(world)
    fay = GroupMember.objects.get(person__user=groups.fay)
    dana = client_as(world, groups, "dana")

    demote = dana.post(reverse("staff:group_member", args=[fay.pk]), {"role": "member"})
    dana.post(reverse("staff:group_member_remove", args=[fay.pk]))

    assert "A group keeps a chair" in demote.content.decode()
    fay.refresh_from_db()
    assert fay.role == "chair"


def test_the_staff_lead_removes_a_member(world: World) -> None:
    groups = make_groups(world)
    gina = GroupMember.objects.get(person__user=groups.gina)

    client_as(world, groups, "dana").post(reverse("staff:group_member_remove", args=[gina.pk]))

    assert not GroupMember.objects.filter(pk=gina.pk).exists()
    assert (
        client_as(world, groups, "gina")
        .get(reverse("staff:group_home", args=[world.ppg.slug]))
        .status_code
        == 404
    )
