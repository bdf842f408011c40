"""Changing feedback: every write goes through a verb-named function here."""

from __future__ import annotations

import datetime
import hashlib
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from patientvoice.defences import HoldReason
from patientvoice.directory.models import Service
from patientvoice.feedback.models import Comment, Experience, Publication
from patientvoice.feedback.summary import count_new_experiences, responses_changing
from patientvoice.people import audit
from patientvoice.people.models import ConsentRecord, EqualityMonitoring, Person, User
from patientvoice.queueing import enqueue_on_commit

if TYPE_CHECKING:
    from django.http import HttpRequest

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
    # From the public form's defences (patientvoice.defences.screen_post): why to hold it back,
    # and a pseudonymous key of where it came from.
    held_back_reason: str = ""
    source_key: str = ""
    # Public web posts only: hold back nearly the same words about the same service.
    check_duplicates: bool = False


def submit_feedback(data: ExperienceInput) -> tuple[Experience, bool]:
    """Store an experience and its comments; returns (experience, created).

    The record is committed before this returns, so the person's "thank you" is only ever shown
    for something durable. A repeated submission token (double-click, back-and-resubmit) returns
    the first record instead of creating a second one. A submission the defences flagged, or
    nearly repeating a recent one, is stored held back: in no figure until an officer releases it.
    """
    for _attempt in range(3):
        try:
            with transaction.atomic():
                experience, comments = _create_experience(data)
                # One commit for the records and their tasks (patientvoice/queueing.py).
                follow_up = partial(
                    _enqueue_follow_up,
                    experience.pk,
                    [c.pk for c in comments],
                    experience.contact_id,
                )
                enqueue_on_commit(follow_up)
                # Last before the commit: the summary row is shared by every post about the
                # service this month, and its lock is held from here to the commit, so
                # concurrent posts wait on each other for as short a time as can be.
                if experience.is_counted:
                    count_new_experiences([experience], comments)
        except IntegrityError:
            # The token is unique: a repeat (a double-click, or back and send again, even at the
            # same moment) finds the first record here, with nothing of its own kept. Looking
            # first would cost every submission a query for the rare repeat. Otherwise the
            # random reference collided with an existing one: then try a new reference.
            if data.submission_token:
                winner = Experience.objects.filter(submission_token=data.submission_token).first()
                if winner:
                    return winner, False
            continue
        return experience, True
    raise RuntimeError("Could not store the experience after three attempts")


MIN_FINGERPRINT_LETTERS = 25  # "Very good" and "Great staff" are said by many people


def text_fingerprint(*texts: str) -> str:
    """The letters of a submission's words, case-folded and hashed: the same for texts that
    differ only in spacing, punctuation, digits or case. Empty for short texts."""
    letters = "".join(ch for ch in " ".join(texts).casefold() if ch.isalpha())
    if len(letters) < MIN_FINGERPRINT_LETTERS:
        return ""
    return hashlib.sha256(letters.encode()).hexdigest()[:16]


def _is_near_duplicate(service: Service, fingerprint: str) -> bool:
    hours = settings.PATIENTVOICE_DUPLICATE_HOURS
    if not fingerprint or not hours:
        return False
    since = timezone.now() - datetime.timedelta(hours=hours)
    return Experience.objects.filter(
        service=service, text_fingerprint=fingerprint, submitted_at__gte=since
    ).exists()


def _create_experience(data: ExperienceInput) -> tuple[Experience, list[Comment]]:
    reason, fingerprint = data.held_back_reason, ""
    if data.check_duplicates:
        fingerprint = text_fingerprint(data.what_was_good, data.could_be_better)
        if not reason and _is_near_duplicate(data.service, fingerprint):
            reason = HoldReason.DUPLICATE
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
        status=Experience.Status.HELD_BACK if reason else Experience.Status.COUNTED,
        held_back_reason=reason,
        source_key=data.source_key,
        text_fingerprint=fingerprint,
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
    return experience, comments


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


