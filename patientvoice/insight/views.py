"""Staff pages for the text insight: reviewing a comment, raising a concern, model versions
(the concerns queue is `concern_views`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from patientvoice.feedback.models import Comment, Publication
from patientvoice.feedback.services import publish_comment, withdraw_publication
from patientvoice.insight import review
from patientvoice.insight.access import access_comment
from patientvoice.insight.engine import MEASURES
from patientvoice.insight.forms import RaiseConcernForm, ReviewForm
from patientvoice.insight.models import (
    Classification,
    ModelVersion,
    ReclassificationRun,
    SentimentAssignment,
    ThemeAssignment,
)
from patientvoice.people import rules
from patientvoice.people.decorators import staff_member_required, staff_user


def _comment_context(comment: Comment) -> dict[str, Any]:
    themes = list(
        ThemeAssignment.objects.filter(comment=comment)
        .select_related(
            "theme",
            "model_version",
            "assigned_by",
            "reviewed_by",
        )
        .order_by("-is_current", "theme__category", "theme__name")
    )
    sentiments = list(
        SentimentAssignment.objects.filter(comment=comment)
        .select_related(
            "model_version",
            "assigned_by",
            "reviewed_by",
        )
        .order_by("-is_current", "-assigned_at")
    )
    return {
        "comment": comment,
        "current_themes": [t for t in themes if t.is_current],
        "history": themes,
        "sentiments": sentiments,
        "current_sentiment": next((s for s in sentiments if s.is_current), None),
        "classification": Classification.objects.filter(comment=comment)
        .select_related("model_version")
        .order_by("-classified_at")
        .first(),
        "staff_area": True,
    }


@staff_member_required
def comment_review(request: HttpRequest, comment_id: int) -> HttpResponse:
    """A comment's themes and sentiment, and where it is published or raised as a concern: open
    to each role that may do any of these, showing only what the role may do (an organisation
    admin publishes and raises concerns but does not correct the model)."""
    user = staff_user(request)
    comment = access_comment(
        user, comment_id, rules.REVIEW_CLASSIFICATION, rules.PUBLISH_COMMENTS, rules.TRIAGE_CONCERNS
    )
    can_review = rules.has_permission(
        user, rules.REVIEW_CLASSIFICATION, comment.experience.organisation_id
    )
    if request.method == "POST" and not can_review:
        raise PermissionDenied("Your role does not include correcting the text model")
    context = _comment_context(comment)
    initial = {
        "themes": [t.theme.name for t in context["current_themes"]],
        "sentiment": getattr(context["current_sentiment"], "value", None),
    }
    form = ReviewForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            review.record_review(
                comment,
                staff_user(request),
                form.cleaned_data["themes"],
                form.cleaned_data["sentiment"],
            )
        except ValidationError as error:
            form.add_error("themes", error)
        else:
            messages.success(request, "Your review has been saved")
            return redirect("staff:comment_review", comment_id=comment.pk)
    publish_context = _publish_context(request, comment, context["classification"])
    can_raise = rules.has_permission(
        staff_user(request), rules.TRIAGE_CONCERNS, comment.experience.organisation_id
    )
    return render(
        request,
        "insight/comment_review.jinja",
        {
            **context,
            **publish_context,
            "form": form,
            "can_review": can_review,
            "raise_form": RaiseConcernForm() if can_raise else None,
        },
    )


def _publish_context(
    request: HttpRequest, comment: Comment, classification: Classification | None
) -> dict[str, Any]:
    org_id = comment.experience.organisation_id
    if not rules.has_permission(staff_user(request), rules.PUBLISH_COMMENTS, org_id):
        return {"can_publish": False}
    publication = Publication.objects.filter(comment=comment).first()
    live = publication if publication and publication.withdrawn_at is None else None
    # Start from what is live, else the model's proposed redaction, else the comment itself:
    # the person publishing reads and edits it either way.
    text = (live and live.text) or (classification and classification.proposed_redaction)
    return {
        "can_publish": comment.experience.may_publish,
        "publication": live,
        "publish_text": text or comment.text,
    }


@staff_member_required
@require_POST
def publish(request: HttpRequest, comment_id: int) -> HttpResponse:
    user = staff_user(request)
    comment = access_comment(user, comment_id, rules.PUBLISH_COMMENTS)
    if request.POST.get("action") == "withdraw":
        publication = Publication.objects.filter(comment=comment, withdrawn_at__isnull=True)
        for live in publication:
            withdraw_publication(live, user)
        messages.success(request, "The comment is no longer published")
        return redirect("staff:comment_review", comment_id=comment.pk)
    try:
        publish_comment(comment, request.POST.get("text", ""), user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The redacted comment is published on the service's page")
    return redirect("staff:comment_review", comment_id=comment.pk)


@staff_member_required
@require_POST
def raise_concern(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = access_comment(staff_user(request), comment_id, rules.TRIAGE_CONCERNS)
    form = RaiseConcernForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose the kind of concern and say why you are raising it")
        return redirect("staff:comment_review", comment_id=comment.pk)
    concern = review.raise_concern(
        comment,
        staff_user(request),
        form.cleaned_data["kind"],
        1,
        form.cleaned_data["note"],
    )
    return redirect("staff:concern_detail", concern_id=concern.pk)


@staff_member_required
def model_versions(request: HttpRequest) -> HttpResponse:
    if not rules.organisations_with(staff_user(request), rules.VIEW_MODEL_VERSIONS):
        raise PermissionDenied("Your role does not include model versions")
    versions = ModelVersion.objects.all()
    runs = ReclassificationRun.objects.select_related("model_version")[:10]
    return render(
        request,
        "insight/model_versions.jinja",
        {"versions": versions, "runs": runs, "measures": MEASURES, "staff_area": True},
    )
