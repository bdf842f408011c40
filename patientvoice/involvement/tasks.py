"""Telling people what became of their request to join a group."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import task

from patientvoice.defences import spend_allowance
from patientvoice.involvement.models import JoinRequest


@task()
def tell_join_decision(join_request_id: int) -> bool:
    """Email the person the decision on their request. Safe to run twice: the request is
    marked told before the email goes, in one conditional update, so a second run (or a
    concurrent one) finds it told and sends nothing. Returns whether this run sent it."""
    join_request = JoinRequest.objects.select_related("person", "group").get(pk=join_request_id)
    if join_request.status == JoinRequest.Status.PENDING or not join_request.told_by_email:
        return False
    # The address was typed on a public form and never confirmed: a few replies a day at most
    # go to any one address, so the form cannot be used to aim our email at someone. Past the
    # allowance the request stays untold, listed for the organisers to tell by other means.
    if not spend_allowance(f"join-reply:{join_request.person.email.lower()}", 3, 86400):
        return False
    claimed = JoinRequest.objects.filter(pk=join_request.pk, told_at__isnull=True).update(
        told_at=timezone.now()
    )
    if not claimed:
        return False
    group = join_request.group
    accepted = join_request.status == JoinRequest.Status.ACCEPTED
    opening = (
        f"Welcome to {group.name}: your request to join has been accepted."
        if accepted
        else f"Thank you for asking to join {group.name}. This time the group cannot take you on."
    )
    body = "\n\n".join(
        part
        for part in (
            f"Dear {join_request.person.full_name},",
            opening,
            join_request.reply,
            f"The group's page: {settings.BASE_URL}{group.get_absolute_url()}",
        )
        if part
    )
    send_mail(
        subject=f"Your request to join {group.name}",
        message=body,
        from_email=None,
        recipient_list=[join_request.person.email],
    )
    return True
