"""django-axes' database handler with a higher limit for an address than for an account.

Many NHS staff sign in from behind one shared address (a trust's or a GP federation's network).
One limit for both would let a few colleagues' mistyped passwords lock a whole building out, or
let anyone lock it out on purpose. So an address may fail AXES_ADDRESS_FAILURE_LIMIT times while
an account may fail AXES_FAILURE_LIMIT times: its failures are scaled before axes compares them
with its one limit.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Sum
from django.http import HttpRequest


class AccountAndAddressHandler(AxesDatabaseHandler):
    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        if settings.AXES_LOCKOUT_PARAMETERS != ["username", "ip_address"]:
            raise ImproperlyConfigured("AXES_LOCKOUT_PARAMETERS must be username, ip_address")
        by_account, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        limit, address_limit = settings.AXES_FAILURE_LIMIT, settings.AXES_ADDRESS_FAILURE_LIMIT
        return max(by_account, by_address * limit // address_limit)
