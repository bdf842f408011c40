"""Signing in and out, the two-factor code step, the lockout page, and passwords."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_otp import login as otp_login

from patientvoice.defences import spend_allowance
from patientvoice.people import accounts, audit, two_factor
from patientvoice.people.decorators import signed_in_staff_required, staff_user
from patientvoice.people.forms import (
    StaffLoginForm,
    StaffPasswordChangeForm,
    StaffPasswordResetForm,
    StaffSetPasswordForm,
    TwoFactorCodeForm,
)
from patientvoice.people.models import User

logger = logging.getLogger(__name__)
RESETS_PER_HOUR = 3

# Who passed the password step and still owes a code: kept in the session, never signed in.
PENDING = "pv_sign_in_pending"
PENDING_SECONDS = 10 * 60


class StaffLoginView(auth_views.LoginView):
    template_name = "people/login.jinja"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        if two_factor.confirmed_device(user) is None:
            return super().form_valid(form)
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,  # type: ignore[attr-defined]  # set by authenticate()
            "at": int(time.time()),
        }
        wanted = self.get_redirect_url()
        query = f"?{urlencode({'next': wanted})}" if wanted else ""
        return redirect(f"{reverse('staff:sign_in_code')}{query}")

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        username, password = (self.request.POST.get(name, "") for name in ("username", "password"))
        if username and password:  # a password was checked (a blank form checks nothing)
            accounts.note_failed_sign_in(self.request, username)
        return super().form_invalid(form)


staff_login = StaffLoginView.as_view()


def sign_in_code(request: HttpRequest) -> HttpResponse:
    """The second step: a code from the authenticator app. Also where a session that signed in
    some other way (Django's admin) is sent before it may open a staff page."""
    user, backend = _owes_code(request)
    device = two_factor.confirmed_device(user) if user else None
    if user is None or device is None:
        messages.info(request, "Sign in again to carry on")
        return redirect("staff:login")
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        problem = two_factor.check_code(device, form.cleaned_data["code"])
        if problem is None:
            request.session.pop(PENDING, None)
            if not request.user.is_authenticated:
                login(request, user, backend=backend)
            otp_login(request, device)
            return redirect(safe_next_url(request))
        form.add_error("code", problem)
        accounts.note_failed_sign_in(request, user.get_username(), stage="code")
    return render(request, "people/sign_in_code.jinja", {"form": form})


def _owes_code(request: HttpRequest) -> tuple[User | None, str | None]:
    if request.user.is_authenticated:
        return staff_user(request), None
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None, None
    return User.objects.filter(pk=pending["user"], is_active=True).first(), pending["backend"]


def safe_next_url(request: HttpRequest, default: str = settings.LOGIN_REDIRECT_URL) -> str:
    """The ?next= address if it is on this site, else the named default page."""
    wanted = request.GET.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if safe else reverse(default)


def staff_logout(request: HttpRequest) -> HttpResponse:
    """A page with a sign-out button: signing out changes state, so it takes a POST."""
    if request.method == "POST":
        logout(request)
        return redirect("directory:home")
    return render(request, "people/logout.jinja")


def locked_out(
    request: HttpRequest, response: HttpResponseBase | None = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' answer once a username or address has too many failed sign-ins. It reads
    the same whether or not the username exists."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    page = render(request, "people/locked_out.jinja", {"minutes": seconds // 60}, status=429)
    page["Retry-After"] = str(seconds)
    return page


# --- Passwords --------------------------------------------------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "people/password_reset.jinja"
    form_class = StaffPasswordResetForm
    email_template_name = "people/email/password_reset.txt"
    subject_template_name = "people/email/password_reset_subject.txt"
    success_url = reverse_lazy("staff:password_reset_done")
    extra_email_context = {"days": settings.PASSWORD_RESET_TIMEOUT // (24 * 3600)}

    def form_valid(self, form: StaffPasswordResetForm) -> HttpResponse:
        # A few links an hour per address, and per client, so the form cannot be used to flood
        # a colleague's inbox. Past that the page reads the same and nothing is sent.
        email = form.cleaned_data["email"].strip().casefold()
        client = audit.client_address(self.request) or "unknown"
        if not (
            spend_allowance(f"password-reset:{email}", RESETS_PER_HOUR, 3600)
            and spend_allowance(f"password-reset-from:{client}", RESETS_PER_HOUR * 5, 3600)
        ):
            logger.warning(
                "Password reset not sent: too many asked for %r or from %s", email, client
            )
            return redirect(self.success_url)
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "people/password_reset_done.jinja"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "people/password_reset_confirm.jinja"
    form_class = StaffSetPasswordForm
    success_url = reverse_lazy("staff:password_reset_complete")

    def form_valid(self, form: StaffSetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        accounts.note_password_set(self.request, form.user, how="reset")
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "people/password_reset_complete.jinja"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "people/password_change.jinja"
    form_class = StaffPasswordChangeForm
    success_url = reverse_lazy("staff:password_change_done")

    def form_valid(self, form: StaffPasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)  # keeps this session signed in
        accounts.note_password_set(self.request, form.user, how="change")
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**kwargs) | {"staff_area": True}


password_reset = PasswordResetView.as_view()
password_reset_done = PasswordResetDoneView.as_view()
password_reset_confirm = PasswordResetConfirmView.as_view()
password_reset_complete = PasswordResetCompleteView.as_view()
password_change = signed_in_staff_required(PasswordChangeView.as_view())


@signed_in_staff_required
def password_change_done(request: HttpRequest) -> HttpResponse:
    return render(request, "people/password_change_done.jinja", {"staff_area": True})
