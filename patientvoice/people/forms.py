from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)

from patientvoice.defences import FormTokenField, HoneypotForm, issue_form_token
from patientvoice.directory.models import Group
from patientvoice.people.models import Person, Role, User
from patientvoice.ui import DatePartsField

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


class ContactDetailsForm(HoneypotForm):
    """A name and a way to reach the person, for the public sign-up forms. As on the share form,
    a double submit finds the person it made, and the signed render time lets the defences see a
    post sent within seconds of the page (patientvoice.defences)."""

    # Who will be in touch, for the message when the chosen way has no details: "so we can…".
    contacted_by = "we"

    submission_token = FormTokenField()
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_token", issue_form_token())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needed = {"email": "an email address", "phone": "a phone number", "post": "an address"}
        method = data.get("preferred_contact")
        field = "postal_address" if method == "post" else method
        if method and field and not data.get(field):
            self.add_error(
                field, f"Enter {needed[method]} so {self.contacted_by} can contact you that way"
            )
        return data


class GetInvolvedForm(ContactDetailsForm):
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


class StaffLoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password",
        "inactive": "This account is not active",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6-digit code your app shows now, for example 123456",
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
        error_messages={"required": "Enter the code from your authenticator app"},
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].replace(" ", "")
        if not (code.isascii() and code.isdigit() and len(code) == 6):
            raise forms.ValidationError("The code must be 6 digits, like 123456")
        return code


class StaffPasswordResetForm(PasswordResetForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address like name@example.org",
        },
    )

    def get_users(self, email: str) -> Iterator[Any]:
        # Unlike Django's form, accounts with no password yet are included: they are staff
        # invited by an admin (or demo accounts in production) whose link has expired, and this
        # is how they get a new one. Only active accounts, matched case-insensitively.
        wanted = email.casefold()
        for user in User.objects.filter(email__iexact=email, is_active=True):
            if user.email.casefold() == wanted:
                yield user


class StaffSetPasswordForm(SetPasswordForm):
    error_messages = {"password_mismatch": "The two passwords do not match"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "New password"
        self.fields[
            "new_password1"
        ].help_text = "At least 8 characters, not only numbers, and not a common password"
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].label = "Confirm new password"
        self.fields["new_password2"].error_messages["required"] = "Enter the new password again"


class StaffPasswordChangeForm(StaffSetPasswordForm, PasswordChangeForm):
    error_messages = {
        "password_mismatch": "The two passwords do not match",
        "password_incorrect": "Your current password is not right. Enter it again",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Current password"
        self.fields["old_password"].error_messages["required"] = "Enter your current password"


class InviteStaffForm(forms.Form):
    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": "Enter their full name"},
    )
    email = forms.EmailField(
        label="Work email address",
        help_text="We will email them a link to set their password",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Enter their work email address",
            "invalid": "Enter an email address like name@example.org",
        },
    )
    organisation = forms.TypedChoiceField(
        label="Organisation", coerce=int, error_messages={"required": "Select an organisation"}
    )
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a role"},
    )

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        field.choices = organisations  # type: ignore[attr-defined]
        if len(organisations) == 1:
            field.initial = organisations[0][0]
            field.widget = forms.HiddenInput()


class ChangeRoleForm(forms.Form):
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a role"},
    )


class StaffPolicyForm(forms.Form):
    require_two_factor = forms.BooleanField(
        label="Staff who see contact details or equality answers must use two-factor sign-in",
        required=False,
        help_text="They will be asked to set it up the next time they open a staff page",
    )


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label="What happened", required=False)
    person = forms.CharField(label="Username of who acted", required=False, max_length=150)
    date_from = DatePartsField(label="From", required=False)
    date_to = DatePartsField(label="To", required=False)

    def __init__(self, *args: Any, actions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "Everything"), *actions]  # type: ignore[attr-defined]
