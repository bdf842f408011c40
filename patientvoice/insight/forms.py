from __future__ import annotations

from typing import Any

from django import forms

from patientvoice.insight.models import Concern, SentimentAssignment, Theme


class ReviewForm(forms.Form):
    themes = forms.MultipleChoiceField(
        label="Themes",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one theme"},
    )
    sentiment = forms.TypedChoiceField(
        label="Sentiment",
        choices=SentimentAssignment.Sentiment.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the sentiment"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.themes_by_category: dict[str, list[tuple[str, str]]] = {}
        for theme in Theme.objects.order_by("category", "name"):
            self.themes_by_category.setdefault(theme.category, []).append((theme.name, theme.name))
        self.fields["themes"].choices = [  # type: ignore[attr-defined]
            choice for choices in self.themes_by_category.values() for choice in choices
        ]


class CloseConcernForm(forms.Form):
    action_taken = forms.CharField(
        label="What was done?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text="For example: referred to the safeguarding lead; contacted the person; logged "
        "as a complaint with reference C-1234",
        error_messages={"required": "Say what was done before closing the concern"},
    )


class RaiseConcernForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of concern",
        choices=Concern.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of concern"},
    )
    note = forms.CharField(
        label="Why are you raising it?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Say why you are raising it"},
    )
