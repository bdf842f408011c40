"""Experiences people share, from every channel, and the comments inside them."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone

from patientvoice.defences import HoldReason
from patientvoice.directory.models import Organisation, Service
from patientvoice.people.models import EqualityMonitoring, Person, User

# Unambiguous when read out over the phone: no 0/O, 1/I/L.
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_reference() -> str:
    # 31^10 combinations: a collision is unlikely even after tens of millions of records, and
    # submit_feedback retries with a new reference if one happens.
    body = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(10))
    return f"PV-{body[:5]}-{body[5:]}"


def new_references(count: int) -> list[str]:
    """`count` references like new_reference's, drawn at once for bulk imports.

    Random bytes below 248 (8 x 31) map evenly onto the 31 letters; the rest are dropped.
    """
    letters = b""
    while len(letters) < 10 * count:
        drawn = secrets.token_bytes(11 * count + 64).translate(None, _ABOVE_EVEN)
        letters += drawn.translate(_TO_LETTER)
    text = letters.decode()
    return [f"PV-{text[i : i + 5]}-{text[i + 5 : i + 10]}" for i in range(0, 10 * count, 10)]


_ABOVE_EVEN = bytes(range(248, 256))
_TO_LETTER = bytes(ord(_REFERENCE_ALPHABET[b % 31]) for b in range(256))


class Rating(models.IntegerChoices):
    """The Friends and Family Test answers, in the standard's order and wording."""

    VERY_GOOD = 1, "Very good"
    GOOD = 2, "Good"
    NEITHER = 3, "Neither good nor poor"
    POOR = 4, "Poor"
    VERY_POOR = 5, "Very poor"
    DONT_KNOW = 6, "Don't know"


FFT_QUESTION = "Overall, how was your experience of our service?"


