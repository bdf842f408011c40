"""The error pages (400, 403, 404, 500 and a failed CSRF check) in the NHS.UK layout.

None of them reads the database, so they still show when it is down (errors/base.jinja);
the 500 page falls back to plain HTML if even the template cannot be rendered.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

PLAIN_500 = (
    "<!DOCTYPE html><html lang='en-GB'><title>Sorry, there is a problem with the service"
    "</title><h1>Sorry, there is a problem with the service</h1><p>Try again later. Anything "
    "you were sending may not have been saved.</p></html>"
)


def _page(request: HttpRequest, template: str, status: int, **context: object) -> HttpResponse:
    return HttpResponse(render_to_string(template, context, request), status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _page(request, "errors/400.jinja", 400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    # Our own views raise PermissionDenied with a sentence for the person ("Your role does not
    # include importing feedback"); anything else is shown without a reason.
    reason = str(exception).rstrip(".") if isinstance(exception, PermissionDenied) else ""
    return _page(request, "errors/403.jinja", 403, reason=reason)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _page(request, "errors/404.jinja", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    try:
        return _page(request, "errors/500.jinja", 500)
    except Exception:
        logger.exception("The 500 page could not be rendered")
        return HttpResponseServerError(PLAIN_500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _page(request, "errors/403_csrf.jinja", 403)
