"""Groups at work: who is a member and in what role, join requests, meetings, papers, minutes
with decisions, and the action log carried from meeting to meeting.

Memberships live here rather than in `directory` (docs/decisions/0007): a member is a
`people.Person`, so a privacy request that finds, exports or erases a person finds their group
memberships too, and `directory` sits left of `people` in the design map.
"""

from __future__ import annotations

import datetime
import secrets
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from patientvoice.defences import HoldReason
from patientvoice.directory.models import Group
from patientvoice.people.models import Person, User


class GroupRole(models.TextChoices):
    CHAIR = "chair", "Chair"
    VICE_CHAIR = "vice_chair", "Vice-chair"
    SECRETARY = "secretary", "Secretary"
    MEMBER = "member", "Member"
    # The host organisation's member of staff who supports the group.
    STAFF_LEAD = "staff_lead", "Staff lead"


class Sharing(models.Model):
    """What a member agreed to show the group's organisers, beyond their name. Their details
    stay on the Person; organisers see only what is ticked here."""

    share_email = models.BooleanField("Email address", default=False)
    share_phone = models.BooleanField("Phone number", default=False)
    share_address = models.BooleanField("Postal address", default=False)

    class Meta:
        abstract = True

    def shared_details(self, person: Person) -> dict[str, str]:
        """The contact details an organiser may see, by label; empty ones left out."""
        shown = {
            "Email": person.email if self.share_email else "",
            "Phone": person.phone if self.share_phone else "",
            "Address": person.postal_address if self.share_address else "",
        }
        return {label: value for label, value in shown.items() if value}


class GroupMember(Sharing):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="group_memberships")
    role = models.CharField(max_length=20, choices=GroupRole.choices, default=GroupRole.MEMBER)
    joined_on = models.DateField(default=timezone.localdate)

    class Meta:
        ordering = ["person__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["group", "person"], name="one_membership_per_group")
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.get_role_display()} of {self.group}"


class JoinRequest(Sharing):
    """Someone asking to join a group from its public page; the chair or staff lead decides."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a decision"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="join_requests")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="join_requests")
    about_me = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reply = models.TextField(blank=True, help_text="What the person is told")
    # Set when the reply was emailed, or when an organiser says they phoned or posted it.
    told_at = models.DateTimeField(null=True, blank=True)
    submission_token = models.UUIDField(unique=True, null=True, blank=True, editable=False)
    held_back_reason = models.CharField(max_length=20, choices=HoldReason.choices, blank=True)

    class Meta:
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"{self.person} asks to join {self.group}"

    @property
    def told_by_email(self) -> bool:
        return self.person.preferred_contact == Person.ContactMethod.EMAIL and bool(
            self.person.email
        )


class Meeting(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField()
    place = models.CharField(max_length=300, blank=True)
    online_link = models.URLField(blank=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["group", "starts_at"], name="meeting_group_time")]

    def __str__(self) -> str:
        return f"{self.group} meeting, {timezone.localtime(self.starts_at):%-d %B %Y}"

    @property
    def local_start(self) -> datetime.datetime:
        """When it starts, in the deployment's time zone (Europe/London), for pages."""
        return timezone.localtime(self.starts_at)

    def clean(self) -> None:
        if not (self.place or self.online_link):
            raise ValidationError("Say where the meeting is, or give its online link")


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.title


