"""Loading comments and concerns for a user: each helper both loads and authorises."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from patientvoice.feedback.models import Comment
from patientvoice.insight.models import Concern
from patientvoice.people import rules
from patientvoice.people.models import User


def comments_for(user: User, permission: str) -> QuerySet[Comment]:
    orgs = rules.organisations_with(user, permission)
    return Comment.objects.filter(experience__organisation_id__in=orgs)


def access_comment(user: User, comment_id: int, permission: str) -> Comment:
    comment = (
        comments_for(user, permission)
        .select_related("experience__service__organisation")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None:
        raise Http404("No comment you may see with that number")
    return comment


def concerns_for(user: User) -> QuerySet[Concern]:
    orgs = rules.organisations_with(user, rules.TRIAGE_CONCERNS)
    return Concern.objects.filter(comment__experience__organisation_id__in=orgs)


def access_concern(user: User, concern_id: int) -> Concern:
    concern = (
        concerns_for(user)
        .select_related(
            "comment__experience__service__organisation",
            "picked_up_by",
            "closed_by",
            "detected_by",
        )
        .filter(pk=concern_id)
        .first()
    )
    if concern is None:
        raise Http404("No concern you may see with that number")
    return concern
