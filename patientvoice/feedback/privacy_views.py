"""Staff pages for privacy requests: find a person, see their consents, record a withdrawal,
export what is held about them, erase them."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from patientvoice.directory.models import Organisation
from patientvoice.feedback.privacy import (
    access_person,
    acting_organisation,
    erase_person,
    experiences_of,
    export_person,
    find_people,
    record_as_csv,
    update_organisation_details,
)
from patientvoice.people import rules
from patientvoice.people.audit import VIEWED_CONTACT_DETAILS, record_audit
from patientvoice.people.decorators import staff_member_required, staff_user
from patientvoice.people.models import User
from patientvoice.people.privacy import withdraw_consent


class FindPersonForm(forms.Form):
    q = forms.CharField(
        label="Name, email address or phone number",
        max_length=200,
        error_messages={"required": "Enter a name, email address or phone number"},
    )

    def clean_q(self) -> str:
        value: str = self.cleaned_data["q"].replace("\x00", "").strip()
        if len(value) < 2:
            raise forms.ValidationError("Enter at least 2 characters")
        return value


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label="I have checked this is the right person and that we must erase their details",
        error_messages={"required": "Confirm that you have checked before erasing"},
    )


class OrganisationPrivacyForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = [
            "contact_email",
            "contact_phone",
            "data_controller",
            "ico_registration",
            "dpo_name",
            "dpo_email",
            "lawful_basis",
            "contact_retention_months",
        ]
        labels = {
            "contact_email": "Email address for the public",
            "contact_phone": "Phone number for the public",
            "data_controller": "Data controller",
            "ico_registration": "ICO registration number",
            "dpo_name": "Data protection officer",
            "dpo_email": "Data protection officer's email address",
            "lawful_basis": "Why you may use people's details (lawful basis)",
            "contact_retention_months": "Keep contact details for (months without contact)",
        }
        error_messages = {
            "contact_email": {"invalid": "Enter an email address like name@example.org"},
            "dpo_email": {"invalid": "Enter an email address like dpo@example.org"},
            "contact_retention_months": {
                "invalid": "Enter a whole number of months, like 24",
                "min_value": "Keep contact details for at least 1 month",
                "max_value": "Keep contact details for at most 120 months",
            },
        }


def _privacy_staff(request: HttpRequest) -> User:
    user = staff_user(request)
    if not rules.organisations_with(user, rules.MANAGE_PRIVACY_REQUESTS):
        raise PermissionDenied("Your role does not include privacy requests")
    return user


@staff_member_required
def find_person(request: HttpRequest) -> HttpResponse:
    user = _privacy_staff(request)
    form = FindPersonForm(request.GET or None)
    people = None
    if form.is_valid():
        people = list(find_people(user, form.cleaned_data["q"]))
        if people:
            # The results show names and contact details: a read of them, audited.
            record_audit(
                user,
                VIEWED_CONTACT_DETAILS,
                organisation=acting_organisation(people[0], user),
                detail={"search": form.cleaned_data["q"], "people": [p.pk for p in people]},
                request=request,
            )
    return render(
        request,
        "feedback/staff/privacy_find.jinja",
        {
            "form": form,
            "people": people,
            "organisations": Organisation.objects.filter(
                pk__in=rules.organisations_with(user, rules.MANAGE_PRIVACY_REQUESTS)
            ).order_by("name"),
            "staff_area": True,
        },
    )


@staff_member_required
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    user = _privacy_staff(request)
    person = access_person(user, person_id)
    record_audit(
        user,
        VIEWED_CONTACT_DETAILS,
        organisation=acting_organisation(person, user),
        subject=person,
        request=request,
    )
    return render(
        request,
        "feedback/staff/privacy_person.jinja",
        {
            "person": person,
            "consents": person.consents.select_related("recorded_by").order_by("-given_at"),
            "groups": person.groups_of_interest.select_related("host").order_by("name"),
            "experiences": experiences_of(person, user),
            "staff_area": True,
        },
    )


@staff_member_required
@require_POST
def withdraw(request: HttpRequest, person_id: int, consent_id: int) -> HttpResponse:
    user = _privacy_staff(request)
    person = access_person(user, person_id)
    consent = get_object_or_404(person.consents, pk=consent_id)
    if withdraw_consent(consent, user, acting_organisation(person, user), request):
        messages.success(
            request, f"Recorded that consent to “{consent.get_purpose_display()}” was withdrawn"
        )
    return redirect("staff:privacy_person", person_id=person.pk)


@staff_member_required
def export(request: HttpRequest, person_id: int, file_format: str) -> HttpResponse:
    user = _privacy_staff(request)
    if file_format not in ("json", "csv"):
        raise Http404("Exports are JSON or CSV")
    person = access_person(user, person_id)
    record = export_person(person, user, file_format, request)
    if file_format == "json":
        response = HttpResponse(
            json.dumps(record, indent=2, ensure_ascii=False), content_type="application/json"
        )
    else:
        response = HttpResponse(record_as_csv(record), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="person-{person.pk}.{file_format}"'
    return response


@staff_member_required
def erase(request: HttpRequest, person_id: int) -> HttpResponse:
    user = _privacy_staff(request)
    person = access_person(user, person_id)
    form = EraseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        erase_person(person, user, request)
        messages.success(
            request, f"Erased person {person.pk}: their comments are kept without them"
        )
        return redirect("staff:privacy_find")
    return render(
        request,
        "feedback/staff/privacy_erase.jinja",
        {
            "person": person,
            "form": form,
            "experience_count": experiences_of(person, user).count(),
            "staff_area": True,
        },
    )


@staff_member_required
def organisation_details(request: HttpRequest, organisation_id: int) -> HttpResponse:
    """An organisation admin keeps what the privacy notice says about their organisation."""
    user = _privacy_staff(request)
    orgs = rules.organisations_with(user, rules.MANAGE_PRIVACY_REQUESTS)
    organisation = get_object_or_404(Organisation, pk=organisation_id, pk__in=orgs)
    form = OrganisationPrivacyForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        update_organisation_details(form, user, request)
        messages.success(request, f"Saved the privacy details of {organisation.name}")
        return redirect("staff:privacy_organisation", organisation_id=organisation.pk)
    return render(
        request,
        "feedback/staff/privacy_organisation.jinja",
        {"form": form, "organisation": organisation, "staff_area": True},
    )
