"""Loading feedback for a user: every staff read goes through here, which both loads and authorises.

Records outside the user's organisations are reported as not found, so that a reference number
guessed or copied from elsewhere reveals nothing about whether it exists.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from patientvoice.directory.models import Service
from patientvoice.feedback.models import Experience
from patientvoice.people import rules
from patientvoice.people.models import User


def experiences_for(user: User) -> QuerySet[Experience]:
    orgs = rules.organisations_with(user, rules.VIEW_FEEDBACK)
    return Experience.objects.filter(organisation_id__in=orgs)


def held_back_for(user: User) -> QuerySet[Experience]:
    """Submissions held back for review at the organisations where the user may review them."""
    orgs = rules.organisations_with(user, rules.REVIEW_HELD_BACK)
    return Experience.objects.filter(organisation_id__in=orgs, status=Experience.Status.HELD_BACK)


def access_held_back(user: User, reference: str) -> Experience:
    return get_object_or_404(held_back_for(user), reference=reference)


def access_experience(user: User, reference: str) -> Experience:
    experiences = (
        experiences_for(user)
        .select_related("service__organisation", "captured_by", "contact", "equality")
        .prefetch_related("comments")
    )
    return get_object_or_404(experiences, reference=reference)


def services_with(user: User, permission: str) -> QuerySet[Service]:
    orgs = rules.organisations_with(user, permission)
    return Service.objects.filter(organisation_id__in=orgs).select_related("organisation")


def services_for_capture(user: User) -> QuerySet[Service]:
    return services_with(user, rules.CAPTURE_FEEDBACK).filter(is_active=True)


def access_service_for_capture(user: User, slug: str) -> Service:
    return get_object_or_404(services_for_capture(user), slug=slug)
