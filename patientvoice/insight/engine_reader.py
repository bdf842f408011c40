"""The engine's trained model behind the product's `Reader` seam."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from patientvoice.insight.engine.data import theme_categories
from patientvoice.insight.engine.model import load_model
from patientvoice.insight.engine.predict import predict
from patientvoice.insight.engine.signals import Signal
from patientvoice.insight.reader import Reading


class EngineReader:
    def __init__(self, directory: Path, metadata: dict[str, Any]) -> None:
        self.model = load_model(directory)
        self.metadata = self.model.metadata or metadata
        self.version = self.model.version
        self.categories = theme_categories(self.model.themes.labels)

    def read(
        self, texts: list[str], questions: list[str], ratings: list[int | None]
    ) -> list[Reading]:
        # "Don't know" (6) carries no direction; the model learned from ratings 1 to 5.
        ratings = [r if r in (1, 2, 3, 4, 5) else None for r in ratings]
        return [
            Reading(
                themes=p.themes,
                sentiment=p.sentiment,
                sentiment_confidence=p.sentiment_confidence,
                concerns=_concerns(p.signals),
                personal_data=[f.as_dict() for f in p.personal_data],
                redacted=p.redacted if p.personal_data else "",
            )
            for p in predict(self.model, texts, questions, ratings)
        ]


def _concerns(signals: list[Signal]) -> list[tuple[str, int, str]]:
    """One concern per kind (the queue holds one per comment and kind): the most severe, with
    every reason that matched as its evidence."""
    by_kind: dict[str, tuple[int, list[str]]] = {}
    for signal in signals:
        severity, evidence = by_kind.get(signal.kind, (signal.severity, []))
        evidence.append(f"{signal.reason}: “{signal.evidence}”")
        by_kind[signal.kind] = (min(severity, signal.severity), evidence)
    return [(kind, severity, "\n".join(ev)) for kind, (severity, ev) in by_kind.items()]
