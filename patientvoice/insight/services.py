"""Classifying comments and storing what the model said, with its provenance."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from itertools import islice

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from patientvoice.feedback.models import Comment
from patientvoice.insight.engine.data import Example
from patientvoice.insight.models import (
    Classification,
    Concern,
    ModelVersion,
    ReclassificationRun,
    SentimentAssignment,
    Source,
    Theme,
    ThemeAssignment,
)
from patientvoice.insight.reader import (
    ConcernReading,
    ModelMissing,
    Reader,
    Reading,
    current_reader,
)
from patientvoice.insight.summary import themes_changing
from patientvoice.people import rules
from patientvoice.people.models import Membership

BATCH = 500
# Comments the sweep queues at most per run, and how long a reclassification run may take
# before the sweep stops leaving the current model's unread comments to it.
MISSED_PER_SWEEP = 20_000
RECLASSIFICATION_GRACE = datetime.timedelta(hours=6)
# The wording of each form question as the training data asks it, so the model sees the
# question it learned from.
QUESTION_TEXT: dict[str, str] = {
    Comment.Question.WHAT_WAS_GOOD: "What was good?",
    Comment.Question.COULD_BE_BETTER: "What could we do better?",
    Comment.Question.FFT_WHY: "FFT Why?",
}


def _batches(items: Iterable[Comment], size: int) -> Iterator[list[Comment]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def register_model_version(reader: Reader) -> ModelVersion:
    meta = reader.metadata
    trained_at = datetime.datetime.fromisoformat(meta["trained_at"])
    version, _ = ModelVersion.objects.get_or_create(
        version=reader.version,
        defaults={
            "training_data_sha256": meta.get("training_data_sha256", ""),
            "trained_at": trained_at,
            "labels": meta.get("labels", []),
            "evaluation": meta.get("evaluation", {}),
            "metadata": {k: v for k, v in meta.items() if k not in {"labels", "evaluation"}},
        },
    )
    return version


def _themes(names: set[str], categories: dict[str, str]) -> dict[str, Theme]:
    found = {t.name: t for t in Theme.objects.filter(name__in=names)}
    missing = names - set(found)
    if missing:
        Theme.objects.bulk_create(
            [Theme(name=n, category=categories.get(n, "Other")) for n in missing],
            ignore_conflicts=True,
        )
        found = {t.name: t for t in Theme.objects.filter(name__in=names)}
    return found


def classify_comments(comment_ids: list[int], reader: Reader | None = None) -> int:
    """Classify the comments this model version has not read yet; returns how many it read.

    Safe to run twice or concurrently: comments already classified by this version are skipped,
    and every row written is unique per comment and model version.
    """
    reader = reader or current_reader()
    version = register_model_version(reader)
    todo = (
        Comment.objects.filter(pk__in=comment_ids)
        .exclude(classifications__model_version=version)
        .select_related("experience")
        .order_by("pk")
    )
    done = 0
    for batch in _batches(todo.iterator(chunk_size=BATCH), BATCH):
        readings = reader.read(
            [c.text for c in batch],
            [QUESTION_TEXT.get(c.question, "") for c in batch],
            [c.experience.rating for c in batch],
        )
        _store(batch, readings, version, reader.categories)
        done += len(batch)
    return done


def classify_missed_comments(limit: int = MISSED_PER_SWEEP) -> int:
    """Queue, in tasks of BATCH ids, up to `limit` comments the current model has not read;
    returns how many. A comment's task dies with a killed worker and nothing else runs it again.

    A comment stored moments ago may be queued twice (by its own commit and here); classifying
    skips what this version has read, so that costs one query. While a reclassification run of
    this version is young, its comments are left to it; a run that has nothing left to read is
    marked finished (its worker may have died on the last chunk)."""
    from patientvoice.insight.tasks import classify_comments as classify_task

    try:
        version = register_model_version(current_reader())
    except ModelMissing:
        return 0
    runs = ReclassificationRun.objects.filter(
        model_version=version, finished_at__isnull=True, error=""
    )
    if runs.filter(started_at__gt=timezone.now() - RECLASSIFICATION_GRACE).exists():
        return 0
    read = Classification.objects.filter(comment=OuterRef("pk"), model_version=version)
    missed = list(
        Comment.objects.filter(~Exists(read)).order_by("pk").values_list("pk", flat=True)[:limit]
    )
    if not missed:
        done = Classification.objects.filter(model_version=version).count()
        runs.update(finished_at=timezone.now(), done=done)
    for start in range(0, len(missed), BATCH):
        classify_task.enqueue(missed[start : start + BATCH])
    return len(missed)


def _store(
    comments: list[Comment],
    readings: list[Reading],
    version: ModelVersion,
    categories: dict[str, str],
) -> None:
    # The insight summary changes in the same transaction as the assignments it counts.
    with themes_changing([c.pk for c in comments]):
        _write_readings(comments, readings, version, categories)


def _write_readings(
    comments: list[Comment],
    readings: list[Reading],
    version: ModelVersion,
    categories: dict[str, str],
) -> None:
    ids = [c.pk for c in comments]
    # A person's answer stands: a new model's reading of a reviewed comment is kept for the
    # record but does not replace what the person chose.
    reviewed = set(
        ThemeAssignment.objects.filter(comment_id__in=ids, is_current=True)
        .exclude(source=Source.MODEL, reviewed_at__isnull=True)
        .values_list("comment_id", flat=True)
    )
    # A comment only screened (its themes failed) keeps its current themes and sentiment.
    fresh = [
        c.pk for c, r in zip(comments, readings, strict=True) if c.pk not in reviewed and r.complete
    ]
    ThemeAssignment.objects.filter(comment_id__in=fresh, source=Source.MODEL).exclude(
        model_version=version
    ).update(is_current=False)
    SentimentAssignment.objects.filter(comment_id__in=fresh, source=Source.MODEL).exclude(
        model_version=version
    ).update(is_current=False)
    themes = _themes({name for r in readings for name, _ in r.themes}, categories)
    theme_rows, sentiment_rows, concern_rows, classification_rows = [], [], [], []
    for comment, reading in zip(comments, readings, strict=True):
        current = comment.pk not in reviewed
        theme_rows += [
            ThemeAssignment(
                comment=comment,
                theme=themes[name],
                source=Source.MODEL,
                model_version=version,
                confidence=confidence,
                is_current=current,
            )
            for name, confidence in reading.themes
        ]
        if reading.sentiment is not None:
            sentiment_rows.append(
                SentimentAssignment(
                    comment=comment,
                    value=reading.sentiment,
                    source=Source.MODEL,
                    model_version=version,
                    confidence=reading.sentiment_confidence,
                    is_current=current,
                )
            )
        concern_rows += [
            Concern(
                comment=comment,
                kind=concern.kind,
                severity=concern.severity,
                category=concern.category,
                evidence=concern.evidence,
                findings=list(concern.findings),
                detected_by=version,
            )
            for concern in map(_concern_reading, reading.concerns)
        ]
        if not reading.complete:
            # Only screening succeeded: the concerns stand, the comment stays unread by this
            # version so the missed-comment sweep reads its themes again.
            continue
        classification_rows.append(
            Classification(
                comment=comment,
                model_version=version,
                personal_data=reading.personal_data,
                proposed_redaction=reading.redacted if reading.personal_data else "",
            )
        )
    ThemeAssignment.objects.bulk_create(theme_rows, ignore_conflicts=True)
    SentimentAssignment.objects.bulk_create(sentiment_rows, ignore_conflicts=True)
    # A concern already raised for this comment (by any model or person) is left as it is.
    Concern.objects.bulk_create(concern_rows, ignore_conflicts=True)
    Classification.objects.bulk_create(classification_rows, ignore_conflicts=True)
    if concern_rows:
        alert_triage_staff()


def _concern_reading(concern: ConcernReading | tuple[str, int, str]) -> ConcernReading:
    return concern if isinstance(concern, ConcernReading) else ConcernReading(*concern)


def alert_triage_staff() -> None:
    """Email triage staff about new concerns once this transaction commits: every way a
    concern is raised (the model, a person) calls this, so none waits for the next one."""
    transaction.on_commit(_enqueue_concern_alerts)


def _enqueue_concern_alerts() -> None:
    from patientvoice.insight.tasks import alert_new_concerns

    alert_new_concerns.enqueue()


def alert_new_concerns() -> int:
    """Email the people who work each organisation's concerns queue about concerns nobody has
    been told of yet; returns how many concerns were announced.

    Each concern is claimed by setting `notified_at` under a row lock before its email goes,
    so two workers running this at once never announce the same concern twice.
    """
    announced = 0
    with transaction.atomic():
        concerns = list(
            Concern.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(notified_at__isnull=True)
            .select_related("comment__experience__service", "raised_by")
            .order_by("severity", "created_at")[:200]
        )
        by_org: dict[int, list[Concern]] = {}
        for concern in concerns:
            by_org.setdefault(concern.comment.experience.organisation_id, []).append(concern)
        for org_id, org_concerns in by_org.items():
            recipients = _triage_emails(org_id)
            if recipients:
                _send_alert(recipients, org_concerns)
            announced += len(org_concerns)
        Concern.objects.filter(pk__in=[c.pk for c in concerns]).update(notified_at=timezone.now())
    return announced


def _triage_emails(organisation_id: int) -> list[str]:
    roles = [role for role, perms in rules.PERMISSIONS.items() if rules.TRIAGE_CONCERNS in perms]
    return sorted(
        set(
            Membership.objects.filter(organisation_id=organisation_id, role__in=roles)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


def _send_alert(recipients: list[str], concerns: list[Concern]) -> None:
    lines = [
        f"- {c.get_kind_display()} (severity {c.severity}) about "
        f"{c.comment.experience.service.name}"
        f"{f', raised by {c.raised_by}' if c.raised_by else ''}: "
        f"{settings.BASE_URL}{reverse('staff:concern_detail', args=[c.pk])}"
        for c in concerns
    ]
    send_mail(
        subject=f"{len(concerns)} new concern(s) need a person to look at them",
        message="New concerns were flagged in feedback:\n\n" + "\n".join(lines) + "\n",
        from_email=None,
        recipient_list=recipients,
    )


def start_reclassification(requested_by: str = "", enqueue: bool = True) -> ReclassificationRun:
    """Record a run of the current model over every comment and, unless the caller will run it
    itself, enqueue it after commit."""
    from patientvoice.insight.tasks import reclassify

    version = register_model_version(current_reader())
    run = ReclassificationRun.objects.create(
        model_version=version, requested_by=requested_by, total=Comment.objects.count()
    )
    if enqueue:
        transaction.on_commit(lambda: reclassify.enqueue(run.pk))
    return run


def continue_reclassification(run_id: int, chunk: int = 2000) -> ReclassificationRun:
    """Work through every comment in id order, saving progress after each chunk.

    Re-running a failed or interrupted run resumes: comments this version has read are skipped.
    """
    run = ReclassificationRun.objects.select_related("model_version").get(pk=run_id)
    reader = current_reader()
    if reader.version != run.model_version.version:
        run.error = f"the model on disk is now {reader.version}; start a new run"
        run.save(update_fields=["error"])
        return run
    last = 0
    highest = Comment.objects.aggregate(m=Max("pk"))["m"] or 0
    while last < highest:
        ids = list(
            Comment.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:chunk]
        )
        if not ids:
            break
        classify_comments(ids, reader)
        last = ids[-1]
        run.done = Classification.objects.filter(model_version=run.model_version).count()
        run.save(update_fields=["done"])
    run.finished_at = timezone.now()
    run.error = ""
    run.save(update_fields=["finished_at", "error"])
    return run


def reviewed_examples() -> list[Example]:
    """Comments whose answer a person chose or confirmed, as training examples.

    Only what a person decided counts: themes a person added or accepted, and a sentiment a
    person set or accepted. A comment with reviewed themes but an unreviewed sentiment teaches
    themes only, and the other way round.
    """
    reviewed = Q(source=Source.PERSON) | Q(reviewed_at__isnull=False)
    themes: dict[int, list[str]] = {}
    for comment_id, name in ThemeAssignment.objects.filter(reviewed, is_current=True).values_list(
        "comment_id", "theme__name"
    ):
        themes.setdefault(comment_id, []).append(name)
    sentiments = dict(
        SentimentAssignment.objects.filter(reviewed, is_current=True).values_list(
            "comment_id", "value"
        )
    )
    comments = Comment.objects.filter(pk__in=set(themes) | set(sentiments)).select_related(
        "experience"
    )
    return [
        Example(
            text=c.text,
            question=QUESTION_TEXT.get(c.question, ""),
            rating=c.experience.rating,
            labels=tuple(sorted(themes.get(c.pk, []))),
            sentiment=sentiments.get(c.pk),
        )
        for c in comments.order_by("pk")
    ]
