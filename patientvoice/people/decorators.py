from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from patientvoice.people import rules, two_factor
from patientvoice.people.models import User


def staff_member_required(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Sign-in page for visitors; 403 for accounts that hold no role at any organisation; the
    code step for a session not yet verified by a user who has two-factor sign-in; set-up for
    a user whose organisation requires it and who has none."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        gate = _gate(request, two_factor_setup_allowed=False)
        return gate or view(request, *args, **kwargs)

    return wrapper


def signed_in_staff_required(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """As `staff_member_required`, for the pages a user must reach to set up two-factor sign-in
    (its set-up page, password change)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        gate = _gate(request, two_factor_setup_allowed=True)
        return gate or view(request, *args, **kwargs)

    return wrapper


def _gate(request: HttpRequest, *, two_factor_setup_allowed: bool) -> HttpResponseBase | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not rules.is_staff_member(request.user):
        raise PermissionDenied("You do not have a staff role at any organisation")
    user = staff_user(request)
    if two_factor.is_verified(request):
        return None
    next_query = urlencode({"next": request.get_full_path()})
    has_device, required = two_factor.state(user)
    # A session that signed in some other way (Django's admin) must still pass the code.
    if has_device:
        return redirect(f"{reverse('staff:sign_in_code')}?{next_query}")
    if required and not two_factor_setup_allowed:
        return redirect(f"{reverse('staff:two_factor')}?{next_query}")
    return None


def staff_user(request: HttpRequest) -> User:
    """The signed-in user of a view behind `staff_member_required`, typed as our User."""
    user = request.user
    assert isinstance(user, User)  # staff_member_required has turned visitors away
    return user
