"""Defences of the public forms against floods and bots, none of which needs a third-party service.

Layered, cheapest first, and shaped by who really uses these forms: a ward's shared tablet, a
hospital whose whole network leaves through one address, someone who does not run JavaScript.

- A signed form token: each rendered form carries `<uuid>:<seconds since epoch>:<signature>`.
  The uuid makes a resubmission idempotent; the signed time lets us see a post sent within
  seconds of the form being shown, or a post made without ever fetching the form.
- A honeypot field that people are told (and screen readers say) to leave empty, hidden from
  sight by CSS and out of the tab order.
- Rate limits in the cache (django-ratelimit): per client address, and per scope (a service).
  An address that has just sent an automated-looking post is held back for the rest of the
  client window, as if over its limit, and what it sent earlier in the window is held back too
  (the first posts of a flood can look unhurried when the server's queue delays them).

A suspicious post is not refused and not dropped: the caller stores it *held back* for staff
review, and the person sees the ordinary thank-you (telling a bot what tripped would teach it).
Only a client posting at a rate no person or shared device reaches is refused, with a 429 page
that says plainly that nothing was saved. The refusal lasts until the rate window ends.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.core.cache import BaseCache, caches
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django_ratelimit import core as ratelimit_core
from django_ratelimit.core import get_usage

from patientvoice.cache import RedisCache

logger = logging.getLogger(__name__)

_TOKEN_SALT = "patientvoice.defences.form-token"  # noqa: S105 (a salt name, not a secret)


class HoldReason(models.TextChoices):
    """Why a submission was held back for review rather than counted at once."""

    HONEYPOT = "honeypot", "Filled in the field people are asked to leave empty"
    NO_FORM = "no_form", "Not sent from a form this site showed"
    TOO_FAST = "too_fast", "Sent within seconds of the form being shown"
    BUSY_CLIENT = "busy_client", "Many submissions from one address"
    BUSY_SCOPE = "busy_scope", "Unusually many submissions about this service"
    DUPLICATE = "duplicate", "Nearly the same words as a recent submission"


# --- The signed form token ---------------------------------------------------------------------


@dataclass(frozen=True)
class FormToken:
    token: uuid.UUID
    # When this site rendered the form; None when the token was not signed by this site.
    rendered_at: float | None = None


def issue_form_token(rendered_at: float | None = None) -> str:
    moment = int(time.time() if rendered_at is None else rendered_at)
    return signing.Signer(salt=_TOKEN_SALT).sign(f"{uuid.uuid4()}:{moment}")


def read_form_token(value: str) -> FormToken | None:
    """The token in a posted form. A bare uuid (a client that never fetched our form, or an
    old page) is still a token, so a resubmission stays idempotent, but has no render time."""
    try:
        token, _, moment = signing.Signer(salt=_TOKEN_SALT).unsign(value).partition(":")
        return FormToken(uuid.UUID(token), float(moment))
    except (signing.BadSignature, ValueError):
        pass
    try:
        return FormToken(uuid.UUID(value))
    except ValueError:
        return None


class FormTokenField(forms.CharField):
    """The hidden submission token; cleans to a FormToken."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("error_messages", {"required": "The form has expired: send it again"})
        super().__init__(**kwargs)  # type: ignore[arg-type]

    def clean(self, value: object) -> FormToken:
        text = super().clean(value)
        found = read_form_token(text)
        if found is None:
            raise forms.ValidationError("The form has expired: send it again")
        return found


class HoneypotForm(forms.Form):
    """Adds the honeypot. Templates render it with `honeypot` from pv/honeypot.jinja."""

    HONEYPOT = "website"

    website = forms.CharField(required=False, max_length=500)

    def honeypot_filled(self) -> bool:
        return bool(self.data.get(self.HONEYPOT, "").strip())


# --- Rate limits -------------------------------------------------------------------------------


