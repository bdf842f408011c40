"""Who runs this site and who is responsible for what people tell it.

The deployment's operator comes from settings (`PATIENTVOICE_OPERATOR_*`); when it names an
organisation in the directory, that organisation's recorded identity is used and the settings
fill only what it leaves empty. Each organisation's own identity lives on `Organisation`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet

from patientvoice.directory.models import Organisation

UNNAMED_OPERATOR = "the organisation that runs this site"


@dataclass(frozen=True)
class SiteOperator:
    name: str
    email: str
    phone: str
    organisation: Organisation | None

    @property
    def is_named(self) -> bool:
        return self.name != UNNAMED_OPERATOR

    def contact_line(self) -> str:
        if self.organisation is not None and not (self.email or self.phone):
            return self.organisation.contact_line()
        ways = [w for w in (self.email, self.phone) if w]
        if not ways:
            return f"Contact {self.name}."
        return f"Contact {self.name} at {' or '.join(ways)}."


def operator_organisation() -> Organisation | None:
    """The organisation named by PATIENTVOICE_OPERATOR_ORGANISATION (its slug), if any."""
    slug = settings.PATIENTVOICE_OPERATOR_ORGANISATION
    return Organisation.objects.filter(slug=slug).first() if slug else None


def site_operator() -> SiteOperator:
    organisation = operator_organisation()
    return SiteOperator(
        name=(organisation.name if organisation else "")
        or settings.PATIENTVOICE_OPERATOR_NAME
        or UNNAMED_OPERATOR,
        email=(organisation.contact_email if organisation else "")
        or settings.PATIENTVOICE_OPERATOR_EMAIL,
        phone=(organisation.public_phone if organisation else "")
        or settings.PATIENTVOICE_OPERATOR_PHONE,
        organisation=organisation,
    )


def organisations_with_notices() -> QuerySet[Organisation]:
    """Organisations that have recorded how they look after people's details."""
    return Organisation.objects.exclude(
        Q(contact_email="") & Q(data_controller="") & Q(dpo_email="") & Q(lawful_basis="")
    ).order_by("name")
