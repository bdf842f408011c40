"""The staff insight page and the comments behind its numbers."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.functional import cached_property

from patientvoice import csvexport
from patientvoice.directory.models import Area, Organisation, Service
from patientvoice.feedback.models import Comment, Experience, Rating
from patientvoice.feedback.summary import since
from patientvoice.insight.charts import draw_xmr
from patientvoice.insight.dashboard import (
    Scope,
    build_insight,
    in_scope,
    scoped_experiences,
)
from patientvoice.insight.models import Concern as ConcernModel
from patientvoice.insight.models import (
    PopulationCount,
    PopulationReference,
    SentimentAssignment,
    Theme,
)
from patientvoice.insight.population import upload_population
from patientvoice.insight.representation import PopulationFileError, assess
from patientvoice.insight.stats import Improvement
from patientvoice.people import rules
from patientvoice.people.audit import EXPORTED, record_audit
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
    month_keys = [m.strftime("%Y-%m") for m in result.months]
    drawing = draw_xmr(result.chart, labels, Improvement.INCREASE)
    rows = list(zip(labels, result.monthly, result.chart.values, month_keys, strict=True))
    table = request.GET.get("table")
    if request.GET.get("format") == "csv" and table in ("monthly", "themes"):
        _record_export(request, scope, f"insight_{table}")
        return _table_csv(table, rows, result.themes)
    who = None
    if rules.has_permission(staff_user(request), rules.VIEW_EQUALITY, scope.organisation.pk):
        period = scoped_experiences(scope).filter(submitted_at__gte=since(scope.start))
        who = assess(period, scope.organisation.area)
    return render(
        request,
        "insight/dashboard.jinja",
        {
            "form": form,
            "insight": result,
            "drawing": drawing,
            "monthly_rows": rows,
            "who": who,
            "query": request.GET.urlencode(),
            "staff_area": True,
        },
    )


def _record_export(request: HttpRequest, scope: Scope, export: str) -> None:
    """Every export is in the audit log, with the filters that chose what it holds."""
    record_audit(
        staff_user(request),
        EXPORTED,
        organisation=scope.organisation,
        detail={"export": export, "query": request.GET.urlencode()},
        request=request,
    )


def _table_csv(table: str, monthly: list[Any], themes: list[Any]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{table}.csv"'
    writer = csvexport.writer(response)
    if table == "monthly":
        writer.writerow(["month", "responses", "percent_positive"])
        for label, rates, value, _key in monthly:
            writer.writerow(
                [label, rates.total if rates else 0, "" if value is None else f"{value:.1f}"]
            )
    else:
        writer.writerow(
            [
                "theme",
                "category",
                "comments",
                "share",
                "positive",
                "neutral",
                "negative",
                "previous_comments",
                "previous_share",
                "change_points",
                "adjusted_p_value",
            ]
        )
        for t in themes:
            writer.writerow(
                [
                    t.name,
                    t.category,
                    t.count,
                    f"{t.share:.4f}",
                    t.positive,
                    t.neutral,
                    t.negative,
                    t.previous_count,
                    f"{t.previous_share:.4f}",
                    f"{100 * t.change.difference:.2f}" if t.change else "",
                    f"{t.adjusted_p:.4f}" if t.adjusted_p is not None else "",
                ]
            )
    return response


class ExplorerForm(forms.Form):
    q = forms.CharField(label="Words in the comment", required=False, max_length=200)
    theme = forms.ChoiceField(label="Theme", required=False)
    sentiment = forms.TypedChoiceField(
        label="Sentiment",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Any sentiment"), *SentimentAssignment.Sentiment.choices],
    )
    rating = forms.TypedChoiceField(
        label="Rating",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Any rating"), *Rating.choices],
    )
    month = forms.RegexField(
        label="Month (YYYY-MM)",
        # A real month of a year the explorer can hold (0000-00 would crash the query).
        regex=r"^(19|20)\d\d-(0[1-9]|1[0-2])$",
        required=False,
        max_length=7,
        error_messages={"invalid": "Enter a month like 2026-03"},
    )
    flag = forms.ChoiceField(
        label="Flagged as",
        required=False,
        choices=[("", "Anything"), *ConcernModel.Kind.choices],
    )

    def __init__(self, data: Any) -> None:
        super().__init__(data)
        names = Theme.objects.order_by("name").values_list("name", flat=True)
        self.fields["theme"].choices = [("", "Any theme"), *((n, n) for n in names)]  # type: ignore[attr-defined]


def search_comments(found: QuerySet[Comment], words: str) -> QuerySet[Comment]:
    """Comments containing the words. PostgreSQL uses its full-text search (English stemming, so
    "parking" also finds "park" and "parked"; the GIN index in feedback migration 0005 must match
    this expression exactly); other databases look for the words as written, in any case."""
    if connections[found.db].vendor == "postgresql":
        return found.alias(words=SearchVector("text", config="english")).filter(
            words=SearchQuery(words, config="english", search_type="websearch")
        )
    return found.filter(text__icontains=words)


def _explore(found: QuerySet[Comment], data: dict[str, Any]) -> QuerySet[Comment]:
    if data.get("q"):
        found = search_comments(found, data["q"])
    # Joins rather than IN subqueries: a comment has at most one current assignment of a theme
    # and one current sentiment, so these joins never repeat a comment.
    if data.get("theme"):
        # By id rather than through a join on the name: PostgreSQL then knows from its
        # statistics how common the theme is and plans the count accordingly.
        theme_id = Theme.objects.filter(name=data["theme"]).values_list("pk", flat=True).first()
        if theme_id is None:
            return found.none()
        found = found.filter(themes__theme_id=theme_id, themes__is_current=True)
    if data.get("sentiment"):
        found = found.filter(sentiments__value=data["sentiment"], sentiments__is_current=True)
    if data.get("rating"):
        found = found.filter(experience__rating=data["rating"])
    if data.get("month"):
        year, month = (int(part) for part in data["month"].split("-"))
        found = found.filter(
            experience__submitted_at__year=year, experience__submitted_at__month=month
        )
    if data.get("flag"):
        found = found.filter(
            pk__in=ConcernModel.objects.filter(kind=data["flag"]).values("comment_id")
        )
    return found


class CappedPaginator(Paginator):
    """Counts matches only up to a limit. An exact count of a large organisation's comments
    costs more than the page itself and nobody pages that far: past the limit the page says
    "more than" and the last page reachable is the limit's."""

    limit = 10_000

    @cached_property
    def count(self) -> int:
        # Unordered: the order only matters for which rows a page shows, not how many there are.
        matches: QuerySet[Any] = self.object_list.order_by()  # type: ignore[attr-defined]
        return matches[: self.limit + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.limit


@staff_member_required
def comments(request: HttpRequest) -> HttpResponseBase:
    form, scope = _scope(request)
    explorer = ExplorerForm(request.GET)
    found = Comment.objects.filter(
        in_scope(scope, "experience__"),
        experience__submitted_at__gte=since(scope.start),
        experience__status=Experience.Status.COUNTED,
    )
    if explorer.is_valid():
        found = _explore(found, explorer.cleaned_data)
    found = found.select_related("experience__service").order_by("-experience__submitted_at", "-pk")
    if request.GET.get("format") == "csv":
        _record_export(request, scope, "comments")
        return _csv(found)
    page = CappedPaginator(found, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "insight/comments.jinja",
        {
            "form": form,
            "explorer": explorer,
            "page": page,
            "scope": scope,
            "query": query.urlencode(),
            "staff_area": True,
        },
    )


def _csv(found: QuerySet[Comment]) -> StreamingHttpResponse:
    """Every matching comment as CSV, streamed so a large export holds little in memory."""

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csvexport.writer(Echo())

    def rows() -> Iterator[str]:
        yield writer.writerow(
            ["reference", "service", "submitted", "rating", "question", "comment"]
        )
        for c in found.iterator(chunk_size=2000):
            e = c.experience
            yield writer.writerow(
                [
                    e.reference,
                    e.service.name,
                    e.submitted_at.date().isoformat(),
                    e.rating or "",
                    c.get_question_display(),
                    c.text,
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="comments.csv"'
    return response


class PopulationForm(forms.Form):
    area = forms.TypedChoiceField(label="Area", coerce=int)
    file = forms.FileField(
        label="Population counts (CSV)",
        help_text=(
            "Columns dimension,category,count; dimensions age_band, sex, ethnic_group and "
            "deprivation_quintile (1 most deprived)"
        ),
        error_messages={"required": "Choose a CSV file of population counts"},
    )

    def __init__(self, *args: Any, areas: list[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [(a.pk, str(a)) for a in areas]  # type: ignore[attr-defined]


@staff_member_required
def population(request: HttpRequest) -> HttpResponse:
    """An organisation admin uploads the population of an area their organisation serves."""
    user = staff_user(request)
    orgs = rules.organisations_with(user, rules.MANAGE_POPULATION)
    if not orgs:
        raise PermissionDenied("Your role does not include population references")
    organisations = list(
        Organisation.objects.filter(pk__in=orgs, area__isnull=False).order_by("name")
    )
    areas = list(Area.objects.filter(organisations__in=orgs).distinct().order_by("name"))
    references = {
        r.area_id: r
        for r in PopulationReference.objects.filter(area__in=areas).select_related(
            "owner", "uploaded_by"
        )
    }
    form = PopulationForm(request.POST or None, request.FILES or None, areas=areas)
    if request.method == "POST" and form.is_valid():
        area = next(a for a in areas if a.pk == form.cleaned_data["area"])
        # Upload for the organisation that already keeps the reference if the user acts for
        # it, otherwise for the first of theirs in the area.
        mine = [o for o in organisations if o.area_id == area.pk]
        kept = references.get(area.pk)
        owner = next((o for o in mine if kept and o.pk == kept.owner_id), mine[0])
        upload = form.cleaned_data["file"]
        try:
            text = io.TextIOWrapper(upload.file, encoding="utf-8-sig")
            count = upload_population(area, owner, user, text, upload.name, request)
        except (PopulationFileError, UnicodeDecodeError) as error:
            problems = (
                error.errors
                if isinstance(error, PopulationFileError)
                else ["The file is not UTF-8 text"]
            )
            form.add_error("file", "Nothing was changed: " + "; ".join(problems[:20]))
        else:
            messages.success(request, f"Saved {count} population counts for {area}")
            return redirect("staff:population")
    counts = PopulationCount.objects.filter(area__in=areas).select_related("area")
    return render(
        request,
        "insight/population.jinja",
        {
            "form": form,
            "counts": counts,
            "references": [references[a.pk] for a in areas if a.pk in references],
            "my_organisations": orgs,
            "staff_area": True,
        },
    )
