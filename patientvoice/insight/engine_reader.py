"""The engine's trained model behind the product's `Reader` seam."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.conf import settings

from patientvoice.insight.engine.data import theme_categories
from patientvoice.insight.engine.model import load_model
from patientvoice.insight.engine.predict import detector_of, predict, screen
from patientvoice.insight.engine.signals import Signal
from patientvoice.insight.reader import ConcernReading, Reading

logger = logging.getLogger(__name__)


class EngineReader:
    def __init__(self, directory: Path, metadata: dict[str, Any]) -> None:
        self.model = load_model(directory)
        detector = detector_of(self.model)
        if detector is not None and settings.PATIENTVOICE_SAFEGUARDING_SECOND_STAGE:
            if detector.second_stage is None:
                logger.warning("The safeguarding second stage is on but the model has none")
            detector.use_second_stage = True
        self.metadata = self.model.metadata or metadata
        self.version = self.model.version
        self.categories = theme_categories(self.model.themes.labels)

    def read(
        self, texts: list[str], questions: list[str], ratings: list[int | None]
    ) -> list[Reading]:
        # Screening comes first and stands on its own: a failure reading themes must never
        # stop a disclosure reaching the triage queue.
        screened = screen(self.model, texts)
        # "Don't know" (6) carries no direction; the model learned from ratings 1 to 5.
        ratings = [r if r in (1, 2, 3, 4, 5) else None for r in ratings]
        try:
            predictions = predict(self.model, texts, questions, ratings, screened=screened)
        except Exception:
            # No comment text in the log: the exception is about the model, not the comment.
            logger.exception("Reading themes failed for %d comments; concerns kept", len(texts))
            return [Reading([], None, None, concerns(s), [], "", complete=False) for s in screened]
        return [
            Reading(
                themes=p.themes,
                sentiment=p.sentiment,
                sentiment_confidence=p.sentiment_confidence,
                concerns=concerns(p.signals),
                personal_data=[f.as_dict() for f in p.personal_data],
                redacted=p.redacted if p.personal_data else "",
            )
            for p in predictions
        ]


def concerns(signals: list[Signal]) -> list[ConcernReading]:
    """One concern per kind (the queue holds one per comment and kind): the most severe
    finding's category, severity and sentence, with every finding kept."""
    by_kind: dict[str, list[Signal]] = {}
    for signal in signals:
        by_kind.setdefault(signal.kind, []).append(signal)
    found = []
    for kind, group in by_kind.items():
        group = sorted(group, key=lambda s: (s.severity, -(s.score or 0)))
        first = group[0]
        findings = tuple(
            {
                "sentence": s.evidence,
                "category": s.category or s.reason,
                "score": s.score,
                "words": list(s.words),
            }
            for s in group
        )
        found.append(ConcernReading(kind, first.severity, first.evidence, first.category, findings))
    return found
