"""Who is who: organisations, their sites, the services feedback is about, and patient groups."""

from __future__ import annotations

import re

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

POSTCODE_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


def postcode_district(text: str) -> str | None:
    """The outward code ("LS6") of a full or partial postcode, or None when it is not one."""
    compact = re.sub(r"\s+", " ", text.strip().upper())
    if not compact:
        return None
    outward = compact.split(" ")[0]
    if " " not in compact and len(outward) >= 5:
        outward = outward[:-3]  # a full postcode typed without its space
    return outward if POSTCODE_DISTRICT.match(outward) else None


class Area(models.Model):
    class Kind(models.TextChoices):
        ICB = "icb", "Integrated care board area"
        PLACE = "place", "Place"
        LOCAL_AUTHORITY = "local_authority", "Local authority"

    name = models.CharField(max_length=200)
    code = models.CharField(
        max_length=20, blank=True, help_text="ONS or NHS code, where one exists"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="unique_area_name")]

    def __str__(self) -> str:
        return self.name


class PostcodeDistrict(models.Model):
    """An outward code and the area it lies in, so people can search by their postcode."""

    code = models.CharField(max_length=4, unique=True)
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="postcode_districts")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Organisation(models.Model):
    class Kind(models.TextChoices):
        ICB = "icb", "Integrated care board"
        NHS_TRUST = "nhs_trust", "NHS trust"
        GP_PRACTICE = "gp_practice", "GP practice"
        PCN = "pcn", "Primary care network"
        HEALTHWATCH = "healthwatch", "Healthwatch"
        VOLUNTARY = "voluntary", "Voluntary group"
        LOCAL_AUTHORITY = "local_authority", "Local authority"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    # ODS codes are unique where they exist; voluntary groups have none.
    ods_code = models.CharField(max_length=10, unique=True, null=True, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        help_text="For example the PCN a practice belongs to, or the ICB over a trust",
    )
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="organisations"
    )
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    website = models.URLField(blank=True)
    phone = models.CharField(max_length=30, blank=True)

    # Who the public deals with about what they told us, shown on the privacy notice, the
    # thank-you page and acknowledgement emails. Each organisation decides these for itself: it
    # is the data controller for feedback about its services and for people who join its groups.
    contact_email = models.EmailField(
        blank=True, help_text="Where the public can write about feedback and their details"
    )
    contact_phone = models.CharField(
        max_length=30, blank=True, help_text="For the public; the main phone number if empty"
    )
    data_controller = models.CharField(
        max_length=200,
        blank=True,
        help_text="The legal entity responsible for the data, if not the organisation's own name",
    )
    ico_registration = models.CharField(
        max_length=20, blank=True, help_text="Registration number with the Information Commissioner"
    )
    dpo_name = models.CharField("Data protection officer", max_length=200, blank=True)
    dpo_email = models.EmailField("Data protection officer's email", blank=True)
    lawful_basis = models.TextField(
        blank=True,
        help_text="The lawful basis for using people's details, in plain words, for the privacy"
        " notice (UK GDPR articles 6 and 9)",
    )
    contact_retention_months = models.PositiveSmallIntegerField(
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="Contact details of people with no activity for this many months are erased"
        " (their comments are kept without them)",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def controller_name(self) -> str:
        return self.data_controller or self.name

    @property
    def public_phone(self) -> str:
        return self.contact_phone or self.phone

    def contact_line(self) -> str:
        """One sentence saying how to reach the organisation, for pages and plain-text emails."""
        ways = [w for w in (self.contact_email, self.public_phone) if w] or [self.website]
        if not ways[0]:
            return f"Contact {self.name} directly: it has not published contact details here."
        return f"Contact {self.name} at {' or '.join(ways)}."


class Site(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(max_length=200)
    ods_code = models.CharField(max_length=10, blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    """What feedback is about: a ward, a clinic, a practice's appointments, a café."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="services"
    )
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="services"
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.organisation.name}"

    def get_absolute_url(self) -> str:
        return reverse("services:detail", args=[self.slug])


class Group(models.Model):
    class Kind(models.TextChoices):
        PPG = "ppg", "Patient participation group"
        PATIENT_FORUM = "patient_forum", "Patient forum"
        MNVP = "mnvp", "Maternity and neonatal voices partnership"
        PEOPLE_COUNCIL = "people_council", "People Council"
        COMMITTEE = "committee", "Committee"
        VOLUNTARY = "voluntary", "Voluntary patients' group"

    class JoinMethod(models.TextChoices):
        OPEN = "open", "Anyone can join"
        APPLY = "apply", "Apply to join"
        INVITATION = "invitation", "By invitation or election"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    host = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="hosted_groups",
        help_text="The organisation that runs or supports the group",
    )
    summary = models.CharField(max_length=300, help_text="One sentence on what the group does")
    description = models.TextField(blank=True)
    influences = models.ManyToManyField(
        Organisation, blank=True, related_name="influenced_by_groups"
    )
    areas = models.ManyToManyField(Area, blank=True, related_name="groups")
    join_method = models.CharField(max_length=20, choices=JoinMethod.choices, default="open")
    how_to_join = models.TextField(blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=30, blank=True)
    meeting_pattern = models.CharField(
        max_length=200, blank=True, help_text='For example "Second Tuesday of each month, online"'
    )
    is_published = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("directory:group_detail", args=[self.slug])
