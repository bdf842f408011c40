"""The demo world: invented organisations of real kinds, invented people, and feedback whose
comment texts are real Friends and Family Test comments from the shipped pxtextmining data set
(MIT, copyright NHS England; see patientvoice/insight/data/ATTRIBUTION.md).

Everything is keyed by slug, username or a derived submission token, so loading twice changes
nothing.
"""

from __future__ import annotations

import csv
import datetime
import random
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from patientvoice.directory.models import Area, Group, Organisation, PostcodeDistrict, Service, Site
from patientvoice.feedback.models import Experience
from patientvoice.feedback.services import ExperienceInput, submit_feedback
from patientvoice.feedback.summary import responses_changing
from patientvoice.people.models import Membership, Role, User

FFT_DATA = Path(__file__).resolve().parent.parent / "insight" / "data" / "v6framework_train.csv"
DEMO_PASSWORD = "patientvoice-demo"  # noqa: S105 (demo accounts only, printed by make run)
DEMO_NAMESPACE = uuid.UUID("6f1c9f5e-43b4-4a53-9a4f-2f0e3c7d1a10")
FEEDBACK_COUNT = 360

AREAS = {
    # slug: (name, kind, parent, postcode districts)
    "northdale": ("Northdale", Area.Kind.ICB, None, []),
    "kirkby-moor": ("Kirkby Moor", Area.Kind.PLACE, "northdale", ["ND1", "ND2", "ND3"]),
    "eastbridge": ("Eastbridge", Area.Kind.PLACE, "northdale", ["ND4", "ND5", "ND6"]),
    "westholme": ("Westholme", Area.Kind.PLACE, "northdale", ["ND7", "ND8"]),
    "northdale-council": ("Northdale Council area", Area.Kind.LOCAL_AUTHORITY, None, []),
}

ORGS = [
    # slug, name, kind, ods, area, parent
    ("northdale-icb", "NHS Northdale Integrated Care Board", "icb", "QZ9", "northdale", None),
    (
        "northdale-central-pcn",
        "Northdale Central Primary Care Network",
        "pcn",
        "U99901",
        "kirkby-moor",
        "northdale-icb",
    ),
    (
        "oak-lane-surgery",
        "Oak Lane Surgery",
        "gp_practice",
        "Y99001",
        "kirkby-moor",
        "northdale-central-pcn",
    ),
    (
        "riverside-medical-practice",
        "Riverside Medical Practice",
        "gp_practice",
        "Y99002",
        "eastbridge",
        "northdale-central-pcn",
    ),
    (
        "market-street-health-centre",
        "Market Street Health Centre",
        "gp_practice",
        "Y99003",
        "westholme",
        "northdale-central-pcn",
    ),
    (
        "hillcrest-surgery",
        "Hillcrest Surgery",
        "gp_practice",
        "Y99004",
        "eastbridge",
        "northdale-central-pcn",
    ),
    (
        "northdale-hospitals",
        "Northdale Teaching Hospitals NHS Trust",
        "nhs_trust",
        "RZ9",
        "northdale",
        "northdale-icb",
    ),
    (
        "northdale-mental-health",
        "Northdale and Eastbridge Mental Health NHS Foundation Trust",
        "nhs_trust",
        "RZ8",
        "northdale",
        "northdale-icb",
    ),
    (
        "northdale-ambulance",
        "Northdale Ambulance Service NHS Trust",
        "nhs_trust",
        "RZ7",
        "northdale",
        "northdale-icb",
    ),
    ("healthwatch-northdale", "Healthwatch Northdale", "healthwatch", None, "northdale", None),
    (
        "northdale-council",
        "Northdale Council",
        "local_authority",
        "E06999999",
        "northdale-council",
        None,
    ),
    (
        "kirkby-moor-patients",
        "Kirkby Moor District Patients' Association",
        "voluntary",
        None,
        "kirkby-moor",
        None,
    ),
    ("northdale-carers-network", "Northdale Carers' Network", "voluntary", None, "northdale", None),
    (
        "eastbridge-wellbeing",
        "Eastbridge Wellbeing Collective",
        "voluntary",
        None,
        "eastbridge",
        None,
    ),
]

