"""What models and people said about each comment, with provenance.

Nothing here is overwritten: a model's suggestion stays stored when a person corrects it, and a
new model version adds its own rows beside the old. `is_current` marks the answer the product
shows and counts; `source` says whether a model or a person gave it.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from patientvoice.directory.models import Area, Organisation, Service
from patientvoice.feedback.models import Comment
from patientvoice.people.models import User


class ModelVersion(models.Model):
    version = models.CharField(max_length=80, unique=True)
    training_data_sha256 = models.CharField(max_length=64)
    trained_at = models.DateTimeField()
    labels = models.JSONField(default=list)
    evaluation = models.JSONField(default=dict, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-trained_at"]

    def __str__(self) -> str:
        return self.version


class Theme(models.Model):
    """A sub-category of the theme framework, named exactly as the training data's column."""

    name = models.CharField(max_length=120, unique=True)
    category = models.CharField(max_length=120, help_text="The v7 framework category")

    class Meta:
        ordering = ["category", "name"]

    def __str__(self) -> str:
        return self.name


class Source(models.TextChoices):
    MODEL = "model", "Suggested by the text model"
    PERSON = "person", "Chosen by a person"


class Provenance(models.Model):
    source = models.CharField(max_length=10, choices=Source.choices)
    model_version = models.ForeignKey(
        ModelVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confidence = models.FloatField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    is_current = models.BooleanField(default=True)
    reviewed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_reviewed(self) -> bool:
        return self.source == Source.PERSON or self.reviewed_at is not None


class ThemeAssignment(Provenance):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="themes")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="assignments")

    class Meta:
        indexes = [
            models.Index(fields=["theme", "is_current"]),
            # What insight joins: a comment's current themes, without visiting the table.
            models.Index(
                fields=["comment", "theme"],
                condition=models.Q(is_current=True),
                name="current_themes_by_comment",
            ),
        ]
        constraints = [
            # A re-run of the same model version never duplicates its suggestions.
            models.UniqueConstraint(
                fields=["comment", "theme", "model_version"],
                condition=models.Q(source="model"),
                name="one_model_theme_per_version",
            )
        ]

    def __str__(self) -> str:
        return f"{self.comment_id}: {self.theme} ({self.source})"


class SentimentAssignment(Provenance):
    class Sentiment(models.IntegerChoices):
        VERY_POSITIVE = 1, "Very positive"
        POSITIVE = 2, "Positive"
        NEUTRAL = 3, "Neutral or mixed"
        NEGATIVE = 4, "Negative"
        VERY_NEGATIVE = 5, "Very negative"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="sentiments")
    value = models.PositiveSmallIntegerField(choices=Sentiment.choices)

    class Meta:
        indexes = [
            models.Index(
                fields=["comment", "value"],
                condition=models.Q(is_current=True),
                name="current_sentiment_by_comment",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "model_version"],
                condition=models.Q(source="model"),
                name="one_model_sentiment_per_version",
            )
        ]

    def __str__(self) -> str:
        return f"{self.comment_id}: {self.value} ({self.source})"


class ThemeSummary(models.Model):
    """How many comments of one service, channel and month carry a theme, and how many of those
    have each current sentiment (the rest have none): what the insight page adds up instead of
    joining every current theme to its comment, record and sentiment.

    Kept up to date in the transaction that classifies, reviews or reclassifies a comment
    (`insight.summary`); `patientvoice rebuild_insight_summary` rebuilds it from the
    assignments. Counts are plain integers because changes are applied as increments.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10)
    month = models.DateField(help_text="The month's first day, in the site's time zone")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="+")
    comments = models.IntegerField(default=0)
    very_positive = models.IntegerField(default=0)
    positive = models.IntegerField(default=0)
    neutral = models.IntegerField(default=0)
    negative = models.IntegerField(default=0)
    very_negative = models.IntegerField(default=0)

    class Meta:
        constraints = [
            # Also the index insight reads by: an organisation's months, then the rest.
            models.UniqueConstraint(
                fields=["organisation", "month", "service", "channel", "theme"],
                name="one_theme_summary_per_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_id} {self.channel} {self.month:%Y-%m} {self.theme_id}"


class Classification(models.Model):
    """That a model version has read a comment, and what it found beyond themes and sentiment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="classifications")
    model_version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="+")
    personal_data = models.JSONField(default=list, blank=True)
    proposed_redaction = models.TextField(blank=True)
    classified_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "model_version"], name="one_classification_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.comment_id} by {self.model_version_id}"