class ImportSource(models.Model):
    """Where imported feedback comes from (a trust's FFT export, a survey tool), with the column
    mapping the last person saved for it, so the next file from there maps itself."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="import_sources"
    )
    name = models.CharField(max_length=200)
    mapping = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unique_source_name")
        ]

    def __str__(self) -> str:
        return self.name


class Experience(models.Model):
    class Channel(models.TextChoices):
        WEB = "web", "Online form"
        PHONE = "phone", "Phone call"
        PAPER = "paper", "Paper form"
        EVENT = "event", "At an event"
        IMPORT = "import", "Imported"

    class Respondent(models.TextChoices):
        PATIENT = "patient", "The patient"
        CARER = "carer", "A carer"
        RELATIVE = "relative", "A relative or friend"
        OTHER = "other", "Someone else"

    class ConsentMethod(models.TextChoices):
        ONLINE = "online", "Ticked on the online form"
        VERBAL = "verbal", "Said so in person or by phone"
        WRITTEN = "written", "Ticked on a paper form"
        SOURCE = "source", "As collected by the survey it was imported from"

    class Status(models.TextChoices):
        COUNTED = "counted", "Counted"
        HELD_BACK = "held_back", "Held back for review"
        REJECTED = "rejected", "Rejected after review"

    reference = models.CharField(max_length=16, unique=True, default=new_reference, editable=False)
    # Only counted records are in any figure, public or staff (the summaries, the public service
    # page, the explorer). A web post that looked automated or flooded is stored held back, and
    # counts only once an officer releases it (feedback.services.release_submission).
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.COUNTED)
    held_back_reason = models.CharField(max_length=20, choices=HoldReason.choices, blank=True)
    # A keyed hash of the client address of a web post, to group one source's posts.
    source_key = models.CharField(max_length=16, blank=True)
    # The letters of the comments, normalised and hashed, for web posts: near-duplicates of a
    # recent post about the same service are held back.
    text_fingerprint = models.CharField(max_length=16, blank=True)
    reviewed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # One per form rendering: a double-click or a resubmitted page finds the record it made.
    submission_token = models.UUIDField(unique=True, null=True, blank=True, editable=False)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="experiences")
    # Copied from the service so that scoping and filtering by organisation needs no join.
    # Several indexes below serve lookups that Django would otherwise index on their own; each
    # index a million-row import must maintain costs it seconds, so none is kept twice:
    # organisation leads experience_scope_time, source leads one_record_per_source_key.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="experiences", db_index=False
    )
    rating = models.PositiveSmallIntegerField(choices=Rating.choices, null=True, blank=True)
    happened_on = models.DateField(null=True, blank=True)
    respondent = models.CharField(max_length=10, choices=Respondent.choices)
    may_publish = models.BooleanField(
        default=False, help_text="May be published anonymously after moderation"
    )
    may_contact = models.BooleanField(default=False)
    contact = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="experiences",
        db_index=False,  # a partial index below: most records have no contact
    )
    equality = models.OneToOneField(
        EqualityMonitoring, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    consent_method = models.CharField(max_length=10, choices=ConsentMethod.choices)
    captured_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="captured_experiences",
        db_index=False,  # a partial index below: most records were not captured by staff
    )
    # A default rather than auto_now_add, so imported records keep the date they were given.
    # Indexed within each organisation by experience_scope_time.
    submitted_at = models.DateTimeField(default=timezone.now)
    # The link to confirm the contact email address was sent (or found unsendable) then.
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    # For imported records: the natural key that makes re-importing a file create nothing new.
    source = models.ForeignKey(
        ImportSource,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="experiences",
        db_index=False,
    )
    external_id = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            # Insight reads an organisation's records by time, groups them by service, rating and
            # channel and joins their comments: with those and the id in the index it never
            # visits the table.
            models.Index(
                fields=["organisation", "submitted_at", "service", "rating", "channel", "id"],
                name="experience_scope_time",
            ),
            # Only the records that have one: finding a person's or a volunteer's records (to
            # erase or reassign them) stays quick, and the millions without cost nothing.
            models.Index(
                fields=["contact"],
                condition=models.Q(contact__isnull=False),
                name="experience_contact",
            ),
            models.Index(
                fields=["captured_by"],
                condition=models.Q(captured_by__isnull=False),
                name="experience_captured_by",
            ),
            # The review queue: the few records not counted, never the millions that are.
            models.Index(
                fields=["organisation", "status", "submitted_at"],
                condition=~models.Q(status="counted"),
                name="experience_not_counted",
            ),
            models.Index(
                fields=["service", "text_fingerprint", "submitted_at"],
                condition=~models.Q(text_fingerprint=""),
                name="experience_fingerprint",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=models.Q(source__isnull=False),
                name="one_record_per_source_key",
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_counted(self) -> bool:
        return self.status == self.Status.COUNTED


class Comment(models.Model):
    """One free-text answer: the unit that is moderated, classified and published."""

    class Question(models.TextChoices):
        WHAT_WAS_GOOD = "what_was_good", "What was good?"
        COULD_BE_BETTER = "could_be_better", "What could be better?"
        FFT_WHY = "fft_why", "Why did you give that answer?"

    # Indexed by comment_by_experience and one_answer_each, which both lead with it.
    experience = models.ForeignKey(
        Experience, on_delete=models.CASCADE, related_name="comments", db_index=False
    )
    question = models.CharField(max_length=20, choices=Question.choices)
    text = models.TextField()

    class Meta:
        ordering = ["experience", "id"]
        # Joining experiences to their comments reads only this index. The words of comments
        # have a full-text index on PostgreSQL, made by migration 0005 (not a model index,
        # because other databases have no such index).
        indexes = [models.Index(fields=["experience", "id"], name="comment_by_experience")]
        constraints = [
            models.UniqueConstraint(fields=["experience", "question"], name="one_answer_each")
        ]

    def __str__(self) -> str:
        return f"{self.experience.reference}: {self.get_question_display()}"


def import_file_name(batch: ImportBatch, filename: str) -> str:
    """Where an uploaded file is stored: a random name, because the name a person gave the file
    ("complaints from J Smith.csv") may itself be personal data; the batch keeps that name."""
    suffix = ".xlsx" if filename.lower().endswith(".xlsx") else ".csv"
    return timezone.now().strftime(f"imports/%Y/%m/{secrets.token_hex(16)}{suffix}")


class ImportBatch(models.Model):
    """One uploaded file and what became of it. A batch with any bad row imports nothing.

    A batch that stops without finishing (its worker killed) is found by its stale
    `heartbeat_at` and run again or failed (`imports.run.recover_stuck_imports`); `attempts`
    counts the runs, and a run only writes while the batch still holds its `run_token`.
    """

    class Status(models.TextChoices):
        MAPPING = "mapping", "Waiting for the columns to be matched"
        QUEUED = "queued", "Waiting to start"
        CHECKING = "checking", "Checking rows"
        IMPORTING = "importing", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Not imported"

    source = models.ForeignKey(ImportSource, on_delete=models.CASCADE, related_name="batches")
    file = models.FileField(upload_to=import_file_name, blank=True)
    original_name = models.CharField(max_length=255)
    columns = models.JSONField(default=list)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.MAPPING)
    total_rows = models.PositiveIntegerField(default=0)
    checked_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Runs since staff last started it; each stop and re-run adds one"
    )
    run_token = models.CharField(
        max_length=32, blank=True, help_text="The current run's: an older run finds it changed"
    )
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="When the run last showed it was alive, or was queued"
    )
    failure = models.TextField(
        blank=True, help_text="Why the import stopped, when it was not bad rows: staff may retry"
    )
    file_deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.CHECKING, self.Status.IMPORTING)


class Publication(models.Model):
    """A comment published anonymously: always a reviewed, redacted text, never the raw one.

    Only comments whose author said they may be published can have one, and withdrawing keeps
    the row with who withdrew it and when.
    """

    comment = models.OneToOneField(Comment, on_delete=models.CASCADE, related_name="publication")
    text = models.TextField(help_text="The redacted text, as checked by the person publishing")
    published_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(default=timezone.now)
    withdrawn_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return f"Publication of comment {self.comment_id}"


class ResponseSummary(models.Model):
    """How many responses (by FFT answer) and comments one service had through one channel in
    one month: what the insight page adds up instead of reading every record.

    Kept up to date in the same transaction as every write that adds or moves an experience
    (`feedback.summary`); `patientvoice rebuild_insight_summary` rebuilds it from the records.
    Counts are plain integers, not positive ones: changes are applied as increments, and a
    summary made stale by a write outside the services must not make the next write fail.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10, choices=Experience.Channel.choices)
    month = models.DateField(help_text="The month's first day, in the site's time zone")
    very_good = models.IntegerField(default=0)
    good = models.IntegerField(default=0)
    neither = models.IntegerField(default=0)
    poor = models.IntegerField(default=0)
    very_poor = models.IntegerField(default=0)
    dont_know = models.IntegerField(default=0)
    comments = models.IntegerField(default=0)

    class Meta:
        constraints = [
            # Also the index insight reads by: an organisation's months, then its services.
            models.UniqueConstraint(
                fields=["organisation", "month", "service", "channel"],
                name="one_response_summary_per_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_id} {self.channel} {self.month:%Y-%m}"
