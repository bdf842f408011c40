"""The pretrained sentence encoder, run with numpy: the hash check, the tokeniser and the
vectors, against figures the reference implementation (sentence-transformers 6.3 on PyTorch
2.13, CPU) gave for the same sentences (ADR 0002 says how they were produced)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from patientvoice.insight.engine.data import load_training_set
from patientvoice.insight.engine.encoder import (
    EncoderUnavailable,
    SentenceEncoder,
    check_weights,
    load_encoder,
    package_model_dir,
)

# Sentence, the reference token ids, the first 8 dimensions of the reference vector.
REFERENCE = [
    (
        "He has bruises on his arms and I think someone hurt him.",
        [101, 2002, 2038, 18438, 2006, 2010, 2608, 1998, 1045, 2228, 2619, 3480, 2032, 1012, 102],
        [0.02781, 0.08865, 0.00274, 0.03222, 0.02542, 0.00781, 0.12094, 0.02491],
    ),
    (
        "nobody has changed his dressing in a week",
        [101, 6343, 2038, 2904, 2010, 11225, 1999, 1037, 2733, 102],
        [0.02185, 0.024, 0.05177, -0.02168, -0.00805, -0.01082, -0.02061, -0.05018],
    ),
    (
        "Café staff were naïve but très polite — 10/10!!!",
        [
            101,
            7668,
            3095,
            2020,
            15743,
            2021,
            24403,
            13205,
            1517,
            2184,
            1013,
            2184,
            999,
            999,
            999,
            102,
        ],
        [-0.00653, 0.04419, 0.03709, -0.01745, 0.03146, 0.0145, 0.0895, -0.03398],
    ),
]
# The longest training comment is cut at 256 tokens, as the reference cuts it.
LONGEST_FIRST_8 = [-0.05892, -0.00486, 0.0803, -0.0104, 0.00651, 0.04459, 0.02166, 0.08883]


def test_the_tokeniser_splits_as_the_reference_does() -> None:
    tokenizer = load_encoder().tokenizer
    for sentence, ids, _ in REFERENCE:
        assert tokenizer.encode(sentence, 256) == ids


def test_sentence_vectors_match_the_reference_implementation() -> None:
    vectors = load_encoder().encode([sentence for sentence, _, _ in REFERENCE])
    for row, (_, _, first_8) in zip(vectors, REFERENCE, strict=True):
        assert np.allclose(row[:8], first_8, atol=1e-4)
        assert np.linalg.norm(row) == pytest.approx(1.0, abs=1e-5)


def test_a_long_comment_is_cut_where_the_reference_cuts_it() -> None:
    longest = max((e.text for e in load_training_set().examples), key=len)
    encoder = load_encoder()
    ids = encoder.tokenizer.encode(longest, 256)
    assert len(ids) == 256 and ids[-1] == encoder.tokenizer.sep_id
    assert np.allclose(encoder.encode([longest])[0, :8], LONGEST_FIRST_8, atol=1e-4)


def test_a_batch_gives_each_sentence_the_vector_it_has_alone() -> None:
    encoder = load_encoder()
    sentences = [sentence for sentence, _, _ in REFERENCE] + ["Short.", ""]
    together = encoder.encode(sentences, batch_size=8)
    alone = np.vstack([encoder.encode([s]) for s in sentences])
    assert np.allclose(together, alone, atol=1e-5)


def test_the_installed_weights_have_the_published_hash() -> None:
    check_weights(package_model_dir() / "model.safetensors")


def test_a_weights_file_changed_by_one_byte_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "model"
    shutil.copytree(package_model_dir(), copy)
    weights = copy / "model.safetensors"
    with weights.open("r+b") as handle:
        handle.seek(1_000_000)
        byte = handle.read(1)
        handle.seek(1_000_000)
        handle.write(bytes([byte[0] ^ 0x01]))
    with pytest.raises(EncoderUnavailable, match="Refusing to use the encoder weights"):
        SentenceEncoder(copy)


def test_missing_weights_are_refused_with_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(EncoderUnavailable, match="weights are missing"):
        check_weights(tmp_path / "model.safetensors")
