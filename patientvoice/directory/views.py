"""Public pages: the home page, "find your local group", groups and services."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from patientvoice.directory.models import Group, Service
from patientvoice.directory.pages import group_sections
from patientvoice.directory.queries import find_groups

PAGE_SIZE = 20
# A trust runs hundreds of services: the group page lists the first few and links to the search
# for the rest.
GROUP_SERVICES = 10


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "directory/home.jinja", {"kinds": Group.Kind.choices})


def find_group(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    kind = request.GET.get("kind", "")
    if kind not in Group.Kind.values:
        kind = ""
    searched = "q" in request.GET or "kind" in request.GET
    page = None
    if searched:
        page = Paginator(find_groups(query, kind), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "directory/find_group.jinja",
        {"query": query, "kind": kind, "kinds": Group.Kind.choices, "page": page},
    )


def group_detail(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_object_or_404(
        Group.objects.select_related("host").prefetch_related("influences", "areas"),
        slug=slug,
        is_published=True,
    )
    # One more than shown, to know whether to link to the rest without counting them all.
    services = list(
        Service.objects.filter(organisation=group.host, is_active=True)
        .select_related("site")
        .order_by("name")[: GROUP_SERVICES + 1]
    )
    return render(
        request,
        "directory/group_detail.jinja",
        {
            "group": group,
            "services": services[:GROUP_SERVICES],
            "more_services": len(services) > GROUP_SERVICES,
            "sections": group_sections(group),
        },
    )


def static_page(request: HttpRequest, template: str) -> HttpResponse:
    return render(request, f"directory/{template}.jinja")
