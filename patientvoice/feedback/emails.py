"""Emails to people who shared an experience, and the link that proves an address is theirs.

Nothing a person typed on the public form goes into an email: not their name, not their words.
The form is public, so whatever it holds may have been typed by someone aiming our emails at a
stranger ("Dear customer, your NHS refund..."). Emails name only the organisation, the service
and the reference number, all of which we chose. Each address gets at most
settings.PATIENTVOICE_EMAILS_PER_ADDRESS emails a day, however many forms name it.
"""

from __future__ import annotations

import datetime
import logging
from functools import partial

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from patientvoice.defences import spend_allowance
from patientvoice.feedback.models import Experience

logger = logging.getLogger(__name__)

_SALT = "patientvoice.feedback.confirm-email"
LINK_DAYS = 7


def confirmation_token(experience: Experience) -> str:
    # Signed, not encrypted: it carries the reference number, which the person already has.
    return signing.dumps(experience.reference, salt=_SALT)


def experience_for_token(token: str) -> Experience:
    """The experience a confirmation link is for; ValidationError if the link is not one of
    ours, has expired, or is for a record that no longer has an address to confirm."""
    try:
        reference = signing.loads(token, salt=_SALT, max_age=datetime.timedelta(days=LINK_DAYS))
    except signing.SignatureExpired as error:
        raise ValidationError("This link has expired") from error
    except signing.BadSignature as error:
        raise ValidationError("This link is not valid") from error
    experience = (
        Experience.objects.select_related("contact", "service__organisation")
        .filter(reference=reference, may_contact=True, contact__isnull=False)
        .exclude(contact__email="")
        .first()
    )
    if experience is None:
        raise ValidationError("This link is not valid")
    return experience


def confirm_email_address(experience: Experience) -> bool:
    """The owner of the address followed the link: mark it confirmed and send the
    acknowledgement. Returns False when it was confirmed already (nothing more is sent)."""
    from patientvoice.feedback.tasks import acknowledge_experience

    contact = experience.contact
    assert contact is not None
    with transaction.atomic():
        updated = type(contact).objects.filter(pk=contact.pk, email_confirmed_at__isnull=True)
        if not updated.update(email_confirmed_at=timezone.now()):
            return False
        transaction.on_commit(partial(acknowledge_experience.enqueue, experience.pk))
    return True


def _organisation(experience: Experience) -> str:
    return experience.service.organisation.name


def _send(experience: Experience, subject: str, body: str) -> bool:
    contact = experience.contact
    assert contact is not None
    address = contact.email.strip().lower()
    if not spend_allowance(f"email:{address}", settings.PATIENTVOICE_EMAILS_PER_ADDRESS, 86_400):
        logger.warning(
            "Not emailing about %s: the address has had its emails for today", experience.reference
        )
        return False
    send_mail(subject=subject, message=body, from_email=None, recipient_list=[contact.email])
    return True


def send_confirmation_link(experience: Experience) -> bool:
    link = settings.BASE_URL + reverse(
        "feedback:confirm_email", kwargs={"token": confirmation_token(experience)}
    )
    organisation = _organisation(experience)
    return _send(
        experience,
        f"Confirm your email address for {organisation}",
        "Hello,\n\n"
        f"This email address was given on a feedback form about {experience.service.name}, "
        f"run by {organisation}, by someone who asked to be contacted about their feedback.\n\n"
        f"If that was you, confirm your email address within {LINK_DAYS} days by opening this "
        f"link and pressing the button on the page:\n{link}\n\n"
        "If it was not you, you do not need to do anything: we will not email you about it "
        "again and will not use this address.\n",
    )


def send_acknowledgement(experience: Experience) -> bool:
    organisation = _organisation(experience)
    return _send(
        experience,
        f"We have received your feedback ({experience.reference})",
        "Hello,\n\n"
        f"Thank you for telling {organisation} about your experience of "
        f"{experience.service.name}. Your reference is {experience.reference}.\n"
        "Someone from the team may contact you about what you said.\n\n"
        # Contact details the organisation recorded for the public, never anything from the form.
        f"{experience.service.organisation.contact_line()}\n",
    )
