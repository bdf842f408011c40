"""Read-only look-ups for the public directory pages."""

from __future__ import annotations

import unicodedata

from django.db.models import Q, QuerySet

from patientvoice.directory.models import Area, Group, Organisation, Service, postcode_district


def search_words(query: str) -> str:
    """What a person typed, without control characters (a NUL cannot reach PostgreSQL, and
    none of them is a word), trimmed."""
    return "".join(c for c in query if unicodedata.category(c) != "Cc").strip()


def _areas_matching(query: str, *, wider: bool) -> QuerySet[Area]:
    """Areas named by the query or holding the postcode district it contains, and the places
    inside them; with `wider`, also the areas they lie in (an ICB-wide group covers each place
    in the ICB, but an ICB-hosted group for one place does not cover its neighbours)."""
    match = Q(name__icontains=query)
    district = postcode_district(query)
    if district:
        match |= Q(postcode_districts__code=district)
    direct = Area.objects.filter(match).values("pk")
    around = Q(pk__in=direct) | Q(parent__in=direct)
    if wider:
        around |= Q(children__in=direct)
    return Area.objects.filter(around).distinct()


def find_groups(query: str = "", kind: str = "") -> QuerySet[Group]:
    groups = Group.objects.filter(is_published=True)
    if kind:
        groups = groups.filter(kind=kind)
    query = search_words(query)
    if query:
        practices = Organisation.objects.filter(
            Q(name__icontains=query) | Q(ods_code__iexact=query)
        ).values("pk")
        covering = _areas_matching(query, wider=True).values("pk")
        local_orgs = Organisation.objects.filter(
            area__in=_areas_matching(query, wider=False).values("pk")
        ).values("pk")
        groups = groups.filter(
            Q(name__icontains=query)
            | Q(summary__icontains=query)
            | Q(areas__in=covering)
            | Q(host__in=practices)
            | Q(influences__in=practices)
            | Q(host__in=local_orgs)
        )
        groups = Group.objects.filter(pk__in=groups.values("pk"))
    return groups.select_related("host").prefetch_related("areas").order_by("name")


def find_services(query: str) -> QuerySet[Service]:
    services = Service.objects.filter(is_active=True)
    query = search_words(query)
    if query:
        areas = _areas_matching(query, wider=False).values("pk")
        services = services.filter(
            Q(name__icontains=query)
            | Q(organisation__name__icontains=query)
            | Q(site__name__icontains=query)
            | Q(site__postcode__istartswith=postcode_district(query) or query)
            | Q(organisation__area__in=areas)
        )
        services = Service.objects.filter(pk__in=services.values("pk"))
    return services.select_related("organisation", "site").order_by("name", "organisation__name")