SITES = [
    # slug of organisation, site name, postcode
    ("northdale-hospitals", "Northdale General Hospital", "ND1 4QP"),
    ("northdale-hospitals", "Eastbridge Community Hospital", "ND5 2LT"),
    ("northdale-mental-health", "The Willows", "ND4 7HS"),
    ("oak-lane-surgery", "Oak Lane Surgery", "ND2 3AB"),
    ("riverside-medical-practice", "Riverside Medical Practice", "ND4 1RR"),
    ("market-street-health-centre", "Market Street Health Centre", "ND7 9MS"),
    ("hillcrest-surgery", "Hillcrest Surgery", "ND6 2HC"),
]

SERVICES = [
    # slug, name, organisation, site (or None), relative size for demo feedback
    (
        "ndh-emergency-department",
        "Emergency department",
        "northdale-hospitals",
        "Northdale General Hospital",
        6,
    ),
    ("ndh-maternity", "Maternity unit", "northdale-hospitals", "Northdale General Hospital", 4),
    (
        "ndh-cancer-outpatients",
        "Cancer outpatients",
        "northdale-hospitals",
        "Northdale General Hospital",
        3,
    ),
    (
        "ebh-ward-3",
        "Ward 3 (rehabilitation)",
        "northdale-hospitals",
        "Eastbridge Community Hospital",
        2,
    ),
    ("ndmh-community-team", "Community mental health team", "northdale-mental-health", None, 4),
    ("ndmh-willows-ward", "Willows inpatient ward", "northdale-mental-health", "The Willows", 2),
    (
        "ndmh-recovery-cafe-eastbridge",
        "Eastbridge recovery café",
        "northdale-mental-health",
        None,
        1,
    ),
    ("nas-patient-transport", "Patient transport service", "northdale-ambulance", None, 5),
    ("nas-111", "NHS 111", "northdale-ambulance", None, 5),
    ("oak-lane-appointments", "GP appointments", "oak-lane-surgery", "Oak Lane Surgery", 3),
    (
        "riverside-appointments",
        "GP appointments",
        "riverside-medical-practice",
        "Riverside Medical Practice",
        3,
    ),
    (
        "market-street-appointments",
        "GP appointments",
        "market-street-health-centre",
        "Market Street Health Centre",
        2,
    ),
    ("hillcrest-appointments", "GP appointments", "hillcrest-surgery", "Hillcrest Surgery", 2),
]


@dataclass(frozen=True)
class GroupSpec:
    slug: str
    name: str
    kind: str
    host: str
    summary: str
    influences: tuple[str, ...]
    areas: tuple[str, ...]
    join_method: str = "open"
    meeting_pattern: str = ""
    how_to_join: str = ""


