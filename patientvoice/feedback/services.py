"""Changing feedback: every write goes through a verb-named function here."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from patientvoice.directory.models import Service
from patientvoice.feedback.models import Comment, Experience, Publication
from patientvoice.feedback.summary import count_new_experiences
from patientvoice.people.models import ConsentRecord, EqualityMonitoring, Person, User

FEEDBACK_CONSENT_VERSION = "2026-11"


@dataclass(frozen=True)
class ExperienceInput:
    """What someone told us, already validated by a form or an import."""

    service: Service
    rating: int | None
    respondent: str
    channel: str
    consent_method: str
    what_was_good: str = ""
    could_be_better: str = ""
    happened_on: datetime.date | None = None
    may_publish: bool = False
    may_contact: bool = False
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    equality: dict[str, str] = field(default_factory=dict)
    submission_token: uuid.UUID | None = None
    captured_by: User | None = None


def submit_feedback(data: ExperienceInput) -> tuple[Experience, bool]:
    """Store an experience and its comments; returns (experience, created).

    The record is committed before this returns, so the person's "thank you" is only ever shown
    for something durable. A repeated submission token (double-click, back-and-resubmit) returns
    the first record instead of creating a second one.
    """
    if data.submission_token:
        existing = Experience.objects.filter(submission_token=data.submission_token).first()
        if existing:
            return existing, False
    for _attempt in range(3):
        try:
            with transaction.atomic():
                experience, comment_ids = _create_experience(data)
                transaction.on_commit(partial(_enqueue_follow_up, experience.pk, comment_ids))
        except IntegrityError:
            # Either two identical requests raced past the check above and the other one won,
            # or the random reference collided with an existing one: then try a new reference.
            if data.submission_token:
                winner = Experience.objects.filter(submission_token=data.submission_token).first()
                if winner:
                    return winner, False
            continue
        return experience, True
    raise RuntimeError("Could not store the experience after three attempts")


def _create_experience(data: ExperienceInput) -> tuple[Experience, list[int]]:
    equality = None
    if any(data.equality.values()):
        equality = EqualityMonitoring.objects.create(**data.equality)
    contact = _record_contact(data) if data.may_contact else None
    experience = Experience.objects.create(
        submission_token=data.submission_token,
        service=data.service,
        organisation_id=data.service.organisation_id,
        rating=data.rating,
        happened_on=data.happened_on,
        respondent=data.respondent,
        may_publish=data.may_publish,
        may_contact=data.may_contact,
        contact=contact,
        equality=equality,
        channel=data.channel,
        consent_method=data.consent_method,
        captured_by=data.captured_by,
    )
    answers = [
        (Comment.Question.WHAT_WAS_GOOD, data.what_was_good),
        (Comment.Question.COULD_BE_BETTER, data.could_be_better),
    ]
    comments = Comment.objects.bulk_create(
        Comment(experience=experience, question=question, text=text.strip())
        for question, text in answers
        if text.strip()
    )
    count_new_experiences([experience], comments)
    return experience, [c.pk for c in comments]


def _record_contact(data: ExperienceInput) -> Person:
    person = Person.objects.create(
        full_name=data.contact_name,
        email=data.contact_email,
        phone=data.contact_phone,
        preferred_contact=(
            Person.ContactMethod.EMAIL if data.contact_email else Person.ContactMethod.PHONE
        ),
    )
    ConsentRecord.objects.create(
        person=person,
        purpose=ConsentRecord.Purpose.FEEDBACK_CONTACT,
        version=FEEDBACK_CONSENT_VERSION,
        method=data.consent_method,
        given_at=timezone.now(),
        recorded_by=data.captured_by,
    )
    return person


def enqueue_comment_tasks(comment_ids: list[int]) -> None:
    """Hand new comments to the apps that read them (settings.FEEDBACK_COMMENT_TASKS).

    Apps to the right of feedback in the design map (insight) add their task there, so that
    feedback need not import them; see docs/decisions/0001-comment-follow-up-tasks.md.
    """
    if not comment_ids:
        return
    for path in settings.FEEDBACK_COMMENT_TASKS:
        import_string(path).enqueue(comment_ids)


def _enqueue_follow_up(experience_id: int, comment_ids: list[int]) -> None:
    from patientvoice.feedback.tasks import acknowledge_experience

    acknowledge_experience.enqueue(experience_id)
    enqueue_comment_tasks(comment_ids)


def publish_comment(comment: Comment, text: str, user: User) -> Publication:
    """Publish a redacted text of a comment whose author agreed to publication."""
    if not comment.experience.may_publish:
        raise ValidationError("The person did not agree to this comment being published")
    if not text.strip():
        raise ValidationError("Enter the text to publish")
    publication, _ = Publication.objects.update_or_create(
        comment=comment,
        defaults={
            "text": text.strip(),
            "published_by": user,
            "published_at": timezone.now(),
            "withdrawn_by": None,
            "withdrawn_at": None,
        },
    )
    return publication


def withdraw_publication(publication: Publication, user: User) -> None:
    publication.withdrawn_by, publication.withdrawn_at = user, timezone.now()
    publication.save(update_fields=["withdrawn_by", "withdrawn_at"])
