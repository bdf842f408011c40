"""Privacy requests: find a person, export everything held about them, erase them; and the audit
of staff reading contact details and equality answers.

A person is within an organisation's reach if they gave it feedback with their contact details
or asked to hear from one of its groups; people who signed up choosing no group are within the
reach of the site's operator organisation (PATIENTVOICE_OPERATOR_ORGANISATION). Erasing blanks
the person and unlinks what they said: their comments stay, anonymous, in every figure.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Replace
from django.shortcuts import get_object_or_404

from patientvoice import csvexport
from patientvoice.directory.identity import operator_organisation
from patientvoice.feedback.models import Experience
from patientvoice.people import rules
from patientvoice.people.audit import (
    ORGANISATION_DETAILS_CHANGED,
    PERSON_ERASED,
    PERSON_EXPORTED,
    VIEWED_CONTACT_DETAILS,
    VIEWED_EQUALITY,
    record_audit,
)
from patientvoice.people.models import Person, User
from patientvoice.people.privacy import blank_person, person_record, signed_up_with

if TYPE_CHECKING:
    from django import forms
    from django.http import HttpRequest

    from patientvoice.directory.models import Organisation

SEARCH_RESULTS = 50


def _reach(organisation_ids: set[int]) -> Q:
    reach = Q(experiences__organisation_id__in=organisation_ids) | signed_up_with(organisation_ids)
    operator = operator_organisation()
    if operator is not None and operator.pk in organisation_ids:
        reach |= Q(groups_of_interest__isnull=True, experiences__isnull=True)
    return reach


def people_for(user: User) -> QuerySet[Person]:
    """People whose privacy requests the user may handle (not yet erased)."""
    orgs = rules.organisations_with(user, rules.MANAGE_PRIVACY_REQUESTS)
    if not orgs:
        return Person.objects.none()
    matching = Person.objects.filter(_reach(orgs)).values("pk")
    # An id subquery rather than .distinct(): the joins through groups and experiences repeat a
    # person, and DISTINCT over every column cannot compare the JSON field on every database.
    return Person.objects.filter(pk__in=matching, erased_at__isnull=True)


def find_people(user: User, query: str) -> QuerySet[Person]:
    """People matching a name, an email address or a phone number, in any spacing."""
    query = query.strip()
    found = Q(full_name__icontains=query) | Q(email__iexact=query)
    digits = re.sub(r"[^0-9]", "", query)
    people = people_for(user)
    if len(digits) >= 6:
        compact = Replace(
            Replace(Replace("phone", Value(" "), Value("")), Value("-"), Value("")),
            Value("+44"),
            Value("0"),
        )
        people = people.annotate(compact_phone=compact)
        found |= Q(compact_phone__contains=re.sub(r"^44", "0", digits))
    return people.filter(found).order_by("full_name", "pk")[:SEARCH_RESULTS]


def access_person(user: User, person_id: int) -> Person:
    """Load a person the user may handle requests for; not found otherwise, so an id guessed
    from elsewhere reveals nothing."""
    return get_object_or_404(people_for(user), pk=person_id)


def experiences_of(person: Person, user: User) -> QuerySet[Experience]:
    """What the person told the user's organisations (never another organisation's records)."""
    orgs = rules.organisations_with(user, rules.MANAGE_PRIVACY_REQUESTS)
    return (
        Experience.objects.filter(contact=person, organisation_id__in=orgs)
        .select_related("service", "organisation")
        .prefetch_related("comments")
        .order_by("submitted_at", "pk")
    )


def acting_organisation(person: Person, user: User) -> int:
    """The organisation a request about this person is handled for, for the audit log."""
    orgs = rules.organisations_with(user, rules.MANAGE_PRIVACY_REQUESTS)
    linked = Person.objects.filter(_reach(orgs), pk=person.pk).values_list(
        "experiences__organisation_id", "groups_of_interest__host_id"
    )
    for ids in linked:
        for org_id in ids:
            if org_id in orgs:
                return org_id
    # Linked to no organisation: a sign-up that chose no group, the operator's to handle.
    operator = operator_organisation()
    return operator.pk if operator is not None and operator.pk in orgs else min(orgs)


def export_person(
    person: Person, user: User, file_format: str, request: HttpRequest | None = None
) -> dict[str, Any]:
    """Everything the user's organisations hold about the person, audited as an export."""
    record = person_record(person)
    record["experiences"] = [
        {
            "reference": e.reference,
            "organisation": e.organisation.name,
            "service": e.service.name,
            "submitted_at": e.submitted_at.isoformat(),
            "happened_on": e.happened_on.isoformat() if e.happened_on else None,
            "channel": e.get_channel_display(),
            "answering_as": e.get_respondent_display(),
            "rating": e.get_rating_display() if e.rating else None,
            "may_publish": e.may_publish,
            "may_contact": e.may_contact,
            # Equality answers are kept apart from names by design; the request is answered
            # with them by the analysts who hold them, so the export says only that they exist.
            "equality_answers_held_separately": e.equality_id is not None,
            "comments": [
                {"question": c.get_question_display(), "text": c.text} for c in e.comments.all()
            ],
        }
        for e in experiences_of(person, user)
    ]
    record_audit(
        user,
        PERSON_EXPORTED,
        organisation=acting_organisation(person, user),
        subject=person,
        detail={"format": file_format, "experiences": len(record["experiences"])},
        request=request,
    )
    return record