GROUPS = [
    GroupSpec(
        "oak-lane-ppg",
        "Oak Lane Surgery Patient Participation Group",
        "ppg",
        "oak-lane-surgery",
        "Patients who work with the practice to improve appointments, access and services.",
        ("oak-lane-surgery",),
        ("kirkby-moor",),
        meeting_pattern="First Wednesday of each month, 6pm, at the surgery and online",
        how_to_join="Any registered patient can join: ask at reception or email us.",
    ),
    GroupSpec(
        "riverside-ppg",
        "Riverside Medical Practice Patient Group",
        "ppg",
        "riverside-medical-practice",
        "A friendly group of patients giving the practice feedback and helping run health events.",
        ("riverside-medical-practice",),
        ("eastbridge",),
        meeting_pattern="Every other month, Thursday afternoons",
    ),
    GroupSpec(
        "market-street-ppg",
        "Market Street Patient Participation Group",
        "ppg",
        "market-street-health-centre",
        "Patients helping the health centre plan services and test new ways of booking.",
        ("market-street-health-centre",),
        ("westholme",),
        meeting_pattern="Quarterly, online",
    ),
    GroupSpec(
        "hillcrest-ppg",
        "Hillcrest Surgery Virtual Patient Group",
        "ppg",
        "hillcrest-surgery",
        "An email-based group that answers short surveys about the surgery.",
        ("hillcrest-surgery",),
        ("eastbridge",),
        meeting_pattern="Online only: surveys by email a few times a year",
    ),
    GroupSpec(
        "northdale-ppg-network",
        "Northdale PPG Network",
        "patient_forum",
        "northdale-icb",
        "Brings together members of every patient participation group in Northdale to "
        "share ideas and speak to the ICB.",
        ("northdale-icb",),
        ("northdale",),
        meeting_pattern="Twice a year, with online catch-ups in between",
    ),
    GroupSpec(
        "northdale-cancer-forum",
        "Northdale Cancer Patient Forum",
        "patient_forum",
        "northdale-hospitals",
        "People affected by cancer helping to shape cancer services at Northdale's hospitals.",
        ("northdale-hospitals", "northdale-icb"),
        ("northdale",),
        join_method="apply",
        meeting_pattern="Monthly, second Tuesday, 2pm to 4pm",
    ),
    GroupSpec(
        "kirkby-moor-mnvp",
        "Kirkby Moor Maternity and Neonatal Voices Partnership",
        "mnvp",
        "northdale-icb",
        "Parents, families and staff working together to "
        "improve maternity and neonatal care in Kirkby Moor.",
        ("northdale-hospitals", "northdale-icb"),
        ("kirkby-moor",),
        meeting_pattern="Monthly coffee mornings and online listening events",
    ),
    GroupSpec(
        "eastbridge-mnvp",
        "Eastbridge Maternity and Neonatal Voices Partnership",
        "mnvp",
        "northdale-icb",
        "Listening to families about maternity and neonatal care in Eastbridge.",
        ("northdale-hospitals", "northdale-icb"),
        ("eastbridge",),
        meeting_pattern="Monthly, rotating between children's centres",
    ),
    GroupSpec(
        "westholme-mnvp",
        "Westholme Maternity and Neonatal Voices Partnership",
        "mnvp",
        "northdale-icb",
        "Making sure every family's voice in Westholme shapes maternity services.",
        ("northdale-hospitals", "northdale-icb"),
        ("westholme",),
        meeting_pattern="Every six weeks, online and in person",
    ),
    GroupSpec(
        "healthwatch-northdale-volunteers",
        "Healthwatch Northdale volunteers",
        "voluntary",
        "healthwatch-northdale",
        "Volunteers who gather people's experiences of health and social care across Northdale.",
        ("northdale-icb", "northdale-council", "northdale-hospitals"),
        ("northdale",),
        join_method="apply",
        meeting_pattern="Training sessions monthly",
    ),
    GroupSpec(
        "kirkby-moor-patients-group",
        "Kirkby Moor District Patients' Group",
        "voluntary",
        "kirkby-moor-patients",
        "An independent patients' group covering the district, "
        "with seats on the ICB's primary care committee and the hospital's patient "
        "experience committee.",
        ("northdale-icb", "northdale-hospitals"),
        ("kirkby-moor",),
        meeting_pattern="Last Monday of each month, Kirkby Moor library",
    ),
    GroupSpec(
        "icb-primary-care-committee",
        "Primary Care Commissioning Committee (lay seats)",
        "committee",
        "northdale-icb",
        "The ICB committee that decides on GP and "
        "primary care services; two seats are held by patient representatives.",
        ("northdale-icb",),
        ("northdale",),
        join_method="invitation",
        meeting_pattern="Bi-monthly, meetings held in public",
    ),
    GroupSpec(
        "mh-people-council",
        "People Council",
        "people_council",
        "northdale-mental-health",
        "People with lived experience of mental health services advising the trust board.",
        ("northdale-mental-health",),
        ("northdale",),
        join_method="apply",
        meeting_pattern="Monthly, paid involvement",
    ),
    GroupSpec(
        "eastbridge-recovery-cafe",
        "Eastbridge Recovery Café",
        "voluntary",
        "northdale-mental-health",
        "A weekly drop-in café run with people in recovery; "
        "a place to talk, share and shape support.",
        ("northdale-mental-health",),
        ("eastbridge",),
        meeting_pattern="Every Friday, 10am to 1pm, no booking needed",
    ),
    GroupSpec(
        "better-breathing-coproduction",
        "Better Breathing Together",
        "committee",
        "northdale-icb",
        "A co-production programme where patients, carers, voluntary "
        "groups and services redesign support for people with breathing conditions.",
        ("northdale-icb", "northdale-carers-network", "eastbridge-wellbeing"),
        ("northdale",),
        join_method="apply",
        meeting_pattern="Workshops every month",
    ),
]

