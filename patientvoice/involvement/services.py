"""Changing a group's members, meetings and minutes. Views call one of these per request.

Each change that affects a person or the group's record is written to the audit log in the same
transaction (`people.audit.record_audit`).
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from functools import partial

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from patientvoice.directory.models import Group
from patientvoice.involvement.models import (
    Action,
    AgendaItem,
    Committee,
    CommitteeSeat,
    Decision,
    GroupMember,
    GroupMessage,
    GroupRole,
    JoinRequest,
    Meeting,
    Minutes,
    Paper,
    ReportBack,
)
from patientvoice.people.audit import record_audit
from patientvoice.people.models import User
from patientvoice.people.services import InterestInput, register_interest
from patientvoice.queueing import enqueue_on_commit

# Audit actions, verb-first as in people.audit.
JOIN_REQUEST_DECIDED = "join_request_decided"
JOIN_REPLY_SENT_BY_HAND = "join_reply_sent_by_hand"
MINUTES_APPROVED = "minutes_approved"
MINUTES_PUBLISHED = "minutes_published"
MINUTES_CORRECTED = "minutes_corrected"
MEMBER_ROLE_CHANGED = "group_role_changed"
MEMBER_REMOVED = "group_member_removed"


# --- Joining ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class JoinInput:
    full_name: str
    preferred_contact: str
    email: str
    phone: str
    postal_address: str
    share_email: bool
    share_phone: bool
    share_address: bool
    about_me: str
    submission_token: uuid.UUID
    held_back_reason: str = ""


def request_to_join(group: Group, data: JoinInput) -> JoinRequest:
    """Record a request to join `group` from its public page. The person is stored through
    the same service as a "Get involved" sign-up (with their consent to pass their details to
    the group); a repeated submission token returns the request the first one made."""
    existing = JoinRequest.objects.filter(submission_token=data.submission_token).first()
    if existing:
        return existing
    person = register_interest(
        InterestInput(
            full_name=data.full_name,
            preferred_contact=data.preferred_contact,
            email=data.email,
            phone=data.phone,
            postal_address=data.postal_address,
            interests=[],
            group_slugs=[group.slug],
            access_needs="",
            submission_token=data.submission_token,
            held_back_reason=data.held_back_reason,
        )
    )
    try:
        with transaction.atomic():
            return JoinRequest.objects.create(
                group=group,
                person=person,
                about_me=data.about_me,
                share_email=data.share_email,
                share_phone=data.share_phone,
                share_address=data.share_address,
                submission_token=data.submission_token,
                held_back_reason=data.held_back_reason,
            )
    except IntegrityError:  # a double submit raced past the check above
        return JoinRequest.objects.get(submission_token=data.submission_token)


def pending_join_requests(group: Group) -> QuerySet[JoinRequest]:
    """Requests waiting for the chair or staff lead. Those the defences held back (a bot's
    flood) are left out: staff release or reject them with the other held-back sign-ups."""
    return JoinRequest.objects.filter(
        group=group, status=JoinRequest.Status.PENDING, held_back_reason=""
    ).select_related("person")


def untold_decisions(group: Group) -> QuerySet[JoinRequest]:
    """Decisions the person has not been told yet: replies to send by phone or post."""
    return (
        JoinRequest.objects.filter(group=group, told_at__isnull=True)
        .exclude(status=JoinRequest.Status.PENDING)
        .select_related("person")
    )


@transaction.atomic
def decide_join_request(
    join_request: JoinRequest, user: User, *, accept: bool, reply: str
) -> JoinRequest:
    if join_request.status != JoinRequest.Status.PENDING:
        raise ValidationError("This request has been decided already")
    join_request.status = JoinRequest.Status.ACCEPTED if accept else JoinRequest.Status.DECLINED
    join_request.decided_at = timezone.now()
    join_request.decided_by = user
    join_request.reply = reply
    join_request.save(update_fields=["status", "decided_at", "decided_by", "reply"])
    if accept:
        GroupMember.objects.get_or_create(
            group_id=join_request.group_id,
            person_id=join_request.person_id,
            defaults={
                "role": GroupRole.MEMBER,
                "share_email": join_request.share_email,
                "share_phone": join_request.share_phone,
                "share_address": join_request.share_address,
            },
        )
    group = Group.objects.only("host_id").get(pk=join_request.group_id)
    record_audit(
        user,
        JOIN_REQUEST_DECIDED,
        organisation=group.host_id,
        subject=join_request,
        detail={"status": join_request.status},
    )
    if join_request.told_by_email:
        from patientvoice.involvement.tasks import tell_join_decision

        enqueue_on_commit(partial(tell_join_decision.enqueue, join_request.pk))
    return join_request


@transaction.atomic
def mark_told(join_request: JoinRequest, user: User) -> None:
    """An organiser phoned or wrote to the person with the decision."""
    if join_request.status == JoinRequest.Status.PENDING:
        raise ValidationError("Decide the request before telling the person")
    updated = JoinRequest.objects.filter(pk=join_request.pk, told_at__isnull=True).update(
        told_at=timezone.now()
    )
    if updated:
        group = Group.objects.only("host_id").get(pk=join_request.group_id)
        record_audit(
            user, JOIN_REPLY_SENT_BY_HAND, organisation=group.host_id, subject=join_request
        )


# --- Meetings and papers -----------------------------------------------------------------------


@transaction.atomic
def schedule_meeting(
    group: Group,
    user: User,
    *,
    starts_at: datetime.datetime,
    place: str,
    online_link: str,
    agenda: list[str],
) -> Meeting:
    meeting = Meeting(
        group=group, starts_at=starts_at, place=place, online_link=online_link, created_by=user
    )
    meeting.full_clean()
    meeting.save()
    AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, position=n, title=title)
        for n, title in enumerate((t for t in agenda if t.strip()), start=1)
    )
    return meeting


def add_paper(meeting: Meeting, user: User, *, title: str, upload: UploadedFile) -> Paper:
    """Store a paper through Django's storage API (MEDIA_ROOT, or S3-compatible storage)."""
    paper = Paper(
        meeting=meeting,
        title=title,
        original_name=(upload.name or "paper")[:255],
        uploaded_by=user,
    )
    paper.file.save(upload.name or "paper", upload, save=False)
    try:
        paper.save()
    except Exception:
        paper.file.delete(save=False)  # no stored file without its record
        raise
    return paper


