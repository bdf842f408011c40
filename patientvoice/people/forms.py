from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from patientvoice.directory.models import Group
from patientvoice.people.models import Person

INTERESTS = [
    ("gp", "GP and primary care"),
    ("hospital", "Hospital care"),
    ("mental_health", "Mental health"),
    ("maternity", "Maternity and neonatal care"),
    ("cancer", "Cancer care"),
    ("social_care", "Social care"),
    ("carers", "Support for carers"),
    ("digital", "Online and digital services"),
]


class GetInvolvedForm(forms.Form):
    full_name = forms.CharField(
        label="Full name",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Enter your full name"},
    )
    preferred_contact = forms.ChoiceField(
        label="How would you like us to contact you?",
        choices=Person.ContactMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how you would like us to contact you"},
    )
    email = forms.EmailField(
        label="Email address",
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": "Enter an email address like name@example.com"},
    )
    phone = forms.CharField(
        label="Phone number",
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel"}),
    )
    postal_address = forms.CharField(
        label="Postal address",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "street-address"}),
    )
    interests = forms.MultipleChoiceField(
        label="What are you interested in?",
        choices=INTERESTS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply",
    )
    groups = forms.MultipleChoiceField(
        label="Which groups would you like to hear from?",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="We will pass your details only to the groups you choose",
    )
    access_needs = forms.CharField(
        label="Do you have any access needs?",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, a hearing loop, large print, step-free access or an interpreter",
    )
    consent = forms.BooleanField(
        label="I agree that you may keep these details and contact me about getting involved",
        error_messages={"required": "You must agree before we can keep your details"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["groups"].choices = list(  # type: ignore[attr-defined]
            Group.objects.filter(is_published=True).order_by("name").values_list("slug", "name")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needed = {"email": "an email address", "phone": "a phone number", "post": "an address"}
        method = data.get("preferred_contact")
        field = "postal_address" if method == "post" else method
        if method and field and not data.get(field):
            self.add_error(field, f"Enter {needed[method]} so we can contact you that way")
        return data


class StaffLoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password",
        "inactive": "This account is not active",
    }
