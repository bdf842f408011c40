"""Signed-in sessions end after a spell without activity (STAFF_IDLE_TIMEOUT_MINUTES).

Staff use shared computers on wards and in offices; a session left open shows records about
people to whoever sits down next. The time of the last request is kept in the session, written
at most once a minute so that browsing does not save the session on every page.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest
from django.http.response import HttpResponseBase

LAST_ACTIVITY = "pv_last_activity"
WRITE_EVERY_SECONDS = 60


def start_idle_clock(sender: object, request: HttpRequest, **kwargs: object) -> None:
    """On signing in (Django's user_logged_in), so that the clock runs from the start and the
    first page after signing in need not save the session again."""
    request.session[LAST_ACTIVITY] = int(time.time())


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY)
            if isinstance(last, int) and now - last > settings.STAFF_IDLE_TIMEOUT_MINUTES * 60:
                logout(request)
                messages.info(
                    request,
                    f"You were signed out because you had not used patientvoice for "
                    f"{settings.STAFF_IDLE_TIMEOUT_MINUTES} minutes. Sign in again to carry on.",
                )
            elif not isinstance(last, int) or now - last >= WRITE_EVERY_SECONDS:
                request.session[LAST_ACTIVITY] = now
        return self.get_response(request)
