"""Load a group's records and authorise in one step (one helper per object type).

Someone with no role in the group gets a 404 whatever the record, so an address reveals
nothing; a member whose role lacks the permission gets a 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from patientvoice.directory.models import Group
from patientvoice.involvement import rules
from patientvoice.involvement.models import (
    Action,
    CommitteeSeat,
    GroupMember,
    GroupMessage,
    JoinRequest,
    Meeting,
    Minutes,
    Paper,
)
from patientvoice.people.models import User


@dataclass(frozen=True)
class Seat:
    """A user's place in one group: the group and the role they hold there."""

    group: Group
    role: str

    def can(self, permission: str) -> bool:
        return rules.allows(self.role, permission)


def memberships_of(user: User | AnonymousUser) -> QuerySet[GroupMember]:
    if not user.is_authenticated:
        return GroupMember.objects.none()
    return GroupMember.objects.filter(person__user=user, person__erased_at__isnull=True)


def _seat(user: User, group_id: int, permission: str) -> Seat:
    member = memberships_of(user).filter(group_id=group_id).select_related("group__host").first()
    if member is None or not member.group.is_published:
        raise Http404
    seat = Seat(member.group, member.role)
    if not seat.can(permission):
        raise PermissionDenied
    return seat


def access_group(user: User, slug: str, permission: str) -> Seat:
    group_id = Group.objects.filter(slug=slug).values_list("pk", flat=True).first()
    if group_id is None:
        raise Http404
    return _seat(user, group_id, permission)


def access_meeting(user: User, meeting_id: int, permission: str) -> tuple[Meeting, Seat]:
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404
    return meeting, _seat(user, meeting.group_id, permission)


def access_paper(user: User, paper_id: int, permission: str) -> tuple[Paper, Seat]:
    paper = Paper.objects.select_related("meeting").filter(pk=paper_id).first()
    if paper is None:
        raise Http404
    return paper, _seat(user, paper.meeting.group_id, permission)


def access_minutes(user: User, minutes_id: int, permission: str) -> tuple[Minutes, Seat]:
    minutes = Minutes.objects.select_related("meeting").filter(pk=minutes_id).first()
    if minutes is None:
        raise Http404
    return minutes, _seat(user, minutes.meeting.group_id, permission)


def access_action(user: User, action_id: int, permission: str) -> tuple[Action, Seat]:
    action = Action.objects.filter(pk=action_id).first()
    if action is None:
        raise Http404
    return action, _seat(user, action.group_id, permission)


def access_join_request(user: User, request_id: int, permission: str) -> tuple[JoinRequest, Seat]:
    join_request = JoinRequest.objects.select_related("person").filter(pk=request_id).first()
    if join_request is None:
        raise Http404
    return join_request, _seat(user, join_request.group_id, permission)


def access_seat(user: User, seat_id: int) -> tuple[CommitteeSeat, Seat]:
    """A committee seat, for its holder or the group's organisers (403 for other members)."""
    seat = (
        CommitteeSeat.objects.select_related("committee", "holder__person")
        .filter(pk=seat_id)
        .first()
    )
    if seat is None:
        raise Http404
    place = _seat(user, seat.committee.group_id, rules.VIEW_GROUP)
    holder = seat.holder.person.user_id if seat.holder else None
    if holder != user.pk and not place.can(rules.MANAGE_SEATS):
        raise PermissionDenied
    return seat, place


def access_message(user: User, message_id: int, permission: str) -> tuple[GroupMessage, Seat]:
    message = GroupMessage.objects.filter(pk=message_id).first()
    if message is None:
        raise Http404
    return message, _seat(user, message.group_id, permission)


def access_member(user: User, member_id: int, permission: str) -> tuple[GroupMember, Seat]:
    member = GroupMember.objects.select_related("person", "group").filter(pk=member_id).first()
    if member is None:
        raise Http404
    return member, _seat(user, member.group_id, permission)
