from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from patientvoice.people import rules
from patientvoice.people.models import User


def staff_member_required(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Sign-in page for visitors; 403 for accounts that hold no role at any organisation."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not rules.is_staff_member(request.user):
            raise PermissionDenied("You do not have a staff role at any organisation")
        return view(request, *args, **kwargs)

    return wrapper


def staff_user(request: HttpRequest) -> User:
    """The signed-in user of a view behind `staff_member_required`, typed as our User."""
    user = request.user
    assert isinstance(user, User)  # staff_member_required has turned visitors away
    return user