def upcoming_meetings(group: Group, limit: int = 3) -> list[Meeting]:
    return list(Meeting.objects.filter(group=group, starts_at__gte=timezone.now())[:limit])


# --- Minutes and the action log ----------------------------------------------------------------


def current_minutes(meeting: Meeting) -> Minutes | None:
    """The latest version of the meeting's minutes, in whatever state."""
    return meeting.minutes.order_by("-version").first()


@transaction.atomic
def start_minutes(meeting: Meeting, user: User) -> Minutes:
    found = current_minutes(meeting)
    if found is not None:
        return found
    return Minutes.objects.create(meeting=meeting, drafted_by=user)


def _check_draft(minutes: Minutes) -> None:
    if not minutes.is_draft:
        raise ValidationError(
            "These minutes are no longer a draft: they cannot change"
            + (" (publish a correction instead)" if minutes.status == "published" else "")
        )


def save_minutes_text(minutes: Minutes, user: User, *, attendance: str, discussion: str) -> None:
    _check_draft(minutes)
    minutes.attendance = attendance
    minutes.discussion = discussion
    minutes.drafted_by = user
    minutes.save(update_fields=["attendance", "discussion", "drafted_by"])


def add_decision(minutes: Minutes, text: str) -> Decision:
    _check_draft(minutes)
    return Decision.objects.create(minutes=minutes, text=text)


def add_action(
    minutes: Minutes, *, description: str, owner: str, due_on: datetime.date | None
) -> Action:
    _check_draft(minutes)
    return Action.objects.create(
        group_id=minutes.meeting.group_id,
        raised_in=minutes,
        description=description,
        owner=owner,
        due_on=due_on,
    )


