from __future__ import annotations

import datetime
from pathlib import PurePath
from typing import Any

from django import forms
from django.utils import timezone

from patientvoice.involvement.models import Action, GroupMember, GroupRole, Meeting
from patientvoice.people.forms import ContactDetailsForm
from patientvoice.people.models import Person
from patientvoice.ui import DatePartsField

# Papers members download and open: documents only, never anything a browser would run.
PAPER_SUFFIXES = {".pdf", ".doc", ".docx", ".odt", ".rtf", ".txt"}

SHARE_CHOICES = [
    ("share_email", "My email address"),
    ("share_phone", "My phone number"),
    ("share_address", "My postal address"),
]


class JoinForm(ContactDetailsForm):
    """Ask to join a group: the "Get involved" form's contact details and defences."""

    contacted_by = "the group"
    preferred_contact = forms.ChoiceField(
        label="How should the group contact you?",
        choices=Person.ContactMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the group should contact you"},
    )
    share = forms.MultipleChoiceField(
        label="What may the group's chair, secretary and staff lead see?",
        choices=SHARE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="They always see your name. Anything you do not tick stays with the"
        " organisation that runs the group",
    )
    about_me = forms.CharField(
        label="Tell the group about yourself (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example why you would like to join. Do not include medical details",
    )
    consent = forms.BooleanField(
        label="I agree that the organisation running the group may keep these details and pass"
        " my name, and what I ticked above, to the group's organisers",
        error_messages={"required": "You must agree before we can pass on your request"},
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("accept", "Accept"), ("decline", "Decline")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select accept or decline"},
    )
    reply = forms.CharField(
        label="Message to the person (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example when and where the next meeting is",
    )


class MeetingForm(forms.Form):
    date = DatePartsField(
        label="Date",
        allow_future=True,
        help_text="For example 15 3 2027",
        error_messages={"required": "Enter the date of the meeting"},
    )
    time = forms.TimeField(
        label="Start time",
        help_text="24-hour clock, for example 18:30",
        error_messages={"required": "Enter the start time", "invalid": "Enter a time like 18:30"},
    )
    place = forms.CharField(label="Place (optional if online)", required=False, max_length=300)
    online_link = forms.URLField(
        label="Online meeting link (optional)",
        required=False,
        assume_scheme="https",
        error_messages={"invalid": "Enter a link starting https://"},
    )
    agenda = forms.CharField(
        label="Agenda",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One item a line",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("place") and not data.get("online_link") and not self.errors:
            self.add_error("place", "Enter where the meeting is, or its online link")
        return data

    def starts_at(self) -> datetime.datetime:
        moment = datetime.datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"])
        return timezone.make_aware(moment)

    def agenda_items(self) -> list[str]:
        return [line.strip()[:300] for line in self.cleaned_data["agenda"].splitlines()]


class PaperForm(forms.Form):
    title = forms.CharField(
        label="Title", max_length=300, error_messages={"required": "Enter the paper's title"}
    )
    file = forms.FileField(
        label="File",
        help_text="A PDF, Word, OpenDocument, rich text or plain text file",
        error_messages={"required": "Choose the file to upload"},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if PurePath(upload.name or "").suffix.lower() not in PAPER_SUFFIXES:
            raise forms.ValidationError("The file must be a PDF, Word, OpenDocument or text file")
        return upload


class MinutesForm(forms.Form):
    attendance = forms.CharField(
        label="Present and apologies",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    discussion = forms.CharField(
        label="What was discussed", required=False, widget=forms.Textarea(attrs={"rows": 8})
    )


class DecisionTextForm(forms.Form):
    text = forms.CharField(
        label="Decision",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter the decision"},
    )


class ActionForm(forms.Form):
    description = forms.CharField(
        label="Action",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter what will be done"},
    )
    owner = forms.CharField(
        label="Who will do it", max_length=200, error_messages={"required": "Enter who will do it"}
    )
    due_on = DatePartsField(
        label="Due by (optional)",
        required=False,
        allow_future=True,
        help_text="For example 30 4 2027",
    )


class ApproveForm(forms.Form):
    meeting = forms.ModelChoiceField(
        label="Approved at the meeting of",
        queryset=Meeting.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select the meeting that approved these minutes"},
    )

    def __init__(self, *args: Any, meetings: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["meeting"]
        field.queryset = meetings  # type: ignore[attr-defined]
        field.label_from_instance = lambda m: (  # type: ignore[attr-defined]
            f"{timezone.localtime(m.starts_at):%-d %B %Y}"
        )


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Action.Status.choices)


class SeatForm(forms.Form):
    committee = forms.CharField(
        label="Committee",
        max_length=200,
        help_text="For example Health Scrutiny Committee",
        error_messages={"required": "Enter the committee's name"},
    )
    body = forms.CharField(
        label="Whose committee is it?",
        max_length=200,
        help_text="For example Kirkby Moor Borough Council",
        error_messages={"required": "Enter the organisation the committee belongs to"},
    )
    holder = forms.ModelChoiceField(
        label="Seat holder",
        queryset=GroupMember.objects.none(),
        required=False,
        empty_label="Vacant",
    )
    term_start = DatePartsField(
        label="Term starts",
        allow_future=True,
        error_messages={"required": "Enter when the term starts"},
    )
    term_end = DatePartsField(label="Term ends (optional)", required=False, allow_future=True)
    appointing_body = forms.CharField(
        label="Appointed by",
        max_length=200,
        error_messages={"required": "Enter who appoints to the seat"},
    )

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["holder"]
        field.queryset = members  # type: ignore[attr-defined]
        field.label_from_instance = lambda m: m.person.full_name  # type: ignore[attr-defined]


class ReportBackForm(forms.Form):
    meeting_on = DatePartsField(
        label="When did the committee meet?",
        error_messages={"required": "Enter when the committee met"},
    )
    discussed = forms.CharField(
        label="What was discussed",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter what was discussed"},
    )
    said_for_patients = forms.CharField(
        label="What you said for patients",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter what you said for patients"},
    )
    decided = forms.CharField(
        label="What was decided (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MessageForm(forms.Form):
    subject = forms.CharField(
        label="Subject", max_length=200, error_messages={"required": "Enter a subject"}
    )
    body = forms.CharField(
        label="Message",
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Enter your message"},
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        label="Role in the group",
        choices=GroupRole.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a role"},
    )
