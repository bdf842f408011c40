"""Outgoing email when a production deployment has not said how to send it.

Django's console backend writes whole messages - names, addresses, what people told us - to the
process's log. That is right on a developer's machine and wrong in production, where logs are
shipped and kept. With DEBUG off and no EMAIL_BACKEND or EMAIL_HOST set, settings choose this
backend instead: it sends nothing and logs only that mail was refused, never its content.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

logger = logging.getLogger(__name__)

NOT_CONFIGURED = (
    "Email is not configured: set EMAIL_BACKEND (or EMAIL_HOST for SMTP) to send email. "
    "Nothing is sent until then."
)


class UnconfiguredEmailBackend(BaseEmailBackend):
    """Refuses every message, logging how many and to how many addresses, never the text."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        messages = list(email_messages)
        if messages:
            recipients = sum(len(message.recipients()) for message in messages)
            logger.error(
                "Email not configured, not sent: %d message(s) to %d recipient(s). %s",
                len(messages),
                recipients,
                NOT_CONFIGURED,
            )
        return 0


def warn_if_unconfigured(**_: Any) -> None:
    """Say at start-up, once per process, that email will not be sent."""
    if f"{__name__}.UnconfiguredEmailBackend" == settings.EMAIL_BACKEND:
        logger.warning(NOT_CONFIGURED)
