from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from patientvoice.directory.models import Area, Organisation, Service
from patientvoice.feedback.models import Publication
from patientvoice.influence.models import Evidence, Response
from patientvoice.insight.models import Theme
from patientvoice.ui import DatePartsField


class ReportForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label="Reporting organisation",
        queryset=Organisation.objects.none(),
        empty_label=None,
        error_messages={"required": "Choose the organisation that reports"},
    )
    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Enter the report's title"}
    )
    summary = forms.CharField(
        label="Summary", widget=forms.Textarea(attrs={"rows": 5}), required=False, max_length=8000
    )
    area = forms.ModelChoiceField(
        label="Area",
        queryset=Area.objects.order_by("name"),
        required=False,
        help_text="Every service of the organisations in this area, unless you choose services",
    )
    services = forms.ModelMultipleChoiceField(
        label="Services",
        queryset=Service.objects.select_related("organisation").order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave empty for the whole area, or your organisation's own services",
    )
    period_start = forms.DateField(
        label="First month",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        help_text="For example 2026-04",
        error_messages={
            "required": "Enter the first month",
            "invalid": "Enter a month like 2026-04",
        },
    )
    period_end = forms.DateField(
        label="Last month",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        help_text="For example 2026-09",
        error_messages={
            "required": "Enter the last month",
            "invalid": "Enter a month like 2026-09",
        },
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The last month must be after the first month")
        if end and end > timezone.localdate():
            self.add_error("period_end", "The last month cannot be in the future")
        return data


class FindingForm(forms.Form):
    title = forms.CharField(
        label="Finding", max_length=200, error_messages={"required": "Enter the finding"}
    )
    text = forms.CharField(
        label="What we found",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=8000,
        error_messages={"required": "Say what you found"},
    )


class FigureForm(forms.Form):
    measure = forms.ChoiceField(
        label="Figure",
        choices=Evidence.Measure.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the figure"},
    )
    theme = forms.ModelChoiceField(
        label="Theme (for a theme's share)", queryset=Theme.objects.all(), required=False
    )
    service = forms.ModelChoiceField(
        label="Service",
        queryset=Service.objects.none(),
        required=False,
        empty_label="The report's whole scope",
    )

    def __init__(self, *args: Any, services: list[Service], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(  # type: ignore[attr-defined]
            pk__in=[s.pk for s in services]
        ).select_related("organisation")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("measure") == Evidence.Measure.THEME and not data.get("theme"):
            self.add_error("theme", "Choose the theme")
        return data


class QuoteForm(forms.Form):
    publication = forms.ModelChoiceField(
        label="Published comment",
        queryset=Publication.objects.none(),
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a published comment"},
    )

    def __init__(self, *args: Any, publications: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["publication"]
        field.queryset = publications  # type: ignore[attr-defined]
        field.label_from_instance = lambda p: p.text  # type: ignore[attr-defined]


class NoteForm(forms.Form):
    note = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=8000,
        error_messages={"required": "Enter the note"},
    )
    source = forms.CharField(
        label="Where it comes from",
        max_length=200,
        help_text='For example "Enter and view visit, Ward 4, 3 March 2026"',
        error_messages={"required": "Say where the note comes from"},
    )


class RecommendationForm(forms.Form):
    text = forms.CharField(
        label="Recommendation",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={"required": "Enter the recommendation"},
    )
    addressed_to = forms.ModelChoiceField(
        label="Addressed to",
        queryset=Organisation.objects.order_by("name"),
        help_text="The provider, commissioner or council that must respond",
        error_messages={"required": "Choose the organisation that must respond"},
    )


class ContactForm(forms.Form):
    name = forms.CharField(
        label="Who to escalate to",
        max_length=200,
        help_text="For example: ICB quality team, Healthwatch England, CQC",
        error_messages={"required": "Enter who to escalate to"},
    )
    email = forms.EmailField(
        label="Email address",
        required=False,
        help_text="Leave empty if you will write or phone",
        error_messages={"invalid": "Enter an email address like name@example.org"},
    )


class CorrectionForm(forms.Form):
    note = forms.CharField(
        label="What changes in the new version",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={"required": "Say what changes"},
    )


class ResponseForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your response",
        choices=Response.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the recommendation is accepted"},
    )
    reasons = forms.CharField(
        label="Reasons",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=8000,
        error_messages={"required": "Give your reasons"},
    )
    planned_actions = forms.CharField(
        label="Planned actions",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=8000,
        required=False,
        help_text="What will be done, by whom and when (needed unless not accepted)",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") in ("accepted", "partly") and not data.get("planned_actions"):
            self.add_error("planned_actions", "Say what will be done")
        return data


class ReceivedResponseForm(ResponseForm):
    """A response that came by letter or email, entered by the reporting organisation."""

    received = forms.ChoiceField(
        label="How it was received",
        choices=[c for c in Response.Received.choices if c[0] != Response.Received.ONLINE],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the response was received"},
    )
    received_on = DatePartsField(
        label="Date received",
        help_text="For example 14 5 2026",
        error_messages={"required": "Enter the date received"},
    )
