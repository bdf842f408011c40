"""The seam between the product and the text-insight engine.

The web app and the worker see the engine only through `Reader`: a loaded model version that
reads batches of comments. The engine itself (`patientvoice.insight.engine`) is plain Python,
usable without Django.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from django.conf import settings


class ConcernReading(NamedTuple):
    """One concern per comment and kind. A plain (kind, severity, evidence) tuple is read as
    one with no category or findings."""

    kind: str
    severity: int  # 1 = most severe
    evidence: str  # the sentence that raised it
    category: str = ""  # the safeguarding detector's kind of concern, e.g. "financial_abuse"
    # Every sentence that raised it: {"sentence", "category", "score", "words"}, most severe first
    findings: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class Reading:
    themes: list[tuple[str, float]]
    sentiment: int | None
    sentiment_confidence: float | None
    concerns: list[ConcernReading] | list[tuple[str, int, str]]
    personal_data: list[dict[str, Any]]
    redacted: str
    # False when only screening succeeded (reading themes failed): the concerns are stored and
    # the comment is left unread, so the missed-comment sweep reads it again.
    complete: bool = True


class Reader(Protocol):
    version: str
    metadata: dict[str, Any]
    categories: dict[str, str]  # theme name -> framework category

    def read(
        self, texts: list[str], questions: list[str], ratings: list[int | None]
    ) -> list[Reading]: ...


class ModelMissing(RuntimeError):
    pass


_lock = threading.Lock()
_cache: dict[str, tuple[float, Reader]] = {}


def current_reader() -> Reader:
    """The model in PATIENTVOICE_MODEL_DIR, loaded once per process and again when retrained."""
    directory = Path(settings.PATIENTVOICE_MODEL_DIR)
    metadata = directory / "metadata.json"
    if not metadata.exists():
        raise ModelMissing(f"No text model in {directory}: run `patientvoice train`")
    stamp = metadata.stat().st_mtime
    with _lock:
        cached = _cache.get(str(directory))
        if cached is None or cached[0] != stamp:
            cached = (stamp, _load(directory, json.loads(metadata.read_text())))
            _cache[str(directory)] = cached
    return cached[1]


def _load(directory: Path, metadata: dict[str, Any]) -> Reader:
    from patientvoice.insight.engine_reader import EngineReader

    return EngineReader(directory, metadata)