STAFF = [
    # username, first, last, [(org slug, role)]
    (
        "demo-officer",
        "Alice",
        "Officer",
        [("northdale-icb", Role.OFFICER), ("northdale-hospitals", Role.OFFICER)],
    ),
    (
        "demo-analyst",
        "Bob",
        "Analyst",
        [("northdale-icb", Role.ANALYST), ("northdale-hospitals", Role.ANALYST)],
    ),
    ("demo-admin", "Charlie", "Admin", [("northdale-mental-health", Role.ORG_ADMIN)]),
    ("demo-practice", "Dana", "Practice", [("oak-lane-surgery", Role.OFFICER)]),
]


# Why each kind of organisation may use people's details, in the words its privacy notice uses.
LAWFUL_BASIS = {
    "statutory": (
        "We use your details to carry out our public tasks as an NHS body (UK GDPR article 6(1)(e))"
        " and, for anything about your health, to manage health and care services (article"
        " 9(2)(h)). We contact you only if you asked us to, and you can withdraw that at any time."
    ),
    "healthwatch": (
        "We use what you tell us to carry out our statutory role as your local Healthwatch (UK"
        " GDPR article 6(1)(e)); anything about your health is used in the public interest in"
        " health care (article 9(2)(i)). We contact you only if you asked us to."
    ),
    "voluntary": (
        "We keep your details because you agreed to it (UK GDPR article 6(1)(a) and, for anything"
        " about your health, article 9(2)(a)). You can withdraw your agreement at any time."
    ),
}


def _identity(slug: str, name: str, kind: str) -> dict[str, object]:
    """Invented but realistic privacy details for a demo organisation."""
    domain = f"{slug}.example.org"
    basis = "voluntary" if kind == "voluntary" else kind if kind == "healthwatch" else "statutory"
    return {
        "contact_email": f"involvement@{domain}",
        # Ofcom keeps 0113 496 0000 to 0999 for drama: no real line answers.
        "contact_phone": f"0113 496 0{sum(map(ord, slug)) % 1000:03d}",
        "data_controller": name,
        "ico_registration": "" if kind == "voluntary" else f"Z{sum(map(ord, name)) % 10**7:07d}",
        "dpo_name": "" if kind == "voluntary" else "Data Protection Officer",
        "dpo_email": f"dpo@{domain}" if kind != "voluntary" else "",
        "lawful_basis": LAWFUL_BASIS[basis],
        "contact_retention_months": 12 if kind == "voluntary" else 24,
    }


def _load_directory() -> dict[str, Organisation]:
    areas: dict[str, Area] = {}
    for slug, (name, kind, parent, districts) in AREAS.items():
        area, _ = Area.objects.update_or_create(
            kind=kind, name=name, defaults={"parent": areas.get(parent) if parent else None}
        )
        areas[slug] = area
        for code in districts:
            PostcodeDistrict.objects.update_or_create(code=code, defaults={"area": area})
    orgs: dict[str, Organisation] = {}
    for slug, name, org_kind, ods, area_slug, parent in ORGS:
        orgs[slug], _ = Organisation.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "kind": org_kind,
                "ods_code": ods,
                "area": areas[area_slug],
                "parent": orgs.get(parent) if parent else None,
                **_identity(slug, name, org_kind),
            },
        )
    sites = {}
    for org_slug, name, postcode in SITES:
        sites[name], _ = Site.objects.update_or_create(
            organisation=orgs[org_slug], name=name, defaults={"postcode": postcode}
        )
    for slug, name, org_slug, site_name, _size in SERVICES:
        Service.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "organisation": orgs[org_slug],
                "site": sites.get(site_name) if site_name else None,
            },
        )
    for spec in GROUPS:
        group, _ = Group.objects.update_or_create(
            slug=spec.slug,
            defaults={
                "name": spec.name,
                "kind": spec.kind,
                "host": orgs[spec.host],
                "summary": spec.summary,
                "join_method": spec.join_method,
                "meeting_pattern": spec.meeting_pattern,
                "how_to_join": spec.how_to_join,
                "contact_email": f"{spec.slug}@example.org",
            },
        )
        group.influences.set(orgs[s] for s in spec.influences)
        group.areas.set(areas[s] for s in spec.areas)
    return orgs