class Concern(models.Model):
    """A safeguarding or complaint signal that a person must look at.

    Concerns are never deleted and a later model that no longer flags the comment leaves them in
    place: only a person closes one, saying what was done.
    """

    class Kind(models.TextChoices):
        SAFEGUARDING = "safeguarding", "Safeguarding"
        COMPLAINT = "complaint", "Complaint"

    class Status(models.TextChoices):
        NEW = "new", "New"
        PICKED_UP = "picked_up", "Picked up"
        CLOSED = "closed", "Closed"

    comment = models.ForeignKey(Comment, on_delete=models.PROTECT, related_name="concerns")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    severity = models.PositiveSmallIntegerField(help_text="1 is most severe")
    # The kind of concern, e.g. "financial_abuse" or "self_harm" (the safeguarding detector's
    # categories); blank for concerns raised before categories existed.
    category = models.CharField(max_length=40, blank=True)
    evidence = models.TextField(blank=True)
    # Every sentence that raised this concern: [{"sentence", "category", "score", "words"}],
    # most severe first. `evidence` is the first of them.
    findings = models.JSONField(default=list, blank=True)
    detected_by = models.ForeignKey(
        ModelVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    raised_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    picked_up_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    picked_up_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    action_taken = models.TextField(blank=True)

    class Meta:
        ordering = ["severity", "-created_at"]
        indexes = [models.Index(fields=["status", "severity", "-created_at"])]
        constraints = [
            models.UniqueConstraint(fields=["comment", "kind"], name="one_concern_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} concern on comment {self.comment_id}"


class DecisionQuerySet(models.QuerySet["ConcernDecision"]):
    """Decisions are a record of what people said: bulk changes are refused as well."""

    def update(self, **kwargs: Any) -> int:
        raise TypeError("Concern decisions are never changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("Concern decisions are never deleted")


class ConcernDecision(models.Model):
    """What a person decided about a concern: it is one, it is not (dismissed), or it is one of
    another severity or category (regraded); who, when and why, and which sentences it is about.

    Never edited or deleted, so the history on the concern's page and the labelled sentences
    exported for training (`insight.triage`) say what each person decided at the time. A later
    decision on the same sentences supersedes an earlier one in the export.
    """

    class Decision(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed as a concern"
        DISMISSED = "dismissed", "Dismissed: not a concern"
        REGRADED = "regraded", "Severity or category changed"

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="decisions")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    decided_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    severity_before = models.PositiveSmallIntegerField()
    severity_after = models.PositiveSmallIntegerField()
    category_before = models.CharField(max_length=40, blank=True)
    category_after = models.CharField(max_length=40, blank=True)
    # Required to dismiss or regrade (checked by `triage.decide_concern`); may hold personal
    # data, so it is never copied into the audit log or logs.
    reason = models.TextField(blank=True)
    # The sentences of the comment the decision is about, as shown to the person (the
    # concern's findings, or its evidence): what the export labels.
    sentences = models.JSONField(default=list, blank=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["decided_at", "pk"]
        indexes = [models.Index(fields=["concern", "decided_at"])]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} on concern {self.concern_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("Concern decisions are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("Concern decisions are never deleted")


class ReclassificationRun(models.Model):
    model_version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="runs")
    requested_by = models.CharField(max_length=150, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Reclassify with {self.model_version} ({self.done}/{self.total})"

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.done / self.total)


class PopulationCount(models.Model):
    """How many people of one group live in an area, to compare respondents against.

    Uploaded by an organisation admin per area (census or GP-registered counts); the groups
    match the equality monitoring answers: age band, sex, ethnic group and deprivation quintile.
    """

    class Dimension(models.TextChoices):
        AGE_BAND = "age_band", "Age band"
        SEX = "sex", "Sex"
        ETHNIC_GROUP = "ethnic_group", "Ethnic group"
        DEPRIVATION = "deprivation_quintile", "Deprivation (IMD) quintile"

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="population_counts")
    dimension = models.CharField(max_length=20, choices=Dimension.choices)
    category = models.CharField(max_length=40)
    count = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["area", "dimension", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "dimension", "category"], name="one_count_per_group"
            )
        ]

    def __str__(self) -> str:
        return f"{self.area}: {self.dimension} {self.category} = {self.count}"


class PopulationReference(models.Model):
    """Who keeps an area's population counts (`PopulationCount`), and who last uploaded them.

    Organisations in an area share its reference read-only: only the owner replaces it, so an
    organisation's representativeness figures cannot change because another one uploaded a
    file. The first organisation to upload counts for an area owns them; a reference whose owner
    has gone (or counts from before references were owned) is taken by the next upload.
    """

    area = models.OneToOneField(Area, on_delete=models.CASCADE, related_name="population_reference")
    owner = models.ForeignKey(
        Organisation,
        null=True,
        on_delete=models.SET_NULL,
        related_name="population_references",
    )
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField()
    file_name = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["area__name"]

    def __str__(self) -> str:
        return f"Population of {self.area} kept by {self.owner or 'nobody'}"
