"""Loading comments and concerns for a user: each helper both loads and authorises."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from patientvoice.feedback.models import Comment
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
