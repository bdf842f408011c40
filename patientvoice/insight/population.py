"""Uploading an area's population reference: owned by one organisation, shared read-only."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from django.db import transaction
from django.utils import timezone

from patientvoice.directory.models import Area, Organisation
from patientvoice.insight.models import PopulationReference
from patientvoice.insight.representation import PopulationFileError, replace_population
from patientvoice.people.audit import POPULATION_UPLOADED, record_audit
from patientvoice.people.models import User

if TYPE_CHECKING:
    from django.http import HttpRequest


def check_may_replace(area: Area, organisation: Organisation) -> None:
    """Raise PopulationFileError if another organisation keeps the area's reference."""
    owner = (
        PopulationReference.objects.filter(area=area, owner__isnull=False)
        .exclude(owner=organisation)
        .values_list("owner__name", flat=True)
        .first()
    )
    if owner is not None:
        raise PopulationFileError(
            [
                f"the population of {area} is kept by {owner} and other organisations use it;"
                f" ask {owner} to update it"
            ]
        )


def upload_population(
    area: Area,
    organisation: Organisation,
    user: User,
    handle: TextIO,
    file_name: str,
    request: HttpRequest | None = None,
) -> int:
    """Replace the area's population counts for `organisation`, which then owns them, and
    record who uploaded what. A file with any bad line, or an area another organisation keeps,
    changes nothing."""
    with transaction.atomic():
        # Locking the area serialises two uploads for it, so the ownership check stays true
        # until the counts are written.
        Area.objects.select_for_update().filter(pk=area.pk).first()
        check_may_replace(area, organisation)
        count = replace_population(area, handle)
        reference, _ = PopulationReference.objects.update_or_create(
            area=area,
            defaults={
                "owner": organisation,
                "uploaded_by": user,
                "uploaded_at": timezone.now(),
                "file_name": file_name[:255],
            },
        )
        record_audit(
            user,
            POPULATION_UPLOADED,
            organisation=organisation,
            subject=reference,
            detail={"area": str(area), "counts": count, "file_name": file_name[:255]},
            request=request,
        )
    return count
