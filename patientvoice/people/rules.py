"""Who may do what: staff permissions as data, one place for the whole product.

A permission is granted by a role held at an organisation; a user holds at most one role per
organisation. Django's `is_staff`/`is_superuser` open the Django admin only and grant nothing here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from patientvoice.people.models import Membership, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from patientvoice.people.models import User

VIEW_FEEDBACK = "view_feedback"
CAPTURE_FEEDBACK = "capture_feedback"
VIEW_CONTACT_DETAILS = "view_contact_details"
VIEW_EQUALITY = "view_equality"
REVIEW_CLASSIFICATION = "review_classification"
TRIAGE_CONCERNS = "triage_concerns"
VIEW_MODEL_VERSIONS = "view_model_versions"
IMPORT_FEEDBACK = "import_feedback"
MANAGE_POPULATION = "manage_population"
PUBLISH_COMMENTS = "publish_comments"
REVIEW_HELD_BACK = "review_held_back"
MANAGE_STAFF = "manage_staff"
# Find a person, export what is held about them, record a withdrawal of consent, erase them:
# decisions an organisation's information-governance lead takes, so its admins only.
MANAGE_PRIVACY_REQUESTS = "manage_privacy_requests"
# Reports to providers and commissioners (patientvoice.influence): drafting one, signing off a
# colleague's, recording a response that came by letter or email, and answering as the
# organisation a recommendation is addressed to.
WRITE_REPORTS = "write_reports"
SIGN_OFF_REPORTS = "sign_off_reports"
RECORD_RESPONSES = "record_responses"
RESPOND_TO_REPORTS = "respond_to_reports"

# Officers follow up with people, so see contact details and work the safeguarding and
# complaints queue; analysts study who is speaking, so see equality answers, and correct the text
# model. Nobody sees both contact details and equality answers, which keeps equality data from
# being tied to a named person.
PERMISSIONS: dict[str, frozenset[str]] = {
    Role.OFFICER: frozenset(
        {
            VIEW_FEEDBACK,
            CAPTURE_FEEDBACK,
            VIEW_CONTACT_DETAILS,
            TRIAGE_CONCERNS,
            REVIEW_CLASSIFICATION,
            VIEW_MODEL_VERSIONS,
            PUBLISH_COMMENTS,
            REVIEW_HELD_BACK,
            WRITE_REPORTS,
            SIGN_OFF_REPORTS,
            RECORD_RESPONSES,
        }
    ),
    Role.ANALYST: frozenset(
        {
            VIEW_FEEDBACK,
            VIEW_EQUALITY,
            REVIEW_CLASSIFICATION,
            VIEW_MODEL_VERSIONS,
            IMPORT_FEEDBACK,
            WRITE_REPORTS,
        }
    ),
    Role.ORG_ADMIN: frozenset(
        {
            VIEW_FEEDBACK,
            CAPTURE_FEEDBACK,
            VIEW_CONTACT_DETAILS,
            TRIAGE_CONCERNS,
            VIEW_MODEL_VERSIONS,
            IMPORT_FEEDBACK,
            MANAGE_POPULATION,
            PUBLISH_COMMENTS,
            REVIEW_HELD_BACK,
            MANAGE_STAFF,
            MANAGE_PRIVACY_REQUESTS,
            WRITE_REPORTS,
            SIGN_OFF_REPORTS,
            RECORD_RESPONSES,
        }
    ),
    # A provider's or commissioner's lead for answering reports (a chief nurse, a head of
    # patient experience): reads their own organisation's feedback, answers recommendations
    # addressed to it, and sees neither contact details nor equality answers.
    Role.RESPONDER: frozenset({VIEW_FEEDBACK, RESPOND_TO_REPORTS}),
}

# Where an organisation requires two-factor sign-in, it applies to the roles that can see who a
# person is or their equality answers.
TWO_FACTOR_PERMISSIONS = frozenset({VIEW_CONTACT_DETAILS, VIEW_EQUALITY})


def organisations_with(user: User | AnonymousUser, permission: str) -> set[int]:
    """Ids of the organisations where the user holds a role granting `permission`."""
    if not user.is_authenticated:
        return set()
    # Cached on the user object, which lives for one request, so a page asking several
    # permission questions costs one query.
    cache = user.__dict__.get("_pv_roles")
    if cache is None:
        cache = dict(Membership.objects.filter(user=user).values_list("organisation_id", "role"))
        user.__dict__["_pv_roles"] = cache
    return {org_id for org_id, role in cache.items() if permission in PERMISSIONS[role]}


def has_permission(user: User | AnonymousUser, permission: str, organisation_id: int) -> bool:
    return organisation_id in organisations_with(user, permission)


def is_staff_member(user: User | AnonymousUser) -> bool:
    return bool(organisations_with(user, VIEW_FEEDBACK))
