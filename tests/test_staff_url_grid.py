"""Every staff URL × every persona, in one grid.

Alice (officer), Bob (analyst) and Charlie (organisation admin) work at Northdale Hospitals, whose
records every URL below points at; Dana is an officer at Oak Lane Surgery; Frank is the surgery's
responder, to whom the hospital's issued report addresses a recommendation; Erin has an account
and no role; and a visitor is not signed in. A new staff URL fails
`test_the_grid_covers_every_staff_url` until it has a row here, so nothing reaches the staff area
without its authorisation being tested.

Each row says which personas get the page. Everyone else must be turned away: a visitor to the
sign-in page, Erin with 403, and staff without the permission or from another organisation with
403 or 404 (a 404 where the address names a record, so that it reveals nothing). Pages that list
an organisation's own records (no record in the address) open to Dana too, and must then show
nothing of the hospital's.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from patientvoice.feedback.models import ImportBatch, ImportSource
from patientvoice.influence.models import Evidence
from patientvoice.insight.models import Concern
from patientvoice.people.models import ConsentRecord, Membership, Person, User
from tests.conftest import World, make_experience
from tests.conftest import client_for as client_for_world
from tests.influence.helpers import draft_report, issued_report, responder
from tests.involvement.grid_rows import GROUP_GRID


def client_for(world: World, persona: str) -> Client:
    """As conftest's, with Frank, who exists only in this grid's world."""
    if persona == "frank":
        client = Client()
        client.force_login(User.objects.get(username="frank"))
        return client
    return client_for_world(world, persona)


PERSONAS = ["anonymous", "alice", "bob", "charlie", "dana", "frank", "erin"]
HOSPITAL_STAFF = {"alice", "bob", "charlie"}
# Staff of another organisation: an officer, and a responder (who reads their own
# organisation's feedback and answers reports, and nothing else).
OTHER_ORGANISATION = {"dana", "frank"}
EVERY_STAFF_MEMBER = HOSPITAL_STAFF | OTHER_ORGANISATION
SIGNED_IN = EVERY_STAFF_MEMBER | {"erin"}
# Shown on any page that lets a person see the hospital's records.
HOSPITAL_MARKER = "The midwives were kind"


@dataclass
class Objects:
    """The hospital's records that the URLs point at."""

    reference: str
    held_back_reference: str
    batch_id: int
    comment_id: int
    concern_id: int
    person_id: int
    consent_id: int
    membership_id: int
    organisation_id: int
    reset_uid: str
    reset_token: str
    draft_report_id: int
    issued_report_id: int
    finding_id: int
    evidence_id: int
    recommendation_id: int


@dataclass(frozen=True)
class Row:
    """Who gets the page (200), and how to reach it."""

    allowed: frozenset[str]
    # The address's parameters, for pages about one record; None for pages with none.
    record: Callable[[Objects], dict[str, Any]] | None = None
    # Public pages (sign-in, password reset) answer everyone; signed-in-only pages send
    # visitors to sign in.
    public: bool = False
    # A page that lists the viewer's own organisation's records: other organisations' staff
    # get it too, without the hospital's records.
    own_records_list: bool = False
    # An action (a button's target): GET changes nothing and is refused for everyone; who may
    # POST is tested by the second grid below.
    post_only: bool = False


