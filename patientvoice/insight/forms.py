from __future__ import annotations

from typing import Any

from django import forms

from patientvoice.insight import triage
from patientvoice.insight.models import Concern, ConcernDecision, SentimentAssignment, Theme


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


class ConcernDecisionForm(forms.Form):
    """Confirm, dismiss or regrade one concern; which sentences it is about when it has several."""

    decision = forms.ChoiceField(
        label="Your decision",
        choices=[
            (ConcernDecision.Decision.CONFIRMED, "Confirm: this is a concern"),
            (ConcernDecision.Decision.DISMISSED, "Dismiss: this is not a concern"),
            (ConcernDecision.Decision.REGRADED, "Change its severity or category"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose confirm, dismiss or change"},
    )
    severity = forms.TypedChoiceField(
        label="Severity",
        help_text="Only changed if you choose to change its severity or category",
        choices=list(triage.SEVERITIES.items()),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a severity"},
    )
    category = forms.ChoiceField(
        label="Category",
        help_text="Only changed if you choose to change its severity or category",
        required=False,
        choices=[("", "No category")]
        + [(key, label) for key, (label, _) in triage.CATEGORIES.items()],
    )
    sentences = forms.TypedMultipleChoiceField(
        label="Which sentences is your decision about?",
        help_text="The text model learns from these sentences with your decision",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one sentence"},
    )
    sentence = forms.CharField(
        label="Which sentence of the comment raises the concern? (optional)",
        help_text="Copy it from the comment above, so the text model can learn from it",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )
    reason = forms.CharField(
        label="Why?",
        help_text="Needed to dismiss or change a concern. Do not copy the comment here.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )

    def __init__(self, *args: Any, concern: Concern, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"severity": concern.severity, "category": concern.category})
        super().__init__(*args, **kwargs)
        self.concern = concern
        self.known_sentences = triage.sentences_of(concern)
        if concern.kind != Concern.Kind.SAFEGUARDING:
            del self.fields["category"]
        elif concern.category and concern.category not in triage.CATEGORIES:
            # Keep a category this product does not list selectable, or a severity change
            # would silently blank it.
            field = self.fields["category"]
            field.choices = [  # type: ignore[attr-defined]
                (concern.category, triage.category_label(concern.category)),
                *field.choices,  # type: ignore[attr-defined]
            ]
        if len(self.known_sentences) > 1:
            self.fields["sentences"].choices = list(enumerate(self.known_sentences))  # type: ignore[attr-defined]
            self.initial.setdefault("sentences", list(range(len(self.known_sentences))))
        else:
            del self.fields["sentences"]
        if self.known_sentences:
            del self.fields["sentence"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        decision = data.get("decision")
        needs_reason = decision and decision != ConcernDecision.Decision.CONFIRMED
        if needs_reason and not data.get("reason", "").strip():
            self.add_error("reason", "Say why you are dismissing or changing this concern")
        if decision == ConcernDecision.Decision.REGRADED and (
            data.get("severity"),
            data.get("category", self.concern.category),
        ) == (self.concern.severity, self.concern.category):
            self.add_error("severity", "Choose a different severity or category")
        sentence = data.get("sentence", "").strip()
        if sentence and sentence not in self.concern.comment.text:
            self.add_error("sentence", "Copy the sentence exactly as it is in the comment")
        return data

    def chosen_sentences(self) -> list[str] | None:
        """The sentences chosen, or None for all of the concern's."""
        if "sentences" in self.fields:
            return [self.known_sentences[i] for i in self.cleaned_data["sentences"]]
        if "sentence" in self.fields:
            sentence = self.cleaned_data["sentence"].strip()
            return [sentence] if sentence else []
        return None
