"""People: staff accounts and their roles, members of the public, consent and equality data."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from patientvoice.defences import HoldReason
from patientvoice.directory.models import Group, Organisation


class User(AbstractUser):
    """A sign-in. Staff roles come from memberships, never from Django's is_staff flag,
    which is kept for platform administrators who may use Django's admin."""

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Role(models.TextChoices):
    OFFICER = "officer", "Engagement or patient-experience officer"
    ANALYST = "analyst", "Analyst"
    ORG_ADMIN = "org_admin", "Organisation admin"
    # Answers the recommendations that other organisations' reports address to this one.
    RESPONDER = "responder", "Responder to reports"


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_role_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} at {self.organisation}"


class Person(models.Model):
    """Someone we may contact: a person need not have an account."""

    class ContactMethod(models.TextChoices):
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone"
        POST = "post", "Post"

    full_name = models.CharField(max_length=200)
    preferred_contact = models.CharField(max_length=10, choices=ContactMethod.choices)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    postal_address = models.TextField(blank=True)
    interests = models.JSONField(default=list, blank=True)
    access_needs = models.TextField(blank=True)
    groups_of_interest = models.ManyToManyField(Group, blank=True, related_name="interested_people")
    user = models.OneToOneField(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the person's details were erased, on request or when the retention period ran
    # out: the row stays, blank, so consent history and the audit log still point somewhere.
    erased_at = models.DateTimeField(null=True, blank=True)
    # When the person followed the link we emailed to `email`: only then do we send them
    # anything else, so the address cannot be used to aim our emails at someone else.
    email_confirmed_at = models.DateTimeField(null=True, blank=True)
    # The "Get involved" form's token: a double submit finds the person it made.
    submission_token = models.UUIDField(unique=True, null=True, blank=True, editable=False)
    # Why a "Get involved" sign-up looked automated (patientvoice.defences); blank for people.
    held_back_reason = models.CharField(max_length=20, choices=HoldReason.choices, blank=True)

    class Meta:
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return "Erased person" if self.erased_at else self.full_name


class ConsentRecord(models.Model):
    """What a person agreed to, under which wording (version), when, and how.

    Consent is never edited: withdrawing sets `withdrawn_at`, giving it again adds a new record.
    """

    class Purpose(models.TextChoices):
        INVOLVEMENT_CONTACT = "involvement_contact", "Contact about involvement opportunities"
        FEEDBACK_CONTACT = "feedback_contact", "Contact about feedback they gave"
        GROUP_CONTACT = "group_contact", "Passing details to groups they chose"

    class Method(models.TextChoices):
        ONLINE = "online", "Online form"
        VERBAL = "verbal", "Said so in person or by phone"
        WRITTEN = "written", "Signed on paper"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    version = models.CharField(max_length=20, help_text="Version of the wording the person saw")
    method = models.CharField(max_length=10, choices=Method.choices)
    given_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-given_at"]

    def __str__(self) -> str:
        return f"{self.person} – {self.get_purpose_display()} (v{self.version})"


class EqualityMonitoring(models.Model):
    """Optional equality answers, kept apart from what people said and shown only to analysts."""

    class AgeBand(models.TextChoices):
        UNDER_16 = "0-15", "Under 16"
        A16_24 = "16-24", "16 to 24"
        A25_34 = "25-34", "25 to 34"
        A35_44 = "35-44", "35 to 44"
        A45_54 = "45-54", "45 to 54"
        A55_64 = "55-64", "55 to 64"
        A65_74 = "65-74", "65 to 74"
        A75_PLUS = "75+", "75 or over"
        NOT_SAID = "not_said", "Prefer not to say"

    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        NOT_SAID = "not_said", "Prefer not to say"

    class Ethnicity(models.TextChoices):
        # NHS Data Dictionary ethnic category codes (2001 census groupings).
        A = "A", "White – British"
        B = "B", "White – Irish"
        C = "C", "White – Any other White background"
        D = "D", "Mixed – White and Black Caribbean"
        E = "E", "Mixed – White and Black African"
        F = "F", "Mixed – White and Asian"
        G = "G", "Mixed – Any other mixed background"
        H = "H", "Asian or Asian British – Indian"
        J = "J", "Asian or Asian British – Pakistani"
        K = "K", "Asian or Asian British – Bangladeshi"
        L = "L", "Asian or Asian British – Any other Asian background"
        M = "M", "Black or Black British – Caribbean"
        N = "N", "Black or Black British – African"
        P = "P", "Black or Black British – Any other Black background"
        R = "R", "Other ethnic groups – Chinese"
        S = "S", "Other ethnic groups – Any other ethnic group"
        Z = "Z", "Not stated"

    class Disability(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        NOT_SAID = "not_said", "Prefer not to say"

    age_band = models.CharField(max_length=10, choices=AgeBand.choices, blank=True)
    sex = models.CharField(max_length=10, choices=Sex.choices, blank=True)
    ethnicity = models.CharField(max_length=1, choices=Ethnicity.choices, blank=True)
    disability = models.CharField(max_length=10, choices=Disability.choices, blank=True)
    postcode_district = models.CharField(max_length=4, blank=True)
    # Index of Multiple Deprivation quintile of where the person lives, 1 most deprived. Nobody
    # is asked it: it comes with imports from trusts that derive it from the patient's address.
    deprivation_quintile = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=[(q, f"Quintile {q}") for q in range(1, 6)]
    )

    class Meta:
        verbose_name_plural = "equality monitoring"

    def __str__(self) -> str:
        return f"Equality monitoring #{self.pk}"

    @property
    def is_empty(self) -> bool:
        fields = (self.age_band, self.sex, self.ethnicity, self.disability, self.postcode_district)
        return not any(fields) and self.deprivation_quintile is None


class AuditEvent(models.Model):
    """One entry in the audit log: who did what to which record, when, and from where.

    Written for reads of contact details and equality answers, every export, role and account
    changes, population uploads and privacy requests (`patientvoice.people.audit`). Entries are
    never edited or deleted by the product; they name the subject by type and id rather than by
    foreign key, so erasing a person leaves the record that they were erased.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text as well: the log must still say who acted after an account is deleted.
    actor_username = models.CharField(max_length=150, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=50, db_index=True)
    subject_type = models.CharField(max_length=50, blank=True)
    subject_id = models.CharField(max_length=50, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "-at"], name="audit_org_time"),
            models.Index(fields=["subject_type", "subject_id"], name="audit_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username or 'system'} {self.action}"


class StaffPolicy(models.Model):
    """An organisation's rules for its staff's accounts, set by its organisation admins.

    Kept here rather than on Organisation: the directory knows nothing of accounts.
    """

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, primary_key=True, related_name="staff_policy"
    )
    # Staff whose role there shows contact details or equality answers must sign in with a code
    # from an authenticator app as well as their password (rules.TWO_FACTOR_PERMISSIONS).
    require_two_factor = models.BooleanField(default=False)
    changed_at = models.DateTimeField(auto_now=True)
    changed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "staff policies"

    def __str__(self) -> str:
        return f"Staff policy of {self.organisation}"