def _enqueue_follow_up(experience_id: int, comment_ids: list[int], contact_id: int | None) -> None:
    # Comments are read (for safeguarding signals too) whether or not the record is held back;
    # the task emailing the person decides for itself whether to send anything. Without
    # contact details there is nobody to write to, and no task.
    from patientvoice.feedback.tasks import confirm_contact_email

    if contact_id is not None:
        confirm_contact_email.enqueue(experience_id)
    enqueue_comment_tasks(comment_ids)


@contextmanager
def counting_changing(experience_ids: list[int]) -> Iterator[None]:
    """Keep every summary right while these experiences start or stop counting.

    The response summary is ours; the apps to the right of feedback that keep their own
    (insight's theme summary) list theirs in settings.FEEDBACK_COUNTING_HOOKS, as ADR 0001 does
    for new comments: each is a context manager factory taking the experience ids.
    """
    with transaction.atomic(), ExitStack() as stack:
        stack.enter_context(responses_changing(experience_ids))
        for path in settings.FEEDBACK_COUNTING_HOOKS:
            stack.enter_context(import_string(path)(experience_ids))
        yield


def hold_back_source(service: Service, source_key: str, since: datetime.datetime) -> int:
    """Hold back the counted web posts that one source (a client address's key) sent to the
    service's organisation since a moment: the start of a burst found automated only now.
    Returns how many were held back. Reads the organisation's recent records by its time index.
    """
    with transaction.atomic():
        ids = list(
            Experience.objects.select_for_update()
            .filter(
                organisation_id=service.organisation_id,
                submitted_at__gte=since,
                source_key=source_key,
                channel=Experience.Channel.WEB,
                status=Experience.Status.COUNTED,
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if ids:
            with counting_changing(ids):
                Experience.objects.filter(pk__in=ids).update(
                    status=Experience.Status.HELD_BACK, held_back_reason=HoldReason.BUSY_CLIENT
                )
    return len(ids)


def release_submission(
    experience: Experience, user: User, request: HttpRequest | None = None
) -> None:
    """An officer found a held-back submission genuine: from now on it counts everywhere."""
    _review(experience, user, Experience.Status.COUNTED, audit.SUBMISSION_RELEASED, request)
    transaction.on_commit(partial(_enqueue_contact_confirmation, experience.pk))


def reject_submission(
    experience: Experience, user: User, request: HttpRequest | None = None
) -> None:
    """An officer found a held-back submission not genuine: it stays stored, never counted.

    Any concern raised from its words stays in the concerns queue until someone closes it."""
    _review(experience, user, Experience.Status.REJECTED, audit.SUBMISSION_REJECTED, request)


def _review(
    experience: Experience,
    user: User,
    status: str,
    action: str,
    request: HttpRequest | None,
) -> None:
    with transaction.atomic():
        locked = Experience.objects.select_for_update().get(pk=experience.pk)
        if locked.status != Experience.Status.HELD_BACK:
            raise ValidationError("Someone has already reviewed this submission")
        with counting_changing([locked.pk]):
            locked.status, locked.reviewed_by, locked.reviewed_at = status, user, timezone.now()
            locked.save(update_fields=["status", "reviewed_by", "reviewed_at"])
        audit.record_audit(
            user,
            action,
            organisation=locked.organisation_id,
            subject=locked,
            detail={"reason": locked.held_back_reason},
            request=request,
        )
    experience.status, experience.reviewed_by = locked.status, user
    experience.reviewed_at = locked.reviewed_at


def _enqueue_contact_confirmation(experience_id: int) -> None:
    from patientvoice.feedback.tasks import confirm_contact_email

    confirm_contact_email.enqueue(experience_id)


def publish_comment(comment: Comment, text: str, user: User) -> Publication:
    """Publish a redacted text of a comment whose author agreed to publication."""
    if not comment.experience.may_publish:
        raise ValidationError("The person did not agree to this comment being published")
    if comment.experience.status != Experience.Status.COUNTED:
        # Held back or rejected: it may be a bot's text, and it is in no figure yet.
        raise ValidationError("Release this submission from held-back review before publishing it")
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
