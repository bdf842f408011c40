"""The theme summary: current themes and sentiments per service, channel and month.

Kept right in the transaction of every write that changes which themes or sentiment a comment
currently has (classification, reclassification, a person's review): `themes_changing` takes
out what the comments counted for before the change and puts in what they count for after.
`rebuild_insight_summary` recomputes this and the response summary from the records; running
it twice changes nothing. See docs/decisions/0004-insight-summary.md.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.db import transaction
from django.db.models import Count, FilteredRelation, Q

from patientvoice.feedback.models import Comment
from patientvoice.feedback.summary import (
    add_to_summary,
    clear_for_rebuild,
    counted,
    difference,
    lock_summary,
    month_index,
    month_of,
    rebuild_response_summary,
)
from patientvoice.insight.models import SentimentAssignment, ThemeAssignment, ThemeSummary

# organisation id, service id, channel, month, theme id
ThemeCell = tuple[int, int, str, datetime.date, int]
CELL_FIELDS = ("organisation", "service", "channel", "month", "theme")
# The number of comments, then how many of them have each sentiment, 1 to 5.
THEME_FIELDS = ("comments", "very_positive", "positive", "neutral", "negative", "very_negative")


def _add(cell: list[int], sentiment: int | None, n: int = 1) -> None:
    cell[0] += n
    if sentiment:
        cell[sentiment] += n


def _counts_of(comment_ids: Sequence[int]) -> dict[ThemeCell, list[int]]:
    sentiments: dict[int, list[int]] = defaultdict(list)
    for comment_id, value in SentimentAssignment.objects.filter(
        comment_id__in=comment_ids, is_current=True
    ).values_list("comment_id", "value"):
        sentiments[comment_id].append(value)
    cells: dict[ThemeCell, list[int]] = defaultdict(lambda: [0] * len(THEME_FIELDS))
    assignments = ThemeAssignment.objects.filter(
        comment_id__in=comment_ids, is_current=True, **counted(Comment, "comment__experience__")
    ).values_list(
        "comment_id",
        "comment__experience__organisation_id",
        "comment__experience__service_id",
        "comment__experience__channel",
        "comment__experience__submitted_at",
        "theme_id",
    )
    for comment_id, organisation, service, channel, submitted_at, theme in assignments:
        cell = cells[organisation, service, channel, month_of(submitted_at), theme]
        # As the page's join counted them: one row per current sentiment, or one without.
        found: list[int | None] = [*sentiments.get(comment_id, [])] or [None]
        for sentiment in found:
            _add(cell, sentiment)
    return cells


@contextmanager
def themes_changing(comment_ids: Sequence[int]) -> Iterator[None]:
    """Keep the theme summary right across a change to these comments' current themes or
    sentiment, in one transaction with the change.

    The comments are locked first (in id order, so two writers cannot deadlock), so a second
    writer reads "before" only once the first has committed: otherwise both would take out the
    same old counts and the summary would drift.
    """
    ids = sorted(set(comment_ids))
    with transaction.atomic():
        list(Comment.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))
        before = _counts_of(ids)
        yield
        add_to_summary(ThemeSummary, CELL_FIELDS, THEME_FIELDS, difference(_counts_of(ids), before))


@contextmanager
def counting_changing(experience_ids: Sequence[int]) -> Iterator[None]:
    """The theme summary's part when experiences start or stop counting (a held-back one is
    released): settings.FEEDBACK_COUNTING_HOOKS names this."""
    comment_ids = list(
        Comment.objects.filter(experience_id__in=experience_ids).values_list("pk", flat=True)
    )
    with themes_changing(comment_ids):
        yield


@transaction.atomic
def rebuild_theme_summary(registry: Apps = global_apps) -> int:
    """Recompute the whole theme summary from the current assignments; returns its rows.

    `registry` is a migration's historical apps when migration insight 0005 runs this.
    """
    summary = registry.get_model("insight", "ThemeSummary")
    months = clear_for_rebuild(summary, registry)
    if not months:
        return 0
    assignment = registry.get_model("insight", "ThemeAssignment")
    rows = (
        assignment.objects.filter(is_current=True, **counted(assignment, "comment__experience__"))
        .annotate(
            month=month_index("comment__experience__submitted_at", months),
            current_sentiment=FilteredRelation(
                "comment__sentiments", condition=Q(comment__sentiments__is_current=True)
            ),
        )
        .values_list(
            "comment__experience__organisation_id",
            "comment__experience__service_id",
            "comment__experience__channel",
            "month",
            "theme_id",
            "current_sentiment__value",
        )
        .annotate(n=Count("*"))
        .order_by()
    )
    cells: dict[ThemeCell, list[int]] = defaultdict(lambda: [0] * len(THEME_FIELDS))
    for organisation, service, channel, month, theme, sentiment, n in rows:
        _add(cells[organisation, service, channel, months[month], theme], sentiment, n)
    summary.objects.bulk_create(
        (
            summary(
                organisation_id=organisation,
                service_id=service,
                channel=channel,
                month=month,
                theme_id=theme,
                **dict(zip(THEME_FIELDS, counts, strict=True)),
            )
            for (organisation, service, channel, month, theme), counts in cells.items()
        ),
        batch_size=1000,
    )
    return len(cells)


@transaction.atomic
def rebuild_insight_summary(registry: Apps = global_apps) -> dict[str, int]:
    """Rebuild both summaries from the records, in one transaction: the page never sees one
    rebuilt and the other not. Returns how many rows each has. `registry` is a migration's
    historical apps when migration insight 0005 runs this on an upgraded database."""
    lock_summary(registry.get_model("feedback", "ResponseSummary"))
    lock_summary(registry.get_model("insight", "ThemeSummary"))
    return {
        "responses": rebuild_response_summary(registry),
        "themes": rebuild_theme_summary(registry),
    }