def _count(request: HttpRequest, group: str, rate: str, key: str | Callable[..., str]) -> int:
    """Count this request in the window of `rate`; returns the count so far (this one included).

    "ip" is the client address (an IPv6 address by its /64, which one device can roam within).
    A cache that cannot be reached counts nothing (RATELIMIT_FAIL_OPEN): feedback still gets
    stored, and the near-duplicate check, which reads the database, still applies.
    """
    try:
        usage = get_usage(request, group=group, key=key, rate=rate, increment=True)
    except Exception:  # a cache server that is down raises its own errors
        logger.exception("Rate-limit counter unavailable; counting nothing for %s", group)
        return 0
    return 0 if usage is None else int(usage["count"])


def _count_client(request: HttpRequest, form: str, rate: str) -> tuple[int, bool | None]:
    """`_count(request, f"{form}:refuse", rate, "ip")`, and whether the address is marked as
    sending automated posts (None: not read yet, read it when needed).

    On Redis (the production profile) both take one round trip instead of four: the counter is
    django-ratelimit's own, under the key it would use.
    """
    cache = _counters()
    if not isinstance(cache, RedisCache) or not getattr(settings, "RATELIMIT_ENABLE", True):
        return _count(request, f"{form}:refuse", rate, "ip"), None
    group = f"{form}:refuse"
    try:
        value = ratelimit_core._SIMPLE_KEYS["ip"](request)
        seconds = ratelimit_core._split_rate(rate)[1]
        window = ratelimit_core._get_window(value, seconds)
        key = ratelimit_core._make_cache_key(group, window, rate, value, ratelimit_core.ALL)
        counts, (marked,) = cache.count_and_read(
            [(key, seconds + ratelimit_core.EXPIRATION_FUDGE)], [_suspect_key(request, form)]
        )
    except Exception:  # a cache server that is down: count nothing, as _count does
        logger.exception("Rate-limit counter unavailable; counting nothing for %s", group)
        return 0, False
    return counts[0], bool(marked)


def _counters() -> BaseCache:
    """The cache django-ratelimit counts in; our own counters live beside its."""
    return caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]


def _limit(rate: str) -> int:
    return int(rate.split("/", 1)[0])


@dataclass(frozen=True)
class Screening:
    refuse: bool = False
    reason: str = ""  # a HoldReason, or "" to count it at once
    source: str = ""  # a pseudonymous key of the client address, for grouping its posts
    # This post is the first automated-looking one from its address in the window: the caller
    # holds back what the address sent earlier in the window too (`held_since`).
    held_since: float | None = None


def source_key(request: HttpRequest) -> str:
    """A keyed hash of the client address: enough to group posts from one source, without
    keeping the address itself (personal data) on the record."""
    address = (request.META.get("REMOTE_ADDR") or "unknown").encode()
    return hmac.new(settings.SECRET_KEY.encode(), address, hashlib.sha256).hexdigest()[:16]


def screen_post(
    request: HttpRequest, form: str, token: FormToken | None, honeypot: bool, scope: str = ""
) -> Screening:
    """Decide what to do with a valid public form post: count it, hold it back, or refuse it.

    `form` names the form (its own counters); `scope` (such as a service) is counted only for
    posts that passed every per-client check, so one noisy client cannot push other people's
    posts about the same service into review.
    """
    limits = settings.PATIENTVOICE_RATELIMIT
    client, suspect = _count_client(request, form, limits["client_refuse"])
    if client > _limit(limits["client_refuse"]):
        return Screening(refuse=True)
    held = client
    if _seconds(limits["client_hold"]) != _seconds(limits["client_refuse"]):
        # One counter serves both limits when their windows match (the defaults): one cache
        # round trip fewer on every post.
        held = _count(request, f"{form}:hold", limits["client_hold"], "ip")
    reason = ""
    if honeypot:
        reason = HoldReason.HONEYPOT
    elif token is None or token.rendered_at is None:
        reason = HoldReason.NO_FORM
    elif time.time() - token.rendered_at < settings.PATIENTVOICE_FORM_MIN_SECONDS:
        reason = HoldReason.TOO_FAST
    elif held > _limit(limits["client_hold"]) or (
        _is_suspect(request, form) if suspect is None else suspect
    ):
        reason = HoldReason.BUSY_CLIENT
    elif scope:
        busy = _count(request, f"{form}:scope", limits["scope_hold"], lambda _g, _r: scope)
        if busy > _limit(limits["scope_hold"]):
            reason = HoldReason.BUSY_SCOPE
    held_since = None
    if reason in _AUTOMATED and _mark_suspect(request, form, limits["client_hold"]):
        held_since = time.time() - _seconds(limits["client_hold"])
    return Screening(reason=reason, source=source_key(request), held_since=held_since)