def paper_file_name(paper: Paper, filename: str) -> str:
    """A random stored name: the name a person gave the file may itself say too much; the
    paper keeps it for downloads."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return timezone.now().strftime(f"papers/%Y/%m/{secrets.token_hex(16)}{suffix}")


class Paper(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="papers")
    title = models.CharField(max_length=300)
    file = models.FileField(upload_to=paper_file_name)
    original_name = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.title


class MinutesChangedAfterPublication(Exception):
    """Published minutes never change: a correction is a new version."""


class Minutes(models.Model):
    """A record of one meeting. Drafted, approved at a later meeting, then published; once
    published no field changes (`save` refuses) and the public page reads `record`, a frozen
    copy of the decisions and the action log as they stood."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"
        PUBLISHED = "published", "Published"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="minutes")
    version = models.PositiveSmallIntegerField(default=1)
    corrects = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="correction"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    attendance = models.TextField(blank=True, help_text="Who was there, and apologies")
    discussion = models.TextField(blank=True)
    drafted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at_meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="approved_minutes"
    )
    approved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    record = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["meeting__starts_at", "version"]
        verbose_name_plural = "minutes"
        constraints = [
            models.UniqueConstraint(fields=["meeting", "version"], name="one_minutes_version")
        ]

    def __str__(self) -> str:
        return f"Minutes of {self.meeting} (version {self.version})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk and Minutes.objects.filter(pk=self.pk, status=self.Status.PUBLISHED).exists():
            raise MinutesChangedAfterPublication(str(self))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if Minutes.objects.filter(pk=self.pk, status=self.Status.PUBLISHED).exists():
            raise MinutesChangedAfterPublication(str(self))
        return super().delete(*args, **kwargs)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class Decision(models.Model):
    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text[:60]

    def save(self, *args: Any, **kwargs: Any) -> None:
        _refuse_if_published(self.minutes_id)
        super().save(*args, **kwargs)


class Action(models.Model):
    """One line of the group's action log, raised in a meeting's minutes and carried forward
    to each later meeting until it is done or dropped. Its status lives on after the minutes
    that raised it are published; those minutes keep the status it had then (`record`)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        DROPPED = "dropped", "No longer needed"

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="actions")
    raised_in = models.ForeignKey(Minutes, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField()
    owner = models.CharField(max_length=200, help_text="Who will do it")
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["group", "status"], name="action_group_status")]

    def __str__(self) -> str:
        return self.description[:60]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is None:  # a new action belongs to minutes still being drafted
            _refuse_if_published(self.raised_in_id)
        super().save(*args, **kwargs)


def _refuse_if_published(minutes_id: int | None) -> None:
    if minutes_id is None:
        return
    if Minutes.objects.filter(pk=minutes_id, status=Minutes.Status.PUBLISHED).exists():
        raise MinutesChangedAfterPublication(f"minutes {minutes_id}")


class Committee(models.Model):
    """A committee outside the product on which a group holds lay seats: an ICB locality
    board, a council's health scrutiny committee, a trust's patient experience committee."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="committees")
    name = models.CharField(max_length=200)
    body = models.CharField(max_length=200, help_text="The organisation the committee belongs to")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.body}"


class CommitteeSeat(models.Model):
    """A lay seat: who holds it, for what term, appointed by whom. No holder: vacant."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="seats")
    holder = models.ForeignKey(
        GroupMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="seats"
    )
    term_start = models.DateField()
    term_end = models.DateField(null=True, blank=True)
    appointing_body = models.CharField(max_length=200)

    class Meta:
        ordering = ["committee__name", "term_start"]

    def __str__(self) -> str:
        return f"Lay seat on {self.committee}"

    def clean(self) -> None:
        if self.term_end and self.term_end < self.term_start:
            raise ValidationError("The term must end after it starts")


class ReportBack(models.Model):
    """What the seat holder tells the group after a committee meeting."""

    seat = models.ForeignKey(CommitteeSeat, on_delete=models.CASCADE, related_name="reports")
    meeting_on = models.DateField(help_text="When the committee met")
    discussed = models.TextField()
    said_for_patients = models.TextField()
    decided = models.TextField(blank=True)
    written_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    written_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-meeting_on", "-pk"]

    def __str__(self) -> str:
        return f"Report back from {self.seat.committee} on {self.meeting_on}"


class GroupMessage(models.Model):
    """A message from a group's organisers to its members: emailed to those who prefer email,
    and a printable list of the others to post or phone."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="messages")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    sent_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return self.subject


class MessageDelivery(models.Model):
    """One member emailed one message: written before the email goes, so a task run twice
    emails nobody twice."""

    message = models.ForeignKey(GroupMessage, on_delete=models.CASCADE, related_name="deliveries")
    member = models.ForeignKey(GroupMember, on_delete=models.CASCADE, related_name="+")
    emailed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "member"], name="one_delivery_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.message} to member {self.member_id}"
