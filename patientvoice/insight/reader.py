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
from typing import Any, Protocol

from django.conf import settings


@dataclass(frozen=True)
class Reading:
    themes: list[tuple[str, float]]
    sentiment: int | None
    sentiment_confidence: float | None
    concerns: list[tuple[str, int, str]]  # (kind, severity 1 = most severe, evidence)
    personal_data: list[dict[str, Any]]
    redacted: str


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
