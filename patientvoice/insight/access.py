"""Loading comments and concerns for a user: each helper both loads and authorises."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet
from django.shortcuts import get_object_or_404

from patientvoice.feedback.models import Comment, Experience
from patientvoice.insight.models import Concern
from patientvoice.people import rules
from patientvoice.people.models import User


def comments_for(user: User, permission: str) -> QuerySet[Comment]:
    orgs = rules.organisations_with(user, permission)
    return Comment.objects.filter(experience__organisation_id__in=orgs)


def access_comment(user: User, comment_id: int, *permissions: str) -> Comment:
    """The comment, for a user holding any of `permissions` at its organisation."""
    orgs = set().union(*(rules.organisations_with(user, p) for p in permissions))
    comments = Comment.objects.filter(experience__organisation_id__in=orgs).select_related(
        "experience__service__organisation"
    )
    return get_object_or_404(comments, pk=comment_id)


def concerns_for(user: User) -> QuerySet[Concern]:
    orgs = rules.organisations_with(user, rules.TRIAGE_CONCERNS)
    return Concern.objects.filter(comment__experience__organisation_id__in=orgs)


def access_concern(user: User, concern_id: int) -> Concern:
    concerns = concerns_for(user).select_related(
        "comment__experience__service__organisation",
        "picked_up_by",
        "closed_by",
        "detected_by",
    )
    return get_object_or_404(concerns, pk=concern_id)


def held_back_source(source: str) -> Q:
    """Concerns from held-back submissions of one source: a client address's key, or for posts
    held back without one (a near-duplicate), the reason they were held back."""
    held = ~Q(comment__experience__status=Experience.Status.COUNTED)
    if source.startswith("reason:"):
        return held & Q(
            comment__experience__source_key="",
            comment__experience__held_back_reason=source.removeprefix("reason:"),
        )
    return held & Q(comment__experience__source_key=source)


def group_by_source(concerns: QuerySet[Concern]) -> list[dict[str, Any]]:
    """Concerns from held-back submissions, one row per source, most severe then largest first."""
    rows = (
        concerns.values("comment__experience__source_key", "comment__experience__held_back_reason")
        .annotate(
            count=Count("pk"),
            severity=Min("severity"),
            first=Min("created_at"),
            last=Max("created_at"),
            submissions=Count("comment__experience", distinct=True),
        )
        .order_by()
    )
    groups: dict[str, dict[str, Any]] = {}
    for row in rows:
        key = row["comment__experience__source_key"]
        source = key or f"reason:{row['comment__experience__held_back_reason']}"
        group = groups.setdefault(
            source,
            {
                "source": source,
                "reasons": set(),
                "count": 0,
                "submissions": 0,
                "severity": 9,
                "first": row["first"],
                "last": row["last"],
            },
        )
        group["reasons"].add(row["comment__experience__held_back_reason"])
        group["count"] += row["count"]
        group["submissions"] += row["submissions"]
        group["severity"] = min(group["severity"], row["severity"])
        group["first"], group["last"] = (
            min(group["first"], row["first"]),
            max(group["last"], row["last"]),
        )
    return sorted(groups.values(), key=lambda g: (g["severity"], -g["count"]))
