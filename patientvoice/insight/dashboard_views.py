"""The staff insight page and the comments behind its numbers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from patientvoice.directory.models import Organisation, Service
from patientvoice.feedback.models import Comment, Experience
from patientvoice.insight.charts import draw_xmr
from patientvoice.insight.dashboard import Scope, build_insight, scoped_experiences
from patientvoice.insight.stats import Improvement
from patientvoice.people import rules
from patientvoice.people.decorators import staff_member_required, staff_user


class ScopeForm(forms.Form):
    organisation = forms.TypedChoiceField(label="Organisation", coerce=int)
    service = forms.TypedChoiceField(label="Service", coerce=int, required=False, empty_value=None)
    months = forms.TypedChoiceField(
        label="Period",
        coerce=int,
        initial=12,
        choices=[
            (3, "Last 3 months"),
            (6, "Last 6 months"),
            (12, "Last 12 months"),
            (24, "Last 24 months"),
        ],
    )
    channel = forms.ChoiceField(
        label="Channel", required=False, choices=[("", "Any channel"), *Experience.Channel.choices]
    )

    def __init__(self, data: Any, organisations: list[Organisation]) -> None:
        super().__init__(data)
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]  # type: ignore[attr-defined]
        services = (
            Service.objects.filter(organisation__in=organisations)
            .select_related("organisation")
            .order_by("organisation__name", "name")
        )
        service_choices = [(s.pk, f"{s.name} ({s.organisation.name})") for s in services]
        self.fields["service"].choices = [("", "All services"), *service_choices]  # type: ignore[attr-defined]


def _scope(request: HttpRequest) -> tuple[ScopeForm, Scope]:
    orgs = rules.organisations_with(staff_user(request), rules.VIEW_FEEDBACK)
    organisations = list(Organisation.objects.filter(pk__in=orgs).order_by("name"))
    if not organisations:
        raise PermissionDenied("Your role does not include insight")
    data = request.GET.copy()
    data.setdefault("organisation", str(organisations[0].pk))
    data.setdefault("months", "12")
    form = ScopeForm(data, organisations)
    if not form.is_valid():
        return form, Scope(organisations[0], None, 12)
    organisation = next(o for o in organisations if o.pk == form.cleaned_data["organisation"])
    service = Service.objects.filter(
        pk=form.cleaned_data["service"], organisation=organisation
    ).first()
    scope = Scope(organisation, service, form.cleaned_data["months"], form.cleaned_data["channel"])
    return form, scope


@staff_member_required
def insight(request: HttpRequest) -> HttpResponse:
    form, scope = _scope(request)
    result = build_insight(scope)
    labels = [m.strftime("%b %Y") for m in result.months]
    drawing = draw_xmr(result.chart, labels, Improvement.INCREASE)
    rows = list(zip(labels, result.monthly, result.chart.values, strict=True))
    return render(
        request,
        "insight/dashboard.jinja",
        {
            "form": form,
            "insight": result,
            "drawing": drawing,
            "monthly_rows": rows,
            "query": request.GET.urlencode(),
            "staff_area": True,
        },
    )


@staff_member_required
def comments(request: HttpRequest) -> HttpResponse:
    form, scope = _scope(request)
    found = Comment.objects.filter(
        experience__in=scoped_experiences(scope),
        experience__submitted_at__date__gte=scope.start,
    )
    theme = request.GET.get("theme", "")
    if theme:
        found = found.filter(themes__theme__name=theme, themes__is_current=True)
    found = found.select_related("experience__service").order_by("-experience__submitted_at", "-pk")
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "insight/comments.jinja",
        {
            "form": form,
            "page": page,
            "theme": theme,
            "scope": scope,
            "query": query.urlencode(),
            "staff_area": True,
        },
    )