def rows() -> dict[str, Row]:
    officer_like = frozenset({"alice", "charlie"})
    admins = frozenset({"charlie"})
    importers = frozenset({"bob", "charlie"})
    hospital = frozenset(HOSPITAL_STAFF)
    # Reports: every hospital role drafts; officers and admins sign off and record responses
    # that came by letter; the addressed surgery's responder sees the issued report and answers.
    writers = hospital
    report_readers = hospital | {"frank"}

    def draft(o: Objects) -> dict[str, Any]:
        return {"report_id": o.draft_report_id}

    def issued(o: Objects) -> dict[str, Any]:
        return {"report_id": o.issued_report_id}

    def organisation(o: Objects) -> dict[str, Any]:
        return {"organisation_id": o.organisation_id}

    return {
        # Public: signed-in people are sent on, and a reset link may redirect to its form.
        "login": Row(frozenset(PERSONAS), public=True),
        "sign_in_code": Row(frozenset(), public=True),
        "password_reset": Row(frozenset(PERSONAS), public=True),
        "password_reset_done": Row(frozenset(PERSONAS), public=True),
        "password_reset_confirm": Row(
            frozenset(PERSONAS),
            lambda o: {"uidb64": o.reset_uid, "token": o.reset_token},
            public=True,
        ),
        "password_reset_complete": Row(frozenset(PERSONAS), public=True),
        "logout": Row(frozenset(PERSONAS), public=True),
        # Account pages belong to the staff area: an account with no role has none of them.
        "password_change": Row(frozenset(EVERY_STAFF_MEMBER)),
        "password_change_done": Row(frozenset(EVERY_STAFF_MEMBER)),
        "two_factor": Row(frozenset(EVERY_STAFF_MEMBER)),
        "two_factor_remove": Row(frozenset(EVERY_STAFF_MEMBER), post_only=True),
        "team": Row(admins),
        "team_invite": Row(admins),
        "team_member": Row(admins, lambda o: {"membership_id": o.membership_id}),
        "team_remove": Row(admins, lambda o: {"membership_id": o.membership_id}),
        "team_reset_two_factor": Row(
            admins, lambda o: {"membership_id": o.membership_id}, post_only=True
        ),
        "team_policy": Row(admins, organisation, post_only=True),
        "audit_log": Row(admins),
        "feedback_list": Row(frozenset(EVERY_STAFF_MEMBER), own_records_list=True),
        "capture_choose_service": Row(frozenset({"alice", "charlie", "dana"})),
        "capture": Row(officer_like, lambda o: {"slug": "maternity"}),
        "feedback_detail": Row(hospital, lambda o: {"reference": o.reference}),
        "held_back_list": Row(frozenset({"alice", "charlie", "dana"}), own_records_list=True),
        "held_back_decide": Row(
            officer_like, lambda o: {"reference": o.held_back_reference}, post_only=True
        ),
        "import_upload": Row(importers),
        "import_batch": Row(importers, lambda o: {"batch_id": o.batch_id}),
        "import_mapping": Row(importers, lambda o: {"batch_id": o.batch_id}),
        "comment_review": Row(hospital, lambda o: {"comment_id": o.comment_id}),
        "publish_comment": Row(
            officer_like, lambda o: {"comment_id": o.comment_id}, post_only=True
        ),
        "raise_concern": Row(officer_like, lambda o: {"comment_id": o.comment_id}, post_only=True),
        "concern_list": Row(frozenset({"alice", "charlie", "dana"}), own_records_list=True),
        "concern_detail": Row(officer_like, lambda o: {"concern_id": o.concern_id}),
        "concern_decide": Row(officer_like, lambda o: {"concern_id": o.concern_id}, post_only=True),
        # Triage decisions as training sentences: for the roles that read raw comments beside
        # concerns or the text model (officers, analysts, admins), each for their own.
        # Not responders: they read feedback but neither concerns nor the text model.
        "concern_decisions": Row(frozenset(HOSPITAL_STAFF | {"dana"}), own_records_list=True),
        "insight": Row(frozenset(EVERY_STAFF_MEMBER), own_records_list=True),
        "insight_comments": Row(frozenset(EVERY_STAFF_MEMBER), own_records_list=True),
        "population": Row(admins),
        "model_versions": Row(frozenset(HOSPITAL_STAFF | {"dana"})),
        "privacy_find": Row(admins),
        "privacy_person": Row(admins, lambda o: {"person_id": o.person_id}),
        "privacy_withdraw": Row(
            admins,
            lambda o: {"person_id": o.person_id, "consent_id": o.consent_id},
            post_only=True,
        ),
        "privacy_export": Row(admins, lambda o: {"person_id": o.person_id, "file_format": "json"}),
        "privacy_erase": Row(admins, lambda o: {"person_id": o.person_id}),
        "privacy_organisation": Row(admins, organisation),
        "report_list": Row(frozenset(EVERY_STAFF_MEMBER), own_records_list=True),
        "report_new": Row(frozenset(HOSPITAL_STAFF | {"dana"})),
        "report_detail": Row(report_readers, issued),
        "report_pdf": Row(report_readers, issued),
        "report_edit": Row(writers, draft),
        "finding_new": Row(writers, draft),
        "evidence_new": Row(writers, lambda o: {"finding_id": o.finding_id, "kind": "note"}),
        "evidence_remove": Row(writers, lambda o: {"evidence_id": o.evidence_id}, post_only=True),
        "recommendation_new": Row(writers, draft),
        "contact_new": Row(writers, draft),
        "report_sign_off": Row(officer_like, draft, post_only=True),
        "report_issue": Row(writers, draft, post_only=True),
        "report_publish": Row(writers, issued, post_only=True),
        "report_correct": Row(writers, issued),
        "response_new": Row(
            officer_like | {"frank"}, lambda o: {"recommendation_id": o.recommendation_id}
        ),
    }


GRID = rows()


def staff_url_names() -> set[str]:
    resolver = get_resolver()
    namespace = resolver.namespace_dict["staff"][1]
    return {p.name for p in namespace.url_patterns if isinstance(p, URLPattern) and p.name}


