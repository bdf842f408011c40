"""Telling people what became of their request to join a group."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from patientvoice.defences import spend_allowance
from patientvoice.involvement.models import GroupMessage, JoinRequest, MessageDelivery


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


@task()
def email_group_message(message_id: int) -> int:
    """Email a group's message to each member who prefers email. Safe to run twice: each
    member's delivery row is written before their email goes, and a member with a row is
    skipped, so nobody gets it twice (one whose sending failed after the row is not retried).
    Returns how many this run emailed."""
    from patientvoice.involvement.services import emailed_members

    message = GroupMessage.objects.select_related("group").get(pk=message_id)
    sent = 0
    for member in emailed_members(message.group):
        try:
            with transaction.atomic():
                MessageDelivery.objects.create(message=message, member=member)
        except IntegrityError:
            continue  # emailed by an earlier or concurrent run
        send_mail(
            subject=f"{message.group.name}: {message.subject}",
            message=f"Dear {member.person.full_name},\n\n{message.body}",
            from_email=None,
            recipient_list=[member.person.email],
        )
        sent += 1
    return sent
