"""Who may do what in a group: permissions as data, granted by the role a person holds in the
group (never by a staff role at the host organisation: staff support a group as its staff lead).

A member of one group has no permission in another; an account with no role in a group sees
nothing of it.
"""

from __future__ import annotations

from patientvoice.involvement.models import GroupRole

VIEW_GROUP = "view_group"  # meetings, papers, minutes, the action log
VIEW_MEMBERS = "view_members"  # the member list, with only the details each member shares
DECIDE_JOIN_REQUESTS = "decide_join_requests"
MANAGE_MEMBERS = "manage_members"  # change a member's role, or remove them from the group
SCHEDULE_MEETINGS = "schedule_meetings"  # meetings, agenda items, papers
RECORD_MINUTES = "record_minutes"  # draft minutes, decisions, actions; update an action
APPROVE_MINUTES = "approve_minutes"
PUBLISH_MINUTES = "publish_minutes"
# Committee seats: add a committee and its lay seat, and report back for any seat holder; a
# seat's holder reports back on their own seat whatever their role (access.may_report_back).
MANAGE_SEATS = "manage_seats"
# Write to every member: by email to those who prefer it, a printable list for the rest.
MESSAGE_MEMBERS = "message_members"

_ORGANISING = frozenset(
    {VIEW_GROUP, VIEW_MEMBERS, SCHEDULE_MEETINGS, RECORD_MINUTES, MANAGE_SEATS, MESSAGE_MEMBERS}
)

# Join requests reach the chair and the staff lead; the minutes are the group's own record, so
# approving and publishing them is for its chair and secretary.
PERMISSIONS: dict[str, frozenset[str]] = {
    GroupRole.CHAIR: _ORGANISING
    | {DECIDE_JOIN_REQUESTS, MANAGE_MEMBERS, APPROVE_MINUTES, PUBLISH_MINUTES},
    GroupRole.VICE_CHAIR: _ORGANISING,
    GroupRole.SECRETARY: _ORGANISING | {APPROVE_MINUTES, PUBLISH_MINUTES},
    GroupRole.STAFF_LEAD: _ORGANISING | {DECIDE_JOIN_REQUESTS, MANAGE_MEMBERS},
    GroupRole.MEMBER: frozenset({VIEW_GROUP}),
}


def allows(role: str | None, permission: str) -> bool:
    return role is not None and permission in PERMISSIONS[role]
