"""Response headers every page needs, whichever app served it."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import add_never_cache_headers

# Pages that show records about people (the staff area, and Django's admin for platform
# administrators), as mounted in patientvoice/urls.py.
PRIVATE_PATHS = ("/staff/", "/platform-admin/")


class ResponseHeadersMiddleware:
    """Permissions-Policy on every response; `Cache-Control: no-store` on staff pages and on every
    download, so no browser, proxy or shared computer keeps a copy of what a member of staff saw
    or exported."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        download = response.headers.get("Content-Disposition", "").startswith("attachment")
        if download or request.path.startswith(PRIVATE_PATHS):
            add_never_cache_headers(response)
        return response
