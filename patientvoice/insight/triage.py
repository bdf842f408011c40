"""Triage decisions on concerns, and the labelled sentences they give the next training run.

A person confirms a concern, dismisses it (it is not one), or regrades it (another severity or
category). Each decision is a `ConcernDecision` row and an audit entry; the concern itself
carries the current severity and category, so the queue orders by what people decided.

How a decision relates to the concern's status (new, picked up, closed):
- Confirming or regrading a new concern picks it up: someone is now working on it.
- Dismissing every sentence of an open concern closes it ("Dismissed as not a concern"), so
  the queue holds only concerns to act on; the reason is in the decision. Dismissing some of
  its sentences only labels those sentences, and the concern stays open.
- Confirming or regrading a concern that a dismissal closed opens it again, picked up by the
  person deciding. A concern closed with a note of what was done stays closed: a decision on
  it only labels its sentences.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from patientvoice.insight.models import Concern, ConcernDecision
from patientvoice.people import rules
from patientvoice.people.audit import CONCERN_DECIDED, EXPORTED, record_audit
from patientvoice.people.models import User

if TYPE_CHECKING:
    from django.http import HttpRequest

# The safeguarding categories and the severity each carries, as in
# `data/safeguarding/LABELLING.md` (a test keeps the two in step).
CATEGORIES: dict[str, tuple[str, int]] = {
    "physical_abuse": ("Physical abuse", 1),
    "sexual_abuse": ("Sexual abuse", 1),
    "psychological_abuse": ("Psychological or emotional abuse", 1),
    "financial_abuse": ("Financial or material abuse", 1),
    "domestic_abuse": ("Domestic abuse or coercive control", 1),
    "exploitation": ("Exploitation or modern slavery", 1),
    "discriminatory_abuse": ("Discriminatory abuse", 1),
    "self_harm": ("Self-harm or suicidal thoughts", 1),
    "restraint": ("Restraint or seclusion", 1),
    "neglect": ("Neglect or acts of omission", 2),
    "organisational_abuse": ("Organisational abuse", 2),
    "self_neglect": ("Self-neglect", 2),
    "unsafe_discharge": ("Unsafe discharge", 2),
    "medication_error": ("Medication error", 2),
    "fall": ("Fall or risk of falling", 2),
}
NOT_A_CONCERN = "none"
SEVERITIES: dict[int, str] = {1: "High", 2: "Medium", 3: "Low"}
DISMISSED_NOTE = "Dismissed as not a concern"
EXPORT_COLUMNS = ["text", "category", "group", "source"]


def category_label(key: str) -> str:
    """The category's name for people; a key this product does not know is shown as it is."""
    if not key:
        return "Not recorded"
    return CATEGORIES.get(key, (key.replace("_", " ").capitalize(), 0))[0]


def sentences_of(concern: Concern) -> list[str]:
    """The sentences of the comment that raised the concern, as the triage page shows them: its
    findings, or a model's evidence for a concern raised before findings were kept. A concern a
    person raised by hand has none (its evidence is their note, not the comment's words)."""
    found = [f["sentence"] for f in concern.findings if f.get("sentence")]
    if not found and concern.detected_by_id is not None and concern.evidence:
        found = [concern.evidence]
    return list(dict.fromkeys(found))


def check_decision(
    concern: Concern, decision: str, reason: str, severity: int, category: str
) -> None:
    if decision not in ConcernDecision.Decision.values:
        raise ValidationError("Choose confirm, dismiss or change")
    if decision != ConcernDecision.Decision.CONFIRMED and not reason.strip():
        raise ValidationError("Say why you are dismissing or changing this concern")
    if severity not in SEVERITIES:
        raise ValidationError("Choose a severity")
    # A category this product does not list (from a newer detector) may stay, not be chosen.
    if category and category not in CATEGORIES and category != concern.category:
        raise ValidationError("Choose a category from the list")
    if decision == ConcernDecision.Decision.REGRADED and (severity, category) == (
        concern.severity,
        concern.category,
    ):
        raise ValidationError("Choose a different severity or category")


@transaction.atomic
def decide_concern(
    concern: Concern,
    user: User,
    decision: str,
    *,
    reason: str = "",
    severity: int | None = None,
    category: str | None = None,
    sentences: Iterable[str] | None = None,
    request: HttpRequest | None = None,
) -> ConcernDecision:
    """Record a person's decision on a concern and apply it (see the module's docstring).

    `sentences` defaults to all of the concern's; text that is not in the comment is refused.
    Severity and category are only changed by a regrade.
    """
    locked = Concern.objects.select_for_update().get(pk=concern.pk)
    regrade = decision == ConcernDecision.Decision.REGRADED
    severity_after = severity if regrade and severity is not None else locked.severity
    category_after = category if regrade and category is not None else locked.category
    check_decision(locked, decision, reason, severity_after, category_after)
    known = sentences_of(locked)
    chosen = known if sentences is None else list(dict.fromkeys(s.strip() for s in sentences))
    # Beyond the concern's own sentences, any part of the comment: a person names the sentence
    # behind a concern they raised by hand, which is what the model most needs to learn.
    if any(s not in known and (not s or s not in locked.comment.text) for s in chosen):
        raise ValidationError("Choose sentences from this comment")
    previous = locked.decisions.order_by("-decided_at", "-pk").first()
    made = ConcernDecision.objects.create(
        concern=locked,
        decision=decision,
        decided_by=user,
        severity_before=locked.severity,
        severity_after=severity_after,
        category_before=locked.category,
        category_after=category_after,
        reason=reason.strip(),
        sentences=chosen,
    )
    _apply(locked, made, previous, whole=set(chosen) >= set(known))
    record_audit(
        user,
        CONCERN_DECIDED,
        organisation=locked.comment.experience.organisation_id,
        subject=made,
        # Figures and keys only: the reason and the sentences are comment-like text.
        detail={
            "concern": locked.pk,
            "decision": decision,
            "severity": [made.severity_before, made.severity_after],
            "category": [made.category_before, made.category_after],
            "sentences": len(chosen),
        },
        request=request,
    )
    concern.refresh_from_db()
    return made


