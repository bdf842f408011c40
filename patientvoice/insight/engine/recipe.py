"""Which features a text model is made from: word and character TF-IDF alone, or with comment
vectors from the pretrained encoder (the static token vectors distilled from it, fast; or the
full encoder, about a hundred times slower). `patientvoice train` and `patientvoice evaluate`
use the same recipes, so the figures describe the model that is shipped."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from patientvoice.insight.engine.data import Example
from patientvoice.insight.engine.encoder import (
    WEIGHTS_SHA256,
    SentenceEncoder,
    load_encoder,
    package_model_dir,
)
from patientvoice.insight.engine.features import Embedder
from patientvoice.insight.engine.model import TextModel, fit
from patientvoice.insight.engine.static_vectors import (
    ContextualTokens,
    StaticEmbedder,
    load_or_build_table,
)
from patientvoice.insight.engine.wordpiece import WordPieceTokenizer

FEATURES = ("tfidf", "static", "contextual", "encoder", "static+encoder")
# The setting that chooses the text model `patientvoice train` makes (and `evaluate` measures
# by default): "fast" (the default) or "accurate" (the full encoder; tens of comments a second).
TEXT_MODEL_SETTING = "PATIENTVOICE_TEXT_MODEL"
TEXT_MODELS = ("fast", "accurate")
# Where the set-up keeps what it derives from the encoder package (the static table, and the
# full encoder's vectors for the training comments when that mode is evaluated).
DEFAULT_CACHE_DIR = Path(
    os.environ.get(
        "PATIENTVOICE_ENCODER_CACHE", Path(__file__).resolve().parents[3] / "var" / "encoder"
    )
)


@dataclass(frozen=True)
class Recipe:
    """The default is what measured best within the speed target (ADR 0002, 2026-12-03):
    word and character TF-IDF plus the static vectors distilled from the encoder at half
    weight (every theme figure +0.005 to +0.013; at weight 1 or 2 less or worse), with
    sentiment also taught from unrated copies (without the rating 5-class 0.607 -> 0.671,
    3-class 0.743 -> 0.832). The full encoder measured best (+0.026 macro-F1) but reads tens
    of comments a second, so it is for evaluation only; tokens in context measured no better
    than tokens read alone once each fold built its own."""

    features: str = "static"
    embedding_weight: float = 0.5
    unrated_copies: bool = True
    cache_dir: Path = DEFAULT_CACHE_DIR

    def fit(self, examples: Sequence[Example], labels: Sequence[str]) -> TextModel:
        return fit(
            examples,
            labels,
            embedder=self.embedder(),
            embedding_weight=self.embedding_weight,
            unrated_copies=self.unrated_copies,
        )

    def embedder(self) -> Embedder | None:
        if self.features in ("static", "contextual"):
            tokenizer = WordPieceTokenizer.from_vocab_file(package_model_dir() / "vocab.txt")
            contextual = _contextual_tokens() if self.features == "contextual" else None
            return StaticEmbedder(tokenizer, load_or_build_table(self.cache_dir), contextual)
        if self.features == "encoder":
            return EncoderEmbedder(load_encoder(), self.cache_dir)
        if self.features == "static+encoder":
            tokenizer = WordPieceTokenizer.from_vocab_file(package_model_dir() / "vocab.txt")
            return JoinedEmbedder(
                [
                    StaticEmbedder(tokenizer, load_or_build_table(self.cache_dir)),
                    EncoderEmbedder(load_encoder(), self.cache_dir),
                ]
            )
        if self.features != "tfidf":
            choices = ", ".join(FEATURES)
            raise ValueError(f"features must be one of {choices}, not {self.features!r}")
        return None

    def describe(self) -> dict[str, object]:
        return {
            "features": self.features,
            "embedding_weight": self.embedding_weight,
            "unrated_copies": self.unrated_copies,
        }


ACCURATE = Recipe(features="encoder", embedding_weight=1.0)


def configured_recipe(setting: str | None = None) -> Recipe:
    """The recipe `PATIENTVOICE_TEXT_MODEL` names: "fast" (the default recipe) or "accurate"
    (the full encoder's sentence vectors: better themes, tens of comments a second)."""
    name = (setting if setting is not None else os.environ.get(TEXT_MODEL_SETTING, "")) or "fast"
    name = name.strip().lower()
    if name == "accurate":
        return ACCURATE
    if name != "fast":
        choices = " or ".join(TEXT_MODELS)
        raise ValueError(f"{TEXT_MODEL_SETTING} must be {choices}, not {name!r}")
    return Recipe()


class JoinedEmbedder:
    """Several embedders' vectors side by side (each unit length)."""

    def __init__(self, parts: Sequence[Embedder]):
        self.parts = list(parts)

    def fit(self, texts: Sequence[str]) -> JoinedEmbedder:
        for part in self.parts:
            part.fit(texts)
        return self

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        return np.hstack([part.transform(texts) for part in self.parts])


class EncoderEmbedder:
    """The full encoder's sentence vectors. While training and evaluating, vectors of texts met
    before are kept in a cache file, so cross-validation encodes the training comments once,
    not once per fold. A saved model keeps no cache (no comment's vector is written anywhere)
    and loads the installed encoder, hash-checked, when it first reads a comment."""

    def __init__(self, encoder: SentenceEncoder | None, cache_dir: Path | None):
        self.encoder = encoder
        self.cache_path = (
            cache_dir / f"sentence-vectors-{WEIGHTS_SHA256[:12]}.npz" if cache_dir else None
        )
        self._known: dict[str, np.ndarray] | None = None

    def fit(self, texts: Sequence[str]) -> EncoderEmbedder:
        return self

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        if self.encoder is None:
            self.encoder = load_encoder()
        if self.cache_path is None:
            if not texts:
                return np.zeros((0, self.encoder.hidden), np.float32)
            return self.encoder.encode(list(texts))
        known = self._load()
        keys = [_key(text) for text in texts]
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in known}.items())
        if missing:
            vectors = self.encoder.encode([text for _, text in missing])
            known.update({key: vector for (key, _), vector in zip(missing, vectors, strict=True)})
            if len(missing) > 100:
                self._save(known)
        return np.vstack([known[k] for k in keys]) if keys else np.zeros((0, 384), np.float32)

    def _load(self) -> dict[str, np.ndarray]:
        if self._known is None:
            self._known = {}
            if self.cache_path is not None and self.cache_path.exists():
                with np.load(self.cache_path) as stored:
                    self._known = dict(zip(stored["keys"], stored["vectors"], strict=True))
        return self._known

    def _save(self, known: dict[str, np.ndarray]) -> None:
        if self.cache_path is None:  # a loaded model keeps no cache
            return
        self.cache_path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.cache_path.with_suffix(".tmp.npz")
        np.savez(temporary, keys=np.array(list(known)), vectors=np.vstack(list(known.values())))
        temporary.replace(self.cache_path)

    def __getstate__(self) -> dict[str, object]:
        # The encoder comes from the installed package when the model is used; the cache of
        # training comments' vectors stays in the set-up's folder.
        return {"encoder": None, "cache_path": None, "_known": None}


@cache
def _contextual_tokens() -> ContextualTokens:
    """One per process, so the folds of a cross-validation share what the encoder has read."""
    return ContextualTokens(load_encoder())


def _key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]
