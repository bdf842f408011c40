"""Read-only look-ups for the public directory pages."""

from __future__ import annotations

import time
import unicodedata

from django.db.models import Q, QuerySet
from django.db.models.signals import post_delete, post_save

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


# --- The service a public form is about ------------------------------------------------------

# How long a worker process reuses what it found for a slug. Each public page and post needs
# the service and its organisation; they change rarely (a service closes, a name is corrected).
# A change saved in one process clears that process's copies at once; the others see it within
# this many seconds (an update() that bypasses signals, likewise).
SHAREABLE_SERVICE_SECONDS = 10.0
_shareable: dict[str, tuple[float, Service]] = {}


def shareable_service(slug: str) -> Service:
    """The active service with this slug, with its organisation; Service.DoesNotExist if none.

    Found once per worker process every SHAREABLE_SERVICE_SECONDS: the public share form is
    the busiest page, and the query was a tenth of its cost. A service not found (closed,
    mistyped) is looked up every time. Callers must not change the instance: it is shared by
    the requests of the next few seconds.
    """
    now = time.monotonic()
    found = _shareable.get(slug)
    if found is not None and now - found[0] < SHAREABLE_SERVICE_SECONDS:
        return found[1]
    service = Service.objects.select_related("organisation").get(slug=slug, is_active=True)
    _shareable[slug] = (now, service)
    return service


def _forget_shareable(**_: object) -> None:
    # Any service or organisation saved or deleted in this process: look again (what changed
    # may be an inactive flag, a name, or a test's new world reusing a slug under a new id).
    _shareable.clear()


for _model in (Service, Organisation):
    post_save.connect(_forget_shareable, sender=_model, dispatch_uid=f"shareable:{_model.__name__}")
    post_delete.connect(
        _forget_shareable, sender=_model, dispatch_uid=f"shareable-del:{_model.__name__}"
    )