def test_the_grid_covers_every_staff_url() -> None:
    # A group's workspace opens by the role held in the group: its grid, with the group
    # personas, is tests/involvement/test_group_url_grid.py.
    assert staff_url_names() == set(GRID) | set(GROUP_GRID)


@pytest.fixture
def objects(world: World, settings: Any) -> Objects:
    settings.FEEDBACK_COMMENT_TASKS = []
    experience = make_experience(
        world.maternity, may_contact=True, contact_name="Sam Jones", contact_email="sam@example.org"
    )
    held_back = make_experience(
        world.maternity, held_back_reason="busy_client", source_key=uuid.uuid4().hex[:16]
    )
    comment = experience.comments.get()
    concern = Concern.objects.create(
        comment=comment, kind=Concern.Kind.SAFEGUARDING, severity=1, raised_by=world.alice
    )
    source = ImportSource.objects.create(organisation=world.hospital, name="Ward FFT")
    batch = ImportBatch.objects.create(
        source=source, original_name="fft.csv", columns=["Rating"], created_by=world.bob
    )
    person = experience.contact
    assert isinstance(person, Person)
    consent = ConsentRecord.objects.filter(person=person).first() or ConsentRecord.objects.create(
        person=person,
        purpose="feedback_contact",
        version="1",
        method="online",
        given_at=timezone.now(),
    )
    responder(world)
    draft = draft_report(world)
    report = issued_report(world)
    return Objects(
        reference=experience.reference,
        held_back_reference=held_back.reference,
        batch_id=batch.pk,
        comment_id=comment.pk,
        concern_id=concern.pk,
        person_id=person.pk,
        consent_id=consent.pk,
        membership_id=Membership.objects.get(user=world.alice).pk,
        organisation_id=world.hospital.pk,
        reset_uid=urlsafe_base64_encode(force_bytes(world.alice.pk)),
        reset_token=default_token_generator.make_token(world.alice),
        draft_report_id=draft.pk,
        issued_report_id=report.pk,
        finding_id=draft.findings.get().pk,
        evidence_id=Evidence.objects.filter(finding__report=draft).first().pk,  # type: ignore[union-attr]
        recommendation_id=report.recommendations.get().pk,
    )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(GRID))
def test_each_staff_url_opens_only_to_the_personas_its_row_names(
    world: World, objects: Objects, name: str, persona: str
) -> None:
    row = GRID[name]
    url = reverse(f"staff:{name}", kwargs=row.record(objects) if row.record else {})

    response = client_for(world, persona).get(url)
    html = response.content.decode(errors="replace")

    if row.public:
        # Open to all: a signed-in person or a used reset link is sent on to where they belong.
        assert response.status_code in {200, 302}, (name, persona, response.status_code)
    elif persona == "anonymous":
        assert response.status_code in {302, 405}, (name, persona, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("staff:login"))
    elif row.post_only:
        # Refused either as a GET or for want of a role, whichever check the view makes first.
        expected = {405} if persona in row.allowed else {403, 404, 405}
        assert response.status_code in expected, (name, persona, response.status_code)
    elif persona in row.allowed:
        # A page may send its user on (an import batch still being mapped goes to its columns),
        # but never to sign in again.
        assert response.status_code in {200, 302}, (name, persona, response.status_code)
        if response.status_code == 302:
            assert not response["Location"].startswith(reverse("staff:login"))
        if row.own_records_list and persona in OTHER_ORGANISATION:
            assert HOSPITAL_MARKER not in html
    else:
        assert response.status_code in {403, 404}, (name, persona, response.status_code)
    if persona not in row.allowed:
        assert HOSPITAL_MARKER not in html
        assert "sam@example.org" not in html


REFUSED_RECORD_PAGES = [
    (name, persona)
    for name, row in sorted(GRID.items())
    if (row.record or row.post_only) and not row.public
    for persona in PERSONAS
    if persona not in row.allowed
]


@pytest.mark.parametrize(("name", "persona"), REFUSED_RECORD_PAGES)
def test_posting_to_a_record_page_is_refused_to_those_who_cannot_open_it(
    world: World, objects: Objects, name: str, persona: str
) -> None:
    row = GRID[name]
    url = reverse(f"staff:{name}", kwargs=row.record(objects) if row.record else {})

    response = client_for(world, persona).post(url, {})

    if persona == "anonymous":
        assert response.status_code == 302, (name, persona, response.status_code)
        assert response["Location"].startswith(reverse("staff:login"))
    else:
        assert response.status_code in {403, 404}, (name, persona, response.status_code)
    assert HOSPITAL_MARKER not in response.content.decode(errors="replace")
