"""Triage decisions on concerns: confirm, dismiss, regrade; their history, the queue they
reorder, and the labelled sentences they export for the next training run."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from patientvoice.directory.models import Service
from patientvoice.insight import triage
from patientvoice.insight.engine.safeguarding import SEVERITY
from patientvoice.insight.models import Concern, ConcernDecision, ModelVersion
from patientvoice.people.models import AuditEvent
from tests.conftest import World, client_for, make_experience

CARD = "She takes my card to the cashpoint and I never see the money."
DRESSING = "Nobody has changed his dressing in a week."
STORY = f"The ward was lovely. {CARD} {DRESSING} The food was fine."


def model_version() -> ModelVersion:
    return ModelVersion.objects.get_or_create(
        version="px-triage",
        defaults={"training_data_sha256": "a" * 64, "trained_at": timezone.now()},
    )[0]


def finding(sentence: str, category: str, score: float, words: list[str]) -> dict[str, object]:
    return {"sentence": sentence, "category": category, "score": score, "words": words}


def detected(
    service: Service,
    text: str = STORY,
    findings: list[dict[str, object]] | None = None,
    severity: int = 1,
    category: str = "financial_abuse",
) -> Concern:
    """A safeguarding concern the text model raised, with its findings."""
    if findings is None:
        findings = [
            finding(CARD, "financial_abuse", 0.91, []),
            finding(DRESSING, "neglect", 0.74, ["dressing"]),
        ]
    comment = make_experience(service, what_was_good=text).comments.get()
    return Concern.objects.create(
        comment=comment,
        kind=Concern.Kind.SAFEGUARDING,
        severity=severity,
        category=category,
        evidence=str(findings[0]["sentence"]) if findings else "",
        findings=findings,
        detected_by=model_version(),
    )


def csv_body(response: Any) -> str:
    return b"".join(response.streaming_content).decode()


def exported(client: Client) -> list[dict[str, str]]:
    response = client.get("/staff/concerns/decisions/", {"format": "csv"})
    assert response.status_code == 200
    body = csv_body(response)
    return list(csv.DictReader(io.StringIO(body)))


def test_a_confirmation_is_recorded_with_who_when_and_appears_in_the_export(world: World) -> None:
    concern = detected(world.maternity)
    client = client_for(world, "alice")
    before = timezone.now()

    response = client.post(
        f"/staff/concerns/{concern.pk}/decide/",
        {
            "decision": "confirmed",
            "severity": "1",
            "category": "financial_abuse",
            "sentences": ["0"],
            "reason": "",
        },
    )

    assert response.status_code == 302
    decision = ConcernDecision.objects.get()
    assert (decision.decision, decision.decided_by, decision.sentences) == (
        "confirmed",
        world.alice,
        [CARD],
    )
    assert before <= decision.decided_at <= timezone.now()
    concern.refresh_from_db()
    assert (concern.status, concern.picked_up_by) == ("picked_up", world.alice)
    assert exported(client) == [
        {
            "text": CARD,
            "category": "financial_abuse",
            "group": f"concern-{concern.pk}",
            "source": "triage",
        }
    ]
    page = client.get(f"/staff/concerns/{concern.pk}/").content.decode()
    assert "Confirmed as a concern" in page and "alice" in page


def test_confirming_labels_each_sentence_with_the_category_shown_beside_it(world: World) -> None:
    concern = detected(world.maternity)

    triage.decide_concern(concern, world.alice, "confirmed")

    assert {r["text"]: r["category"] for r in exported(client_for(world, "alice"))} == {
        CARD: "financial_abuse",
        DRESSING: "neglect",
    }


def test_a_regrade_records_before_and_after_and_the_why_and_reorders_the_queue(
    world: World,
) -> None:
    first = detected(
        world.maternity,
        severity=2,
        category="neglect",
        findings=[finding(DRESSING, "neglect", 0.7, [])],
    )
    second = detected(
        world.maternity,
        severity=2,
        category="neglect",
        findings=[finding("Nobody brought him water all night.", "neglect", 0.6, [])],
    )
    client = client_for(world, "alice")
    queue = client.get("/staff/concerns/").context["page"]
    assert [c.pk for c in queue] == [second.pk, first.pk]

    client.post(
        f"/staff/concerns/{first.pk}/decide/",
        {
            "decision": "regraded",
            "severity": "1",
            "category": "physical_abuse",
            "reason": "The bruises are from being handled roughly",
        },
    )

    decision = ConcernDecision.objects.get()
    assert (decision.severity_before, decision.severity_after) == (2, 1)
    assert (decision.category_before, decision.category_after) == ("neglect", "physical_abuse")
    assert decision.reason == "The bruises are from being handled roughly"
    first.refresh_from_db()
    assert (first.severity, first.category) == (1, "physical_abuse")
    queue = client.get("/staff/concerns/").context["page"]
    assert [c.pk for c in queue] == [first.pk, second.pk]
    assert exported(client)[0]["category"] == "physical_abuse"
    page = client.get(f"/staff/concerns/{first.pk}/").content.decode()
    assert "Severity Medium to High" in page
    assert "Category Neglect or acts of omission to Physical abuse" in page


@pytest.mark.parametrize("decision", ["dismissed", "regraded"])
def test_dismissing_or_regrading_needs_a_reason(world: World, decision: str) -> None:
    concern = detected(world.maternity)

    response = client_for(world, "alice").post(
        f"/staff/concerns/{concern.pk}/decide/",
        {"decision": decision, "severity": "2", "category": "neglect", "reason": "  "},
    )

    assert response.status_code == 200
    assert "Say why you are dismissing or changing this concern" in response.content.decode()
    assert response.context["decision_form"].errors["reason"]
    assert not ConcernDecision.objects.exists()
    with pytest.raises(ValidationError):
        triage.decide_concern(concern, world.alice, decision, severity=2, category="neglect")
    concern.refresh_from_db()
    assert (concern.severity, concern.category, concern.status) == (1, "financial_abuse", "new")


def test_a_regrade_must_change_something(world: World) -> None:
    concern = detected(world.maternity)

    response = client_for(world, "alice").post(
        f"/staff/concerns/{concern.pk}/decide/",
        {"decision": "regraded", "severity": "1", "category": "financial_abuse", "reason": "x"},
    )

    assert "Choose a different severity or category" in response.content.decode()
    assert not ConcernDecision.objects.exists()


def test_dismissing_closes_the_concern_and_a_later_confirmation_reopens_it(world: World) -> None:
    concern = detected(world.maternity)
    client = client_for(world, "charlie")

    client.post(
        f"/staff/concerns/{concern.pk}/decide/",
        {
            "decision": "dismissed",
            "severity": "1",
            "category": "financial_abuse",
            "sentences": ["0", "1"],
            "reason": "Her daughter does her shopping with her card",
        },
    )

    concern.refresh_from_db()
    assert (concern.status, concern.closed_by, concern.action_taken) == (
        "closed",
        world.charlie,
        triage.DISMISSED_NOTE,
    )
    assert {r["text"]: r["category"] for r in exported(client)} == {
        CARD: "none",
        DRESSING: "none",
    }
    open_queue = client.get("/staff/concerns/").content.decode()
    assert f"/staff/concerns/{concern.pk}/" not in open_queue

    triage.decide_concern(concern, world.alice, "confirmed", sentences=[CARD])

    concern.refresh_from_db()
    assert (concern.status, concern.picked_up_by, concern.closed_by) == (
        "picked_up",
        world.alice,
        None,
    )
    # The latest decision on a sentence labels it; the other keeps the dismissal.
    assert {r["text"]: r["category"] for r in exported(client)} == {
        CARD: "financial_abuse",
        DRESSING: "none",
    }


def test_dismissing_some_sentences_labels_them_and_leaves_the_concern_open(world: World) -> None:
    concern = detected(world.maternity)

    triage.decide_concern(
        concern, world.alice, "dismissed", reason="The dressing was changed", sentences=[DRESSING]
    )

    concern.refresh_from_db()
    assert concern.status == "new"


def test_a_concern_closed_with_what_was_done_stays_closed_after_a_decision(world: World) -> None:
    from patientvoice.insight.review import close_concern

    concern = detected(world.maternity)
    close_concern(concern, world.alice, "Referred to the safeguarding lead")

    triage.decide_concern(concern, world.charlie, "dismissed", reason="On reflection, no")
    triage.decide_concern(concern, world.charlie, "confirmed")

    concern.refresh_from_db()
    assert (concern.status, concern.action_taken) == ("closed", "Referred to the safeguarding lead")


def test_a_concern_with_a_category_this_product_does_not_list_can_be_decided(
    world: World,
) -> None:
    concern = detected(world.maternity, category="cuckooing")
    client = client_for(world, "alice")

    page = client.get(f"/staff/concerns/{concern.pk}/").content.decode()
    client.post(
        f"/staff/concerns/{concern.pk}/decide/",
        {
            "decision": "regraded",
            "severity": "2",
            "category": "cuckooing",
            "sentences": ["0", "1"],
            "reason": "Lower",
        },
    )

    assert re.search(r'<option value="cuckooing" selected\s*>Cuckooing</option>', page)
    concern.refresh_from_db()
    assert (concern.severity, concern.category) == (2, "cuckooing")
    with pytest.raises(ValidationError):
        triage.decide_concern(
            concern, world.alice, "regraded", severity=2, category="made_up", reason="x"
        )


def test_sentences_from_elsewhere_are_refused(world: World) -> None:
    concern = detected(world.maternity)

    with pytest.raises(ValidationError):
        triage.decide_concern(concern, world.alice, "confirmed", sentences=["Made up sentence."])
    assert not ConcernDecision.objects.exists()


def test_a_concern_raised_by_hand_learns_from_the_sentence_its_officer_names(
    world: World,
) -> None:
    comment = make_experience(world.maternity, what_was_good=STORY).comments.get()
    client = client_for(world, "alice")
    client.post(
        f"/staff/comments/{comment.pk}/raise-concern/",
        {"kind": "safeguarding", "note": "Her money is being taken"},
    )
    concern = Concern.objects.get()
    decide = f"/staff/concerns/{concern.pk}/decide/"
    form = {"decision": "regraded", "severity": "1", "category": "financial_abuse", "reason": "r"}

    refused = client.post(decide, {**form, "sentence": "Words she never wrote."})
    client.post(decide, {**form, "sentence": f"  {CARD} "})

    assert "Copy the sentence exactly as it is in the comment" in refused.content.decode()
    assert ConcernDecision.objects.get().sentences == [CARD]
    assert exported(client) == [
        {
            "text": CARD,
            "category": "financial_abuse",
            "group": f"concern-{concern.pk}",
            "source": "triage",
        }
    ]


def test_decisions_are_never_changed_or_deleted(world: World) -> None:
    decision = triage.decide_concern(detected(world.maternity), world.alice, "confirmed")

    decision.reason = "rewritten"
    with pytest.raises(TypeError):
        decision.save()
    with pytest.raises(TypeError):
        decision.delete()
    with pytest.raises(TypeError):
        ConcernDecision.objects.filter(pk=decision.pk).update(reason="rewritten")
    with pytest.raises(TypeError):
        ConcernDecision.objects.all().delete()
    assert ConcernDecision.objects.get().reason == ""


def test_each_decision_is_audited_without_the_reason_or_the_sentences(world: World) -> None:
    concern = detected(world.maternity)

    decision = triage.decide_concern(
        concern,
        world.alice,
        "regraded",
        severity=1,
        category="domestic_abuse",
        reason="Her husband keeps the card",
    )

    event = AuditEvent.objects.get(action="concern_decided")
    assert (event.actor, event.organisation_id, event.subject_id) == (
        world.alice,
        world.hospital.pk,
        str(decision.pk),
    )
    assert event.detail["category"] == ["financial_abuse", "domestic_abuse"]
    assert "husband" not in str(event.detail) and "cashpoint" not in str(event.detail)


def test_the_export_cannot_run_as_a_formula_and_is_not_cached(world: World) -> None:
    formula = '=HYPERLINK("http://evil.example","he hits me")'
    concern = detected(
        world.maternity,
        text=formula,
        findings=[finding(formula, "physical_abuse", 0.9, ["hits"])],
        category="physical_abuse",
    )
    triage.decide_concern(concern, world.alice, "confirmed")
    client = client_for(world, "bob")

    response = client.get("/staff/concerns/decisions/", {"format": "csv"})

    body = csv_body(response)
    assert "no-store" in response["Cache-Control"].split(", ")
    assert body.splitlines()[0] == "text,category,group,source"
    assert next(csv.DictReader(io.StringIO(body)))["text"] == "'" + formula
    assert AuditEvent.objects.filter(
        action="exported", actor=world.bob, detail__export="concern_decisions"
    ).exists()


def test_the_export_holds_only_safeguarding_concerns_of_the_users_organisations(
    world: World,
) -> None:
    ours = detected(world.maternity)
    theirs = detected(
        world.appointments, findings=[finding(DRESSING, "neglect", 0.8, [])], category="neglect"
    )
    complaint = Concern.objects.create(
        comment=ours.comment,
        kind=Concern.Kind.COMPLAINT,
        severity=3,
        evidence=CARD,
        detected_by=model_version(),
    )
    for concern in (ours, theirs, complaint):
        triage.decide_concern(concern, world.alice, "confirmed")

    rows = exported(client_for(world, "dana"))

    assert rows == [
        {
            "text": DRESSING,
            "category": "neglect",
            "group": f"concern-{theirs.pk}",
            "source": "triage",
        }
    ]


def test_the_command_writes_the_same_columns(world: World, tmp_path: Path) -> None:
    concern = detected(world.maternity)
    triage.decide_concern(concern, world.alice, "dismissed", reason="A misunderstanding")
    output = tmp_path / "decisions.csv"

    call_command("export_concern_decisions", "--output", str(output))

    rows = list(csv.DictReader(output.open(encoding="utf-8")))
    assert [list(r) for r in rows] == [["text", "category", "group", "source"]] * 2
    assert {r["category"] for r in rows} == {"none"}
    assert AuditEvent.objects.filter(action="exported", detail__export="concern_decisions").exists()


def test_the_queue_shows_the_sentence_that_raised_each_concern_and_its_category(
    world: World,
) -> None:
    detected(world.maternity)
    old = Concern.objects.create(
        comment=make_experience(world.maternity).comments.get(),
        kind=Concern.Kind.SAFEGUARDING,
        severity=2,
        evidence="left in a wet bed",
    )

    page = client_for(world, "alice").get("/staff/concerns/").content.decode()

    assert "never see the money" in page and "Financial or material abuse" in page
    assert "left in a wet bed" in page and f"/staff/concerns/{old.pk}/" in page


def test_the_concern_page_shows_every_finding(world: World) -> None:
    concern = detected(world.maternity)

    page = client_for(world, "alice").get(f"/staff/concerns/{concern.pk}/").content.decode()

    assert "Nobody has changed his dressing in a week." in page
    assert "Neglect or acts of omission" in page and "0.74" in page and "dressing" in page
    assert "None: found by meaning" in page


def test_an_older_concern_without_category_or_findings_still_displays(world: World) -> None:
    concern = Concern.objects.create(
        comment=make_experience(world.maternity).comments.get(),
        kind=Concern.Kind.SAFEGUARDING,
        severity=1,
        evidence="shouted at",
    )

    page = client_for(world, "alice").get(f"/staff/concerns/{concern.pk}/").content.decode()

    assert "shouted at" in page and "Not recorded" in page


def test_the_queue_and_a_concern_page_take_the_same_queries_however_many(world: World) -> None:
    client = client_for(world, "alice")
    concern = detected(world.maternity)
    triage.decide_concern(concern, world.alice, "confirmed")

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = [
        count("/staff/concerns/"),
        count(f"/staff/concerns/{concern.pk}/"),
        count("/staff/concerns/decisions/"),
    ]
    for _ in range(5):
        other = detected(world.maternity)
        triage.decide_concern(other, world.alice, "dismissed", reason="no")
        triage.decide_concern(
            concern,
            world.charlie,
            "regraded",
            reason="x",
            severity=3 - concern.severity,
            category=concern.category,
        )
        concern.refresh_from_db()
    many = [
        count("/staff/concerns/"),
        count(f"/staff/concerns/{concern.pk}/"),
        count("/staff/concerns/decisions/"),
    ]
    assert many == few


def test_the_categories_match_the_labelling_rules_and_the_detector() -> None:
    rules = (Path(triage.__file__).parent / "data" / "safeguarding" / "LABELLING.md").read_text()
    # The first table naming each category is the one with its severity.
    table: dict[str, str] = {}
    for key, severity in re.findall(r"^\| `(\w+)` \|.*\| (\d) \|$", rules, re.MULTILINE):
        table.setdefault(key, severity)

    assert {k: int(v) for k, v in table.items()} == {
        key: severity for key, (_, severity) in triage.CATEGORIES.items()
    }
    assert {key: severity for key, (_, severity) in triage.CATEGORIES.items()} == SEVERITY
