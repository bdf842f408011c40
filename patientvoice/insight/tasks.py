"""Background classification. Every task takes ids and is safe to run more than once."""

from __future__ import annotations

from django_tasks import task

from patientvoice.insight import services


@task()
def classify_comments(comment_ids: list[int]) -> int:
    """Classify new comments with the current model. Duplicates are avoided by skipping
    comments this model version has already read (unique per comment and version)."""
    return services.classify_comments(comment_ids)


@task()
def classify_missed_comments() -> int:
    """Periodic: queue comments the current model has not read (their task died with its
    worker), a bounded number per run. Safe to run twice: classifying skips what is done."""
    return services.classify_missed_comments()


@task()
def reclassify(run_id: int) -> int:
    """Reclassify every comment for a ReclassificationRun, recording progress as it goes.
    A re-run resumes where the last one stopped."""
    return services.continue_reclassification(run_id).done


@task(priority=50)
def alert_new_concerns() -> int:
    """Tell triage staff about new concerns. Safe to run twice: each concern is claimed (its
    `notified_at` set) under a row lock in the same transaction as the email."""
    return services.alert_new_concerns()
