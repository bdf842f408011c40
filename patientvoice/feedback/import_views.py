"""Staff pages for importing FFT and survey exports: upload, match columns, follow progress."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from patientvoice.directory.models import Organisation
from patientvoice.feedback.imports import (
    MAPPABLE,
    ImportFileError,
    change_mapping,
    may_retry,
    receive_upload,
    retry_import,
    start_import,
)
from patientvoice.feedback.models import ImportBatch
from patientvoice.people import rules
from patientvoice.people.decorators import staff_member_required, staff_user
from patientvoice.people.models import User

MAX_UPLOAD = 200 * 1024 * 1024


class UploadForm(forms.Form):
    organisation = forms.TypedChoiceField(label="Organisation", coerce=int)
    source = forms.CharField(
        label="Where does this file come from?",
        max_length=200,
        help_text="For example, 'Ward FFT export' or 'Maternity survey'. Files from the same "
        "source reuse the column matching you save.",
        error_messages={"required": "Enter where the file comes from"},
    )
    file = forms.FileField(
        label="File (CSV or XLSX)",
        error_messages={"required": "Choose a CSV or XLSX file to upload"},
    )

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError("The file must be a CSV or an XLSX file")
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("The file must be smaller than 200 MB")
        return upload


class MappingForm(forms.Form):
    def __init__(self, *args: Any, columns: list[str], services: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        choices = [("", "Not in this file"), *((c, c) for c in columns if c)]
        for name, label in MAPPABLE.items():
            self.fields[name] = forms.ChoiceField(label=label, choices=choices, required=False)
        self.fields["default_service"] = forms.ChoiceField(
            label="Service for rows that name none",
            choices=[("", "None: such rows are errors"), *((s, s) for s in services)],
            required=False,
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (
            data.get("rating")
            or any(data.get(k) for k in ("fft_why", "what_was_good", "could_be_better"))
        ):
            raise forms.ValidationError("Match the rating column or at least one comment column")
        if not (data.get("service") or data.get("default_service")):
            self.add_error("service", "Match the service column or choose a service for all rows")
        return data


def _import_orgs(user: User) -> list[Organisation]:
    orgs = rules.organisations_with(user, rules.IMPORT_FEEDBACK)
    if not orgs:
        raise PermissionDenied("Your role does not include importing feedback")
    return list(Organisation.objects.filter(pk__in=orgs).order_by("name"))


def access_batch(user: User, batch_id: int) -> ImportBatch:
    orgs = rules.organisations_with(user, rules.IMPORT_FEEDBACK)
    batches = ImportBatch.objects.select_related("source__organisation")
    return get_object_or_404(batches, pk=batch_id, source__organisation_id__in=orgs)


@staff_member_required
def upload(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    organisations = _import_orgs(user)
    form = UploadForm(request.POST or None, request.FILES or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = receive_upload(data["organisation"], data["source"], data["file"], user)
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            return redirect("staff:import_mapping", batch_id=batch.pk)
    batches = ImportBatch.objects.filter(source__organisation__in=organisations).select_related(
        "source"
    )[:20]
    return render(
        request,
        "feedback/staff/import_upload.jinja",
        {"form": form, "batches": batches, "staff_area": True},
    )


@staff_member_required
def mapping(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = access_batch(staff_user(request), batch_id)
    if batch.status != ImportBatch.Status.MAPPING or not batch.file:
        return redirect("staff:import_batch", batch_id=batch.pk)
    services = list(
        batch.source.organisation.services.order_by("name").values_list("slug", flat=True)
    )
    saved = {
        k: v
        for k, v in batch.source.mapping.items()
        if v in batch.columns or k == "default_service"
    }
    form = MappingForm(
        request.POST or None, initial=saved, columns=batch.columns, services=services
    )
    if request.method == "POST" and form.is_valid():
        start_import(batch, form.cleaned_data)
        return redirect("staff:import_batch", batch_id=batch.pk)
    return render(
        request,
        "feedback/staff/import_mapping.jinja",
        {"form": form, "batch": batch, "staff_area": True},
    )


@staff_member_required
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    """A batch's progress and result. POST `retry` runs a failed or stuck batch again; POST
    `remap` sends a failed one back to column matching (the file stays as uploaded)."""
    batch = access_batch(staff_user(request), batch_id)
    if request.method == "POST":
        action = request.POST.get("action", "remap")
        try:
            if action == "retry":
                retry_import(batch)
                messages.success(request, "The import will run again from the start")
            else:
                change_mapping(batch)
                return redirect("staff:import_mapping", batch_id=batch.pk)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        return redirect("staff:import_batch", batch_id=batch.pk)
    return render(
        request,
        "feedback/staff/import_batch.jinja",
        {"batch": batch, "may_retry": may_retry(batch), "staff_area": True},
    )