def _load_staff(orgs: dict[str, Organisation], password: str | None) -> None:
    """Staff with `password`, or with none (an unusable one) outside development. An account
    that still has the published password loses it when the demo is loaded without one."""
    for username, first, last, roles in STAFF:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"},
        )
        if created and password:
            user.set_password(password)
            user.save(update_fields=["password"])
        elif password is None and (created or user.check_password(DEMO_PASSWORD)):
            user.set_unusable_password()
            user.save(update_fields=["password"])
        for org_slug, role in roles:
            Membership.objects.update_or_create(
                user=user, organisation=orgs[org_slug], defaults={"role": role}
            )


def fft_comments() -> list[tuple[int | None, str, str]]:
    """(rating, question, text) for every non-empty comment in the shipped data set."""
    comments = []
    with FFT_DATA.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            text = (row["FFT answer"] or "").strip()
            if len(text) < 3 or text.lower() in {"did not answer", "none", "n/a"}:
                continue
            raw = row["FFT categorical answer"]
            rating = int(raw) if raw in {"1", "2", "3", "4", "5", "6"} else None
            comments.append((rating, row["FFT question"].lower(), text))
    return comments


def _load_feedback() -> int:
    rng = random.Random(20261123)  # noqa: S311 (deterministic demo data, not security)
    comments = fft_comments()
    services = {s.slug: s for s in Service.objects.select_related("organisation")}
    weighted = [slug for slug, _n, _o, _s, size in SERVICES for _ in range(size)]
    today = timezone.localdate()
    created = 0
    for index in range(FEEDBACK_COUNT):
        token = uuid.uuid5(DEMO_NAMESPACE, f"feedback-{index}")
        rating, question, text = rng.choice(comments)
        service = services[rng.choice(weighted)]
        age_days = rng.randint(0, 364)
        if Experience.objects.filter(submission_token=token).exists():
            continue
        better = (
            "improve" in question
            or "better" in question
            or ("why" in question and rating is not None and rating >= 3)
        )
        data = ExperienceInput(
            service=service,
            rating=rating or rng.choice([1, 1, 2]),
            respondent=rng.choice(["patient"] * 6 + ["carer", "relative"]),
            channel=rng.choice(["web"] * 5 + ["phone", "paper", "event"]),
            consent_method="online",
            what_was_good="" if better else text,
            could_be_better=text if better else "",
            happened_on=today - datetime.timedelta(days=age_days + rng.randint(0, 6)),
            may_publish=rng.random() < 0.6,
            equality={
                "age_band": rng.choice(["25-34", "35-44", "45-54", "55-64", "65-74", "75+", ""]),
                "sex": rng.choice(["female", "male", ""]),
                "ethnicity": rng.choice(["A"] * 8 + ["H", "J", "N", "M", "C", "Z"]),
                "disability": rng.choice(["yes", "no", "no", ""]),
                "postcode_district": f"ND{rng.randint(1, 8)}",
            },
            submission_token=token,
        )
        experience, made = submit_feedback(data)
        if made:
            submitted = timezone.now() - datetime.timedelta(
                days=age_days, minutes=rng.randint(0, 1440)
            )
            with responses_changing([experience.pk]):
                Experience.objects.filter(pk=experience.pk).update(submitted_at=submitted)
            created += 1
    return created


@transaction.atomic
def load_demo(*, staff_password: str | None) -> dict[str, int]:
    orgs = _load_directory()
    _load_staff(orgs, staff_password)
    return {
        "organisations": Organisation.objects.count(),
        "groups": Group.objects.count(),
        "services": Service.objects.count(),
        "feedback created": _load_feedback(),
        "feedback total": Experience.objects.count(),
    }
