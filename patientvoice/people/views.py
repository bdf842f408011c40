from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from patientvoice.defences import screen_post, too_many_requests
from patientvoice.people.forms import GetInvolvedForm
from patientvoice.people.services import InterestInput, register_interest


def get_involved(request: HttpRequest) -> HttpResponse:
    initial = {"groups": [request.GET["group"]]} if "group" in request.GET else None
    form = GetInvolvedForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        screening = screen_post(
            request, "get_involved", data["submission_token"], form.honeypot_filled()
        )
        if screening.refuse:
            return too_many_requests(request)
        register_interest(
            InterestInput(
                full_name=data["full_name"],
                preferred_contact=data["preferred_contact"],
                email=data["email"],
                phone=data["phone"],
                postal_address=data["postal_address"],
                interests=data["interests"],
                group_slugs=data["groups"],
                access_needs=data["access_needs"],
                submission_token=data["submission_token"].token,
                held_back_reason=screening.reason,
            )
        )
        return redirect("people:get_involved_done")
    return render(request, "people/get_involved.jinja", {"form": form})


def get_involved_done(request: HttpRequest) -> HttpResponse:
    return render(request, "people/get_involved_done.jinja")