# Posts that no person sends. After one, the same address's posts are held back for the rest of
# the client window however slowly they come: a bot whose server-side queue made one post look
# unhurried must not get it counted.
_AUTOMATED = {HoldReason.HONEYPOT, HoldReason.NO_FORM, HoldReason.TOO_FAST}


def _suspect_key(request: HttpRequest, form: str) -> str:
    address = (request.META.get("REMOTE_ADDR") or "unknown").encode()
    return f"pv:suspect:{form}:{hashlib.sha256(address).hexdigest()}"


def _seconds(rate: str) -> int:
    unit = rate.split("/", 1)[1]
    return int(unit[:-1] or 1) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit[-1]]


def _mark_suspect(request: HttpRequest, form: str, rate: str) -> bool:
    """Mark the address for the client window; True if it was not marked already."""
    try:
        return bool(_counters().add(_suspect_key(request, form), 1, _seconds(rate)))
    except Exception:
        logger.exception("Could not mark a client as sending automated posts")
        return False


def _is_suspect(request: HttpRequest, form: str) -> bool:
    try:
        return bool(_counters().get(_suspect_key(request, form)))
    except Exception:
        logger.exception("Could not read whether a client sent automated posts")
        return False


def too_many_requests(request: HttpRequest) -> HttpResponse:
    return render(request, "pv/too_many_requests.jinja", status=429)


def spend_allowance(name: str, limit: int, seconds: int) -> bool:
    """Count one use of a named allowance (such as emails to one address in a day); returns
    False, without counting, once `limit` uses fall in the current window."""
    window = int(time.time()) // seconds
    key = f"pv:allowance:{hashlib.sha256(name.encode()).hexdigest()}:{window}"
    cache = _counters()
    try:
        if cache.add(key, 1, seconds + 5):
            return limit >= 1
        try:
            used = cache.incr(key)
        except ValueError:  # expired between the two calls: a new window
            return bool(cache.add(key, 1, seconds + 5)) and limit >= 1
    except Exception:  # a cache server that is down: spend nothing rather than overspend
        logger.exception("Allowance counter unavailable; refusing %s", key)
        return False
    return used <= limit


# --- Request size ------------------------------------------------------------------------------


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body is too large with 413, before anything reads it.

    Staff signed in may send larger bodies to the upload pages (settings.PATIENTVOICE_UPLOAD_PATHS);
    everyone else, on every path, gets the small limit that any form of ours fits in. Goes after
    the authentication middleware (to know who is signed in) and before anything reads the body
    (the CSRF check reads the form in its process_view, which runs after every __call__).
    A body sent without a length is read only up to DATA_UPLOAD_MAX_MEMORY_SIZE by Django.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > settings.PATIENTVOICE_MAX_POST_BYTES and declared > self._limit(request):
            return too_large(request)
        return self.get_response(request)

    @staticmethod
    def _limit(request: HttpRequest) -> int:
        if (
            request.path.startswith(tuple(settings.PATIENTVOICE_UPLOAD_PATHS))
            and getattr(request, "user", AnonymousUser()).is_authenticated
        ):
            return int(settings.PATIENTVOICE_MAX_UPLOAD_BYTES)
        return int(settings.PATIENTVOICE_MAX_POST_BYTES)


def too_large(request: HttpRequest) -> HttpResponse:
    response = render(request, "pv/too_large.jinja", status=413)
    # The body was not read: the connection cannot carry another request.
    response["Connection"] = "close"
    return response
