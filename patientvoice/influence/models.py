"""Reports to providers and commissioners: findings with their evidence, recommendations
addressed to named organisations, and those organisations' responses.

An issued report never changes (docs/decisions/0009-report-lifecycle.md): `save` and `delete`
of a report and of everything in it refuse once the report is issued, so no view, task or shell
session can edit one by mistake. Figures are computed live while the report is a draft and
frozen into the evidence when it is issued. A correction is a new report, the next version,
linked to the one it replaces and saying what changed.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models
from django.utils import timezone

from patientvoice.directory.models import Area, Organisation, Service
from patientvoice.feedback.models import Publication
from patientvoice.insight.models import Theme
from patientvoice.people.models import User


class ReportIssued(Exception):
    """Raised on any attempt to change an issued report or anything in it."""


# What may still change on an issued report: whether and when it is published.
PUBLICATION_FIELDS = frozenset({"published_at", "published_by"})


def is_issued(report_id: int | None) -> bool:
    """Whether the stored report is issued: read from the database, not from an instance that
    may be stale."""
    if report_id is None:
        return False
    return Report.objects.filter(pk=report_id, issued_at__isnull=False).exists()


class Report(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SIGNED_OFF = "signed_off", "Signed off, not yet issued"
        ISSUED = "issued", "Issued"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="reports", help_text="Who reports"
    )
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    # The scope: chosen services, else every service of the organisations in an area, else the
    # reporting organisation's own services.
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    services = models.ManyToManyField(Service, blank=True, related_name="reports")
    # Whole calendar months, as the insight summaries count: each the month's first day.
    period_start = models.DateField()
    period_end = models.DateField()
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    signed_off_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(null=True, blank=True)
    # Responses are due this day: 20 working days after issue in England (influence.deadlines).
    responses_due = models.DateField(null=True, blank=True)
    published_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveSmallIntegerField(default=1)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="correction"
    )
    correction_note = models.TextField(blank=True, help_text="What changed from the last version")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="report_by_org")]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})" if self.version > 1 else self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and is_issued(self.pk):
            fields = kwargs.get("update_fields")
            if fields is None or not set(fields) <= PUBLICATION_FIELDS:
                raise ReportIssued("An issued report cannot be changed: issue a correction")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if is_issued(self.pk):
            raise ReportIssued("An issued report cannot be deleted")
        return super().delete(*args, **kwargs)

    @property
    def status(self) -> str:
        if self.issued_at:
            return self.Status.ISSUED
        if self.signed_off_at:
            return self.Status.SIGNED_OFF
        return self.Status.DRAFT

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)

    @property
    def is_issued(self) -> bool:
        return self.issued_at is not None

    @property
    def issued_on(self) -> datetime.date | None:
        return timezone.localdate(self.issued_at) if self.issued_at else None

    @property
    def reference(self) -> str:
        return f"R{self.pk}-v{self.version}"


class ReportPart(models.Model):
    """Anything inside a report: refuses to change once the report is issued."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if is_issued(self._report_id()):
            raise ReportIssued("An issued report cannot be changed: issue a correction")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if is_issued(self._report_id()):
            raise ReportIssued("An issued report cannot be changed: issue a correction")
        return super().delete(*args, **kwargs)

    def _report_id(self) -> int | None:
        raise NotImplementedError


def _refuse_scope_change(instance: Report, action: str, **_: Any) -> None:
    # Report.services changes through the many-to-many manager, which does not call save().
    if action in {"pre_add", "pre_remove", "pre_clear"} and is_issued(instance.pk):
        raise ReportIssued("An issued report's scope cannot be changed")


models.signals.m2m_changed.connect(
    _refuse_scope_change, sender=Report.services.through, dispatch_uid="report-scope-frozen"
)


class Finding(ReportPart):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="findings")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    text = models.TextField()

    class Meta:
        ordering = ["report", "position", "id"]

    def __str__(self) -> str:
        return self.title

    def _report_id(self) -> int | None:
        return self.report_id