def record_as_csv(record: dict[str, Any]) -> str:
    """The export as one long table (section, item, field, value) that opens in a spreadsheet."""
    buffer = io.StringIO()
    writer = csvexport.writer(buffer)
    writer.writerow(["section", "item", "field", "value"])
    for key, value in record.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for number, item in enumerate(value, start=1):
                for field, inner in item.items():
                    if field == "comments":
                        for comment in inner:
                            writer.writerow([key, number, comment["question"], comment["text"]])
                    else:
                        writer.writerow([key, number, field, _cell(inner)])
        else:
            writer.writerow(["person", "", key, _cell(value)])
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if value is None:
        return ""
    return value


def erase_person(person: Person, user: User, request: HttpRequest | None = None) -> None:
    """Erase a person at their request (see `erase`)."""
    erase(person, user, acting_organisation(person, user), {"reason": "request"}, request)


def erase(
    person: Person,
    actor: User | None,
    organisation_id: int | None,
    why: dict[str, Any],
    request: HttpRequest | None = None,
) -> None:
    """Blank the person's details, withdraw their consents and unlink everything they told us,
    with an audit entry saying `why`; their comments stay, without them, in every figure."""
    with transaction.atomic():
        unlinked = Experience.objects.filter(contact=person).update(contact=None, may_contact=False)
        changes = blank_person(person)
        record_audit(
            actor,
            PERSON_ERASED,
            organisation=organisation_id,
            subject=person,
            detail={**why, "experiences_unlinked": unlinked, **changes},
            request=request,
        )


def record_personal_reads(
    user: User,
    experience: Experience,
    *,
    contact: bool,
    equality: bool,
    request: HttpRequest | None = None,
) -> None:
    """Audit a staff page that showed this experience's contact details or equality answers."""
    if contact and experience.contact_id is not None:
        record_audit(
            user,
            VIEWED_CONTACT_DETAILS,
            organisation=experience.organisation_id,
            subject=experience,
            detail={"person": experience.contact_id},
            request=request,
        )
    if equality and experience.equality_id is not None:
        record_audit(
            user,
            VIEWED_EQUALITY,
            organisation=experience.organisation_id,
            subject=experience,
            request=request,
        )


def update_organisation_details(
    form: forms.ModelForm[Organisation], user: User, request: HttpRequest | None = None
) -> Organisation:
    """Save an organisation's privacy details, auditing which fields changed."""
    with transaction.atomic():
        organisation = form.save()
        record_audit(
            user,
            ORGANISATION_DETAILS_CHANGED,
            organisation=organisation,
            subject=organisation,
            detail={"fields": sorted(form.changed_data)},
            request=request,
        )
    return organisation
