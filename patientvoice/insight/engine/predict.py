"""Everything the engine says about each comment: themes, sentiment, signals, personal data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from patientvoice.insight.engine.model import TextModel
from patientvoice.insight.engine.personal_data import Finding, find_personal_data, redact
from patientvoice.insight.engine.signals import COMPLAINT, Signal, detect_signals

VERY_NEGATIVE = 5
# A very negative comment is a possible complaint even without complaint words; the model's
# sentiment has to be fairly sure, or one in ten comments would be queued.
VERY_NEGATIVE_CONFIDENCE = 0.5


@dataclass(frozen=True)
class Prediction:
    model_version: str
    themes: list[tuple[str, float]]  # (v6 theme, confidence), most confident first
    sentiment: int | None  # 1 very positive … 5 very negative; None when there is no text
    sentiment_confidence: float | None
    signals: list[Signal] = field(default_factory=list)
    personal_data: list[Finding] = field(default_factory=list)
    redacted: str = ""  # the proposed redaction; equal to the text when nothing was found


def predict(
    model: TextModel,
    texts: Sequence[str],
    questions: Sequence[str] | None = None,
    ratings: Sequence[int | None] | None = None,
) -> list[Prediction]:
    """Read a batch of comments (a few thousand at a time is efficient)."""
    batch = model.predict_batch(texts, questions, ratings)
    predictions = []
    for i, text in enumerate(texts):
        sentiment = int(batch.sentiment[i]) or None
        confidence = round(float(batch.sentiment_confidence[i]), 4) if sentiment else None
        signals = detect_signals(text)
        if (
            sentiment == VERY_NEGATIVE
            and (confidence or 0) >= VERY_NEGATIVE_CONFIDENCE
            and not any(s.kind == COMPLAINT for s in signals)
        ):
            signals.append(Signal(COMPLAINT, 3, "very negative comment (model)", text[:240]))
        findings = find_personal_data(text)
        predictions.append(
            Prediction(
                model_version=model.version,
                themes=batch.themes(i),
                sentiment=sentiment,
                sentiment_confidence=confidence,
                signals=signals,
                personal_data=findings,
                redacted=redact(text, findings) if findings else text,
            )
        )
    return predictions
