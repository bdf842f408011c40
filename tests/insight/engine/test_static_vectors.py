"""Static token vectors distilled from the sentence encoder (built by `make model` into the
encoder cache; built here too when the cache is empty)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from patientvoice.insight.engine.data import load_training_set
from patientvoice.insight.engine.encoder import load_encoder
from patientvoice.insight.engine.recipe import DEFAULT_CACHE_DIR
from patientvoice.insight.engine.static_vectors import (
    ContextualTokens,
    StaticEmbedder,
    load_or_build_table,
)


@pytest.fixture(scope="module")
def embedder() -> StaticEmbedder:
    return StaticEmbedder(load_encoder().tokenizer, load_or_build_table(DEFAULT_CACHE_DIR))


def row(embedder: StaticEmbedder, word: str) -> np.ndarray:
    (token,) = embedder.tokenizer.word_ids(word)
    return embedder.table[token]


def test_every_real_token_has_a_unit_vector_and_reserved_ones_have_none(
    embedder: StaticEmbedder,
) -> None:
    table = embedder.table
    assert table.shape == (len(embedder.tokenizer.vocabulary), 384)
    norms = np.linalg.norm(table, axis=1)
    vocabulary = embedder.tokenizer.vocabulary
    reserved = [i for i, t in enumerate(vocabulary) if t.startswith("[") and t.endswith("]")]
    assert len(reserved) > 900  # [PAD], [CLS], [SEP], [MASK], [UNK] and [unused0] ...
    assert np.all(norms[[i for i in reserved if len(vocabulary[i]) > 2]] == 0)
    assert np.allclose(np.delete(norms, reserved), 1.0, atol=1e-4)


def test_words_of_like_meaning_are_nearer_than_unrelated_ones(embedder: StaticEmbedder) -> None:
    nurse, kind = row(embedder, "nurse"), row(embedder, "kind")
    assert nurse @ row(embedder, "doctor") > nurse @ row(embedder, "bus") + 0.2
    assert kind @ row(embedder, "friendly") > kind @ row(embedder, "parking") + 0.2


def test_a_comment_is_nearest_one_that_says_the_same_in_other_words(
    embedder: StaticEmbedder,
) -> None:
    fitted = embedder.fit([e.text for e in load_training_set().examples])
    parking, car_park, nurses = fitted.transform(
        ["No parking", "Could not find a space in the car park", "The nurses were lovely"]
    )
    assert parking @ car_park > parking @ nurses + 0.3
    assert np.linalg.norm(parking) == pytest.approx(1.0, abs=1e-5)


def test_frequent_tokens_count_for_less_than_rare_ones(embedder: StaticEmbedder) -> None:
    fitted = embedder.fit(["the nurse was kind", "the wait was long", "the food"])
    (the,) = fitted.tokenizer.word_ids("the")
    (bruises,) = fitted.tokenizer.word_ids("bruises")
    assert fitted.token_weights[the] < fitted.token_weights[bruises]
    assert np.all(fitted.transform([""]) == 0)


def test_a_saved_embedder_leaves_its_word_cache_behind(embedder: StaticEmbedder) -> None:
    embedder.transform(["a comment read once fills the word cache"])
    restored = pickle.loads(pickle.dumps(embedder))  # noqa: S301 - our own object
    assert restored.tokenizer._cache == {}
    assert np.array_equal(
        restored.transform(["the same comment"]), embedder.transform(["the same comment"])
    )


def test_in_context_vectors_come_only_from_the_texts_fitted_on(embedder: StaticEmbedder) -> None:
    encoder = load_encoder()
    contextual = ContextualTokens(encoder)
    isolated = embedder.table
    table = contextual.table(["the porter was kind"], isolated)
    porter, kind, bruises = (
        encoder.tokenizer.word_ids(w)[0] for w in ("porter", "kind", "bruises")
    )
    assert not np.allclose(table[porter], isolated[porter])
    assert np.array_equal(table[bruises], isolated[bruises])  # not in the texts: left alone
    assert np.linalg.norm(table[kind]) == pytest.approx(1.0, abs=1e-5)
    # The encoder's states for the sentence, read directly, give the same direction once centred.
    states, _ = encoder.token_states([encoder.tokenizer.encode("the porter was kind", 256)])
    inner = states[0, 1:-1]
    centred = inner - inner.mean(axis=0)
    expected = centred[1] / np.linalg.norm(centred[1])
    assert np.allclose(table[porter], expected, atol=1e-4)


def test_a_contextual_embedder_is_saved_without_the_encoder(embedder: StaticEmbedder) -> None:
    fitted = StaticEmbedder(
        embedder.tokenizer, embedder.table, ContextualTokens(load_encoder())
    ).fit(["the porter was kind", "the nurse was rude"])
    restored = pickle.loads(pickle.dumps(fitted))  # noqa: S301 - our own object
    assert restored.contextual is None and restored.isolated is None
    assert np.array_equal(
        restored.transform(["a kind porter"]), fitted.transform(["a kind porter"])
    )
