"""The privacy notice (the site's, and each organisation's) and the accessibility statement."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from patientvoice.directory.identity import organisations_with_notices, site_operator
from patientvoice.directory.models import Organisation


def privacy(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "directory/privacy.jinja",
        {
            "operator": site_operator(),
            "organisations": organisations_with_notices().only("name", "slug"),
            "signup_retention_months": settings.PATIENTVOICE_CONTACT_RETENTION_MONTHS,
        },
    )


def organisation_privacy(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=slug)
    return render(
        request,
        "directory/organisation_privacy.jinja",
        {"organisation": organisation, "operator": site_operator()},
    )


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "directory/accessibility.jinja", {"operator": site_operator()})
