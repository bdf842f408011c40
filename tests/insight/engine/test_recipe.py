"""Which features the text model is made from: the PATIENTVOICE_TEXT_MODEL setting, and the
full encoder's vectors in a model that is saved and loaded again."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from patientvoice.insight.engine.encoder import load_encoder
from patientvoice.insight.engine.recipe import (
    ACCURATE,
    TEXT_MODEL_SETTING,
    EncoderEmbedder,
    Recipe,
    configured_recipe,
)


def test_without_the_setting_the_fast_recipe_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TEXT_MODEL_SETTING, raising=False)
    assert configured_recipe() == Recipe()
    assert configured_recipe().features == "static"


def test_the_accurate_setting_chooses_the_full_encoder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TEXT_MODEL_SETTING, " Accurate ")
    assert configured_recipe() == ACCURATE
    assert configured_recipe().features == "encoder"
    assert configured_recipe("fast").features == "static"


def test_an_unknown_setting_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="fast or accurate"):
        configured_recipe("precise")


def test_a_saved_encoder_embedder_keeps_no_vectors_and_reads_as_before(tmp_path) -> None:
    embedder = EncoderEmbedder(load_encoder(), tmp_path)
    before = embedder.transform(["The nurse was kind.", "Parking was awful."])
    assert embedder._known is not None and len(embedder._known) == 2
    restored = pickle.loads(pickle.dumps(embedder))  # noqa: S301 - our own object
    assert restored.encoder is None and restored.cache_path is None and restored._known is None
    after = restored.transform(["The nurse was kind.", "Parking was awful."])
    assert after.shape == (2, 384)
    assert np.allclose(before, after, atol=1e-5)
    assert restored.transform([]).shape == (0, 384)
