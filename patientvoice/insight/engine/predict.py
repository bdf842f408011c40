"""Everything the engine says about each comment: themes, sentiment, signals, personal data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from patientvoice.insight.engine.model import TextModel
from patientvoice.insight.engine.personal_data import Finding, find_personal_data, redact
from patientvoice.insight.engine.safeguarding import CATEGORY_NAMES, Detector, Flagged
from patientvoice.insight.engine.signals import (
    COMPLAINT,
    SAFEGUARDING,
    Signal,
    detect_signals,
    safeguarding_words,
)

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


def detector_of(model: TextModel) -> Detector | None:
    """The safeguarding detector loaded with the model (`load_model`), if it has one."""
    return getattr(model, "safeguarding", None)


def screen(model: TextModel, texts: Sequence[str]) -> list[list[Signal]]:
    """Safeguarding and complaint signals for each text, before anything else is read.
    Safeguarding: one signal per sentence the learnt detector flags (most severe first), with
    the word-list words found in it as explanation; a model without a detector falls back to the
    word list. Complaint signals come from the word list."""
    detector = detector_of(model)
    flagged = detector.screen(texts) if detector is not None else None
    if flagged is None:
        return [detect_signals(text) for text in texts]
    return [
        [_signal(f) for f in flagged[i]] + detect_signals(text, kinds=(COMPLAINT,))
        for i, text in enumerate(texts)
    ]


def _signal(flagged: Flagged) -> Signal:
    return Signal(
        SAFEGUARDING,
        flagged.severity,
        CATEGORY_NAMES[flagged.category],
        flagged.sentence,
        category=flagged.category,
        score=flagged.score,
        words=tuple(safeguarding_words(flagged.sentence)),
    )


def predict(
    model: TextModel,
    texts: Sequence[str],
    questions: Sequence[str] | None = None,
    ratings: Sequence[int | None] | None = None,
    *,
    screened: list[list[Signal]] | None = None,
) -> list[Prediction]:
    """Read a batch of comments (a few thousand at a time is efficient). `screened` is what
    `screen` already said about these texts, when the caller screened them first."""
    screened = screened if screened is not None else screen(model, texts)
    batch = model.predict_batch(texts, questions, ratings)
    predictions = []
    for i, text in enumerate(texts):
        sentiment = int(batch.sentiment[i]) or None
        confidence = round(float(batch.sentiment_confidence[i]), 4) if sentiment else None
        signals = list(screened[i])
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
