"""The Friends and Family Test form, for the public and for staff entering it for someone."""

from __future__ import annotations

from typing import Any

from django import forms

from patientvoice.defences import FormTokenField, HoneypotForm, issue_form_token
from patientvoice.directory.models import postcode_district
from patientvoice.feedback.models import FFT_QUESTION, Experience, Rating
from patientvoice.people.models import EqualityMonitoring
from patientvoice.ui import DatePartsField

EQUALITY_FIELDS = ("age_band", "sex", "ethnicity", "disability", "postcode_district")
MAX_COMMENT = 5000


def _optional_choice(label: str, choices: Any, widget: type[forms.Widget]) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=choices, required=False, widget=widget)


class ShareExperienceForm(HoneypotForm):
    submission_token = FormTokenField()
    rating = forms.TypedChoiceField(
        label=FFT_QUESTION,
        choices=Rating.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how your experience was overall"},
    )
    what_was_good = forms.CharField(
        label="What was good?",
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Do not include names or anything that could identify you or someone else.",
    )
    could_be_better = forms.CharField(
        label="What could be better?",
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    happened_on = DatePartsField(
        label="When did it happen?",
        required=False,
        help_text="For example, 27 3 2026. Leave blank if you are not sure.",
    )
    respondent = forms.ChoiceField(
        label="Who is answering?",
        choices=Experience.Respondent.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who is answering"},
    )
    may_publish = forms.BooleanField(
        label="You may publish what I wrote without my name, after it has been checked",
        required=False,
    )
    may_contact = forms.BooleanField(label="You may contact me about what I said", required=False)
    contact_name = forms.CharField(label="Your name", required=False, max_length=200)
    contact_email = forms.EmailField(
        label="Email address",
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": "Enter an email address like name@example.com"},
    )
    contact_phone = forms.CharField(
        label="Phone number",
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel"}),
    )
    age_band = _optional_choice("Age", EqualityMonitoring.AgeBand.choices, forms.RadioSelect)
    sex = _optional_choice("Sex", EqualityMonitoring.Sex.choices, forms.RadioSelect)
    ethnicity = _optional_choice(
        "Ethnic group",
        [("", "Choose an ethnic group"), *EqualityMonitoring.Ethnicity.choices],
        forms.Select,
    )
    disability = _optional_choice(
        "Do you consider yourself to have a disability or long-term condition?",
        EqualityMonitoring.Disability.choices,
        forms.RadioSelect,
    )
    postcode_district = forms.CharField(
        label="The first part of your postcode",
        required=False,
        max_length=8,
        help_text="For example, LS6",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-5"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_token", issue_form_token())

    def clean_postcode_district(self) -> str:
        raw = self.cleaned_data["postcode_district"]
        if not raw:
            return ""
        district = postcode_district(raw)
        if district is None:
            raise forms.ValidationError("Enter the first part of a postcode, like LS6")
        return district

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("may_contact"):
            if not data.get("contact_name"):
                self.add_error("contact_name", "Enter your name so we know who to ask for")
            if not (data.get("contact_email") or data.get("contact_phone")):
                self.add_error("contact_email", "Enter an email address or a phone number")
        return data

    def equality_answers(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in EQUALITY_FIELDS}


class _SharedFields(dict[str, forms.Field]):
    """A form class's fields, which every instance uses as they are instead of deep-copying.

    Django gives each form instance a deep copy of its class's fields so that one instance may
    change its fields (choices, widgets) without touching the others. The public share form
    never changes them, and copying its eighteen fields, their widgets and choices was a fifth
    of the cost of building the form on every public page and post. Only for a form whose code
    leaves `self.fields` alone; a subclass gets the usual copies (Django builds its fields anew).
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, forms.Field]:
        return dict(self)


ShareExperienceForm.base_fields = _SharedFields(ShareExperienceForm.base_fields)


class CaptureExperienceForm(ShareExperienceForm):
    """Staff or a volunteer entering an experience heard by phone, on paper or at an event."""

    website = None  # type: ignore[assignment]  # no honeypot: staff are signed in

    channel = forms.ChoiceField(
        label="How did you hear it?",
        choices=[
            (c.value, c.label)
            for c in (Experience.Channel.PHONE, Experience.Channel.PAPER, Experience.Channel.EVENT)
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select how you heard this experience"},
    )
    consent_method = forms.ChoiceField(
        label="How did the person give their consent choices?",
        choices=[
            (c.value, c.label)
            for c in (Experience.ConsentMethod.VERBAL, Experience.ConsentMethod.WRITTEN)
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select how consent was given"},
    )

    field_order = ["submission_token", "channel", "consent_method"]


class FeedbackFilterForm(forms.Form):
    """Filters on the staff feedback list; every field is optional."""

    service = forms.TypedChoiceField(label="Service", required=False, coerce=int, empty_value=None)
    rating = forms.TypedChoiceField(
        label="Rating",
        choices=[("", "Any rating"), *Rating.choices],
        required=False,
        coerce=int,
        empty_value=None,
    )
    channel = forms.ChoiceField(
        label="Channel", choices=[("", "Any channel"), *Experience.Channel.choices], required=False
    )
    date_from = DatePartsField(label="Submitted from", required=False, allow_future=True)
    date_to = DatePartsField(label="Submitted to", required=False, allow_future=True)

    def __init__(self, *args: Any, services: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", "Any service"), *services]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return data