def _apply(
    concern: Concern,
    made: ConcernDecision,
    previous: ConcernDecision | None,
    *,
    whole: bool,
) -> None:
    user, now = made.decided_by, made.decided_at
    concern.severity, concern.category = made.severity_after, made.category_after
    if made.decision == ConcernDecision.Decision.DISMISSED:
        if whole and concern.status != Concern.Status.CLOSED:
            if concern.picked_up_by is None:
                concern.picked_up_by, concern.picked_up_at = user, now
            concern.status = Concern.Status.CLOSED
            concern.closed_by, concern.closed_at = user, now
            concern.action_taken = DISMISSED_NOTE
    elif concern.status == Concern.Status.NEW:
        concern.status = Concern.Status.PICKED_UP
        concern.picked_up_by, concern.picked_up_at = user, now
    elif (
        concern.status == Concern.Status.CLOSED
        and previous is not None
        and previous.decision == ConcernDecision.Decision.DISMISSED
        and concern.closed_at == previous.decided_at
    ):
        concern.status = Concern.Status.PICKED_UP
        concern.picked_up_by, concern.picked_up_at = user, now
        concern.closed_by, concern.closed_at, concern.action_taken = None, None, ""
    concern.save()


# Who may export decisions: the roles that read an organisation's raw comments beside their
# concerns or their text model (officers, organisation admins, analysts), not responders.
EXPORT_PERMISSIONS = (rules.TRIAGE_CONCERNS, rules.REVIEW_CLASSIFICATION)


def export_organisations(user: User) -> set[int]:
    return set().union(*(rules.organisations_with(user, p) for p in EXPORT_PERMISSIONS))


def decisions_for_export(organisation_ids: Iterable[int]) -> QuerySet[ConcernDecision]:
    return ConcernDecision.objects.filter(
        concern__comment__experience__organisation_id__in=list(organisation_ids)
    )


def labelled_sentences(decisions: QuerySet[ConcernDecision]) -> Iterator[list[str]]:
    """One row (text, category, group, source) per sentence people decided on, labelled by the
    latest decision about it: confirmed → the category the page showed beside the sentence (its
    finding's, else the concern's), regraded → the new category, dismissed → `none`. Sentences
    of one concern share a group, so grouped cross-validation keeps them together. Only
    safeguarding concerns: complaints are not what the safeguarding detector learns. A
    sentence confirmed with no known category teaches nothing and is left out.

    Streams, holding one concern's decisions at a time."""
    rows = (
        decisions.filter(concern__kind=Concern.Kind.SAFEGUARDING)
        .order_by("concern_id", "decided_at", "pk")
        .values_list("concern_id", "decision", "category_after", "sentences", "concern__findings")
    )
    current: int | None = None
    labels: dict[str, str] = {}
    for concern_id, decision, category, sentences, findings in rows.iterator(chunk_size=2000):
        if concern_id != current:
            yield from _rows(current, labels)
            current, labels = concern_id, {}
        for sentence in sentences:
            labels[sentence] = _label(decision, category, sentence, findings)
    yield from _rows(current, labels)


def _label(decision: str, category: str, sentence: str, findings: list[dict[str, Any]]) -> str:
    if decision == ConcernDecision.Decision.DISMISSED:
        return NOT_A_CONCERN
    if decision == ConcernDecision.Decision.CONFIRMED:
        found = next((f.get("category") for f in findings if f.get("sentence") == sentence), None)
        if found in CATEGORIES:
            return str(found)
    return category


def _rows(concern_id: int | None, labels: dict[str, str]) -> Iterator[list[str]]:
    for text, label in labels.items():
        if label:
            yield [text, label, f"concern-{concern_id}", "triage"]


def record_export(
    user: User | None,
    organisation_ids: Iterable[int | None],
    request: HttpRequest | None = None,
    **detail: int,
) -> None:
    """Every export of decisions is in the audit log, once per organisation it covers, so each
    organisation's admins see it (a command's export has no person and no organisation)."""
    for organisation_id in organisation_ids:
        record_audit(
            user,
            EXPORTED,
            organisation=organisation_id,
            detail={"export": "concern_decisions", **detail},
            request=request,
        )