class Evidence(ReportPart):
    """One piece of a finding's evidence: a figure, a published quote or a note."""

    class Kind(models.TextChoices):
        FIGURE = "figure", "A figure from insight"
        QUOTE = "quote", "A published comment"
        NOTE = "note", "A note from an event or visit"

    class Measure(models.TextChoices):
        VOLUME = "volume", "How many responses and comments"
        POSITIVE = "positive", "% positive, with its interval and monthly chart"
        THEME = "theme", "A theme's share of comments and its trend"

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="evidence")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # A figure: what is measured, over the report's scope or one service in it.
    measure = models.CharField(max_length=10, choices=Measure.choices, blank=True)
    theme = models.ForeignKey(Theme, null=True, blank=True, on_delete=models.PROTECT)
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.PROTECT)
    # Set when the report is issued: the figure as it was then (influence.figures), drawn from
    # this ever after.
    frozen = models.JSONField(null=True, blank=True)
    # A quote: only ever a published (reviewed, redacted) comment; its text is copied at issue.
    publication = models.ForeignKey(
        Publication, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    quote_text = models.TextField(blank=True)
    # A note: what was seen or heard, and where ("Enter and view visit, Ward 4, 3 March").
    note = models.TextField(blank=True)
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["finding", "position", "id"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="figure", publication__isnull=True) & ~models.Q(measure="")
                    | models.Q(kind="quote", publication__isnull=False)
                    | models.Q(kind="note", publication__isnull=True) & ~models.Q(note="")
                ),
                name="evidence_matches_its_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for finding {self.finding_id}"

    def _report_id(self) -> int | None:
        return (
            Finding.objects.filter(pk=self.finding_id).values_list("report_id", flat=True).first()
        )


class Recommendation(ReportPart):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="recommendations")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField()
    addressed_to = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="recommendations_received"
    )

    class Meta:
        ordering = ["report", "position", "id"]
        indexes = [models.Index(fields=["addressed_to", "report"], name="recommendation_to")]

    def __str__(self) -> str:
        return f"Recommendation {self.position} of {self.report_id}"

    def _report_id(self) -> int | None:
        return self.report_id


class EscalationContact(ReportPart):
    """Who is told when a response is overdue: the ICB quality team, Healthwatch England, CQC."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True, help_text="Leave empty to record a letter or call")

    class Meta:
        ordering = ["report", "id"]

    def __str__(self) -> str:
        return self.name

    def _report_id(self) -> int | None:
        return self.report_id


class Response(models.Model):
    """An addressed organisation's answer to one recommendation. Given once and kept."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        PARTLY = "partly", "Partly accepted"
        NOT_ACCEPTED = "not_accepted", "Not accepted"

    class Received(models.TextChoices):
        ONLINE = "online", "Entered by the organisation's responder"
        LETTER = "letter", "Received by letter, entered by the reporting organisation"
        EMAIL = "email", "Received by email, entered by the reporting organisation"

    recommendation = models.OneToOneField(
        Recommendation, on_delete=models.PROTECT, related_name="response"
    )
    decision = models.CharField(max_length=15, choices=Decision.choices)
    reasons = models.TextField()
    planned_actions = models.TextField(blank=True)
    received = models.CharField(max_length=10, choices=Received.choices)
    received_on = models.DateField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.get_decision_display()} ({self.recommendation})"

    @property
    def on_time(self) -> bool:
        due: datetime.date | None = self.recommendation.report.responses_due
        return due is None or self.received_on <= due


class Notice(models.Model):
    """That an addressed organisation was told of a report (when it was issued) or reminded
    that its responses are due. One of each kind per report and organisation: the unique
    constraint is what makes the tasks that send them safe to run twice."""

    class Kind(models.TextChoices):
        ISSUED = "issued", "Told the report was issued"
        REMINDER = "reminder", "Reminded responses are due"

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="notices")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveSmallIntegerField(
        default=0, help_text="Responders emailed; 0 means the reporting organisation writes"
    )

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "organisation", "kind"], name="one_notice_of_each_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.organisation_id} about {self.report_id}"


class Escalation(models.Model):
    """That an overdue response was escalated to one of the report's contacts. One per report,
    organisation and contact, for the same reason as Notice."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="escalations")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", help_text="Whose is overdue"
    )
    contact = models.ForeignKey(EscalationContact, on_delete=models.PROTECT, related_name="+")
    recipient = models.CharField(max_length=200, help_text="The contact's name when escalated")
    escalated_at = models.DateTimeField(default=timezone.now)
    reference = models.CharField(max_length=40, unique=True)
    emailed = models.BooleanField(default=False)

    class Meta:
        ordering = ["escalated_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "organisation", "contact"], name="one_escalation_each"
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def escalated_on(self) -> datetime.date:
        return timezone.localdate(self.escalated_at)
