"""People reviewing what the model said: corrections and the concerns queue."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from patientvoice.feedback.models import Comment
from patientvoice.insight.models import Concern, SentimentAssignment, Source, Theme, ThemeAssignment
from patientvoice.insight.services import alert_triage_staff
from patientvoice.insight.summary import themes_changing
from patientvoice.people.models import User


@transaction.atomic
def record_review(comment: Comment, user: User, theme_names: list[str], sentiment: int) -> None:
    """Make the person's themes and sentiment the current answer for a comment.

    Model suggestions the person keeps are marked reviewed; those they drop stop being current
    but stay stored with who dropped them and when; themes the person adds are stored as theirs.
    """
    if not theme_names:
        raise ValidationError("Choose at least one theme")
    now = timezone.now()
    chosen = {t.name: t for t in Theme.objects.filter(name__in=theme_names)}
    unknown = set(theme_names) - set(chosen)
    if unknown:
        raise ValidationError(f"Unknown themes: {', '.join(sorted(unknown))}")
    # The insight summary changes in the same transaction as the person's answer.
    with themes_changing([comment.pk]):
        _replace_themes(comment, user, chosen, now)
        _review_sentiment(comment, user, sentiment, now)


def _replace_themes(
    comment: Comment, user: User, chosen: dict[str, Theme], now: datetime.datetime
) -> None:
    current = list(
        ThemeAssignment.objects.filter(comment=comment)
        .select_for_update()
        .filter(is_current=True)
        .select_related("theme")
    )
    kept = set()
    for assignment in current:
        assignment.reviewed_by, assignment.reviewed_at = user, now
        if assignment.theme.name in chosen:
            kept.add(assignment.theme.name)
        else:
            assignment.is_current = False
        assignment.save(update_fields=["reviewed_by", "reviewed_at", "is_current"])
    ThemeAssignment.objects.bulk_create(
        ThemeAssignment(
            comment=comment,
            theme=theme,
            source=Source.PERSON,
            assigned_by=user,
            reviewed_by=user,
            reviewed_at=now,
        )
        for name, theme in chosen.items()
        if name not in kept
    )


def _review_sentiment(comment: Comment, user: User, value: int, now: datetime.datetime) -> None:
    current = (
        SentimentAssignment.objects.filter(comment=comment)
        .select_for_update()
        .filter(is_current=True)
        .first()
    )
    if current and current.value == value:
        current.reviewed_by, current.reviewed_at = user, now
        current.save(update_fields=["reviewed_by", "reviewed_at"])
        return
    if current:
        current.is_current = False
        current.reviewed_by, current.reviewed_at = user, now
        current.save(update_fields=["is_current", "reviewed_by", "reviewed_at"])
    SentimentAssignment.objects.create(
        comment=comment,
        value=value,
        source=Source.PERSON,
        assigned_by=user,
        reviewed_by=user,
        reviewed_at=now,
    )


def pick_up_concern(concern: Concern, user: User) -> None:
    if concern.status == Concern.Status.CLOSED:
        raise ValidationError("This concern is already closed")
    concern.status = Concern.Status.PICKED_UP
    concern.picked_up_by, concern.picked_up_at = user, timezone.now()
    concern.save(update_fields=["status", "picked_up_by", "picked_up_at"])


def close_concern(concern: Concern, user: User, action_taken: str) -> None:
    """Close a concern; saying what was done is required, so nothing is closed silently."""
    if not action_taken.strip():
        raise ValidationError("Say what was done before closing the concern")
    if concern.status == Concern.Status.CLOSED:
        raise ValidationError("This concern is already closed")
    now = timezone.now()
    if concern.picked_up_by is None:
        concern.picked_up_by, concern.picked_up_at = user, now
    concern.status = Concern.Status.CLOSED
    concern.closed_by, concern.closed_at = user, now
    concern.action_taken = action_taken.strip()
    concern.save()


def raise_concern(comment: Comment, user: User, kind: str, severity: int, note: str) -> Concern:
    """A person flags a comment the model missed; an existing concern of that kind is reused.

    Triage staff are emailed about a new concern, or a closed one raised again, as they are
    about the model's (an open one they already know of).
    """
    concern, created = Concern.objects.get_or_create(
        comment=comment,
        kind=kind,
        defaults={"severity": severity, "evidence": note, "raised_by": user},
    )
    if not created and concern.status == Concern.Status.CLOSED:
        concern.status = Concern.Status.NEW
        concern.evidence = f"{concern.evidence}\nRaised again by {user}: {note}".strip()
        concern.notified_at = None
        concern.save(update_fields=["status", "evidence", "notified_at"])
    if concern.notified_at is None:
        alert_triage_staff()
    return concern