def carried_forward(meeting: Meeting) -> QuerySet[Action]:
    """Actions raised at earlier meetings that were still open when this one began: they stay
    on each meeting's action log until they are done or dropped."""
    return (
        Action.objects.filter(
            group_id=meeting.group_id, raised_in__meeting__starts_at__lt=meeting.starts_at
        )
        .filter(Q(status=Action.Status.OPEN) | Q(closed_at__gte=meeting.starts_at))
        .exclude(raised_in__meeting=meeting)
        .select_related("raised_in__meeting")
    )


def update_action(action: Action, status: str) -> Action:
    action.status = status
    action.closed_at = None if status == Action.Status.OPEN else timezone.now()
    action.save(update_fields=["status", "closed_at"])
    return action


def later_meetings(minutes: Minutes) -> QuerySet[Meeting]:
    """Meetings at which these minutes may be approved: the group's later meetings that have
    begun."""
    meeting = minutes.meeting
    return Meeting.objects.filter(
        group_id=meeting.group_id, starts_at__gt=meeting.starts_at, starts_at__lte=timezone.now()
    ).order_by("starts_at")


@transaction.atomic
def approve_minutes(minutes: Minutes, user: User, at_meeting: Meeting) -> Minutes:
    _check_draft(minutes)
    if not later_meetings(minutes).filter(pk=at_meeting.pk).exists():
        raise ValidationError(
            "Minutes are approved at a later meeting of the group, once it has begun"
        )
    minutes.status = Minutes.Status.APPROVED
    minutes.approved_at_meeting = at_meeting
    minutes.approved_by = user
    minutes.save(update_fields=["status", "approved_at_meeting", "approved_by"])
    record_audit(user, MINUTES_APPROVED, organisation=_host_id(minutes), subject=minutes)
    return minutes


def _action_record(action: Action) -> dict[str, str]:
    return {
        "description": action.description,
        "owner": action.owner,
        "due_on": action.due_on.isoformat() if action.due_on else "",
        "status": action.get_status_display(),
    }


@transaction.atomic
def publish_minutes(minutes: Minutes, user: User) -> Minutes:
    """Publish approved minutes, freezing what the public page shows: the text, the decisions
    and the action log as it stands now. From here on the minutes never change."""
    minutes = Minutes.objects.select_for_update().select_related("meeting").get(pk=minutes.pk)
    if minutes.status != Minutes.Status.APPROVED:
        raise ValidationError("Minutes are approved at a later meeting before they are published")
    approved_at = minutes.approved_at_meeting
    minutes.record = {
        "attendance": minutes.attendance,
        "discussion": minutes.discussion,
        "decisions": [d.text for d in minutes.decisions.all()],
        "actions": [_action_record(a) for a in minutes.actions.all()],
        "carried_forward": [_action_record(a) for a in carried_forward(minutes.meeting)],
        "approved_on": approved_at.starts_at.date().isoformat() if approved_at else "",
    }
    minutes.status = Minutes.Status.PUBLISHED
    minutes.published_at = timezone.now()
    minutes.published_by = user
    minutes.save(update_fields=["record", "status", "published_at", "published_by"])
    record_audit(user, MINUTES_PUBLISHED, organisation=_host_id(minutes), subject=minutes)
    return minutes


@transaction.atomic
def correct_minutes(minutes: Minutes, user: User) -> Minutes:
    """Start a correction of published minutes: a new draft version with the same text and
    decisions, to be approved and published in its turn. The published version stays as it is."""
    if minutes.status != Minutes.Status.PUBLISHED:
        raise ValidationError("Only published minutes are corrected; edit the draft instead")
    if Minutes.objects.filter(corrects=minutes).exists():
        raise ValidationError("A correction of these minutes has been started already")
    correction = Minutes.objects.create(
        meeting=minutes.meeting,
        version=minutes.version + 1,
        corrects=minutes,
        attendance=minutes.attendance,
        discussion=minutes.discussion,
        drafted_by=user,
    )
    Decision.objects.bulk_create(
        Decision(minutes=correction, text=d.text) for d in minutes.decisions.all()
    )
    record_audit(user, MINUTES_CORRECTED, organisation=_host_id(minutes), subject=correction)
    return correction


def published_minutes(group: Group) -> QuerySet[Minutes]:
    """The group's published minutes, newest meeting first, each meeting's latest published
    version only."""
    return (
        Minutes.objects.filter(meeting__group=group, status=Minutes.Status.PUBLISHED)
        .exclude(correction__status=Minutes.Status.PUBLISHED)
        .select_related("meeting")
        .order_by("-meeting__starts_at")
    )


def _host_id(minutes: Minutes) -> int:
    return Group.objects.values_list("host_id", flat=True).get(pk=minutes.meeting.group_id)


# --- Committee seats -----------------------------------------------------------------------------


@transaction.atomic
def add_seat(
    group: Group,
    *,
    committee: str,
    body: str,
    holder: GroupMember | None,
    term_start: datetime.date,
    term_end: datetime.date | None,
    appointing_body: str,
) -> CommitteeSeat:
    if holder is not None and holder.group_id != group.pk:
        raise ValidationError("The seat holder must be a member of the group")
    found, _ = Committee.objects.get_or_create(group=group, name=committee, body=body)
    seat = CommitteeSeat(
        committee=found,
        holder=holder,
        term_start=term_start,
        term_end=term_end,
        appointing_body=appointing_body,
    )
    seat.full_clean()
    seat.save()
    return seat


def report_back(
    seat: CommitteeSeat,
    user: User,
    *,
    meeting_on: datetime.date,
    discussed: str,
    said_for_patients: str,
    decided: str,
) -> ReportBack:
    return ReportBack.objects.create(
        seat=seat,
        meeting_on=meeting_on,
        discussed=discussed,
        said_for_patients=said_for_patients,
        decided=decided,
        written_by=user,
    )


def group_seats(group: Group) -> QuerySet[CommitteeSeat]:
    return CommitteeSeat.objects.filter(committee__group=group).select_related(
        "committee", "holder__person"
    )


def recent_reports(group: Group, limit: int = 10) -> list[ReportBack]:
    return list(
        ReportBack.objects.filter(seat__committee__group=group).select_related("seat__committee")[
            :limit
        ]
    )


# --- Messages to members -------------------------------------------------------------------------


def current_members(group: Group) -> QuerySet[GroupMember]:
    return GroupMember.objects.filter(group=group, person__erased_at__isnull=True).select_related(
        "person"
    )


def emailed_members(group: Group) -> QuerySet[GroupMember]:
    """Members who asked to hear by email and gave an address."""
    return (
        current_members(group).filter(person__preferred_contact="email").exclude(person__email="")
    )


def members_to_reach_by_hand(group: Group) -> QuerySet[GroupMember]:
    """The rest: members to post the message to or phone."""
    return current_members(group).exclude(pk__in=emailed_members(group).values("pk"))


@transaction.atomic
def send_group_message(group: Group, user: User, *, subject: str, body: str) -> GroupMessage:
    from patientvoice.involvement.tasks import email_group_message

    message = GroupMessage.objects.create(group=group, subject=subject, body=body, sent_by=user)
    enqueue_on_commit(partial(email_group_message.enqueue, message.pk))
    return message


# --- Roles ---------------------------------------------------------------------------------------


def _check_keeps_a_chair(member: GroupMember) -> None:
    if member.role != GroupRole.CHAIR:
        return
    others = GroupMember.objects.filter(group_id=member.group_id, role=GroupRole.CHAIR)
    if not others.exclude(pk=member.pk).exists():
        raise ValidationError("A group keeps a chair: appoint another chair first")


@transaction.atomic
def change_role(member: GroupMember, user: User, role: str) -> GroupMember:
    if role == member.role:
        return member
    _check_keeps_a_chair(member)
    before, member.role = member.role, role
    member.save(update_fields=["role"])
    record_audit(
        user,
        MEMBER_ROLE_CHANGED,
        organisation=member.group.host_id,
        subject=member,
        detail={"from": before, "to": role},
    )
    return member


@transaction.atomic
def remove_member(member: GroupMember, user: User) -> None:
    _check_keeps_a_chair(member)
    record_audit(
        user,
        MEMBER_REMOVED,
        organisation=member.group.host_id,
        subject=member,
        detail={"role": member.role},
    )
    member.delete()
