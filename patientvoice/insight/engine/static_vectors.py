"""Static token vectors distilled from the sentence encoder: one vector per vocabulary token, so
a comment's vector is a weighted mean of table rows, thousands of comments a second on one core
where the full encoder reads tens.

Each token's vector is what the encoder gives for that token read alone ("[CLS] token [SEP]",
mean-pooled and unit length), with the mean over the vocabulary taken away (it is shared by
every token and only blurs the differences). A comment's tokens are weighted by how rare they
are in the training comments (a / (a + frequency), "smooth inverse frequency"), so "the" and
"." count for little and "bruises" for a lot. The table is built once by the set-up from the
installed encoder package and kept in a cache folder; the trained model carries its own copy,
so classifying never needs the package.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from patientvoice.insight.engine.encoder import WEIGHTS_SHA256, SentenceEncoder, normalise_rows
from patientvoice.insight.engine.wordpiece import WordPieceTokenizer

# Bump when the way the table is built changes, so an old cached table is not reused.
TABLE_FORMAT = 1
SIF_A = 1e-3
_BUILD_BATCH = 1024


def table_path(cache_dir: Path) -> Path:
    return cache_dir / f"static-vectors-{WEIGHTS_SHA256[:12]}-v{TABLE_FORMAT}.npy"


def distil_table(encoder: SentenceEncoder) -> np.ndarray:
    """(vocabulary, hidden) float32: every token encoded alone; special and unused tokens 0."""
    vocabulary = encoder.tokenizer.vocabulary
    usable = [i for i, token in enumerate(vocabulary) if not _is_reserved(token)]
    table = np.zeros((len(vocabulary), encoder.hidden), dtype=np.float32)
    cls_id, sep_id = encoder.tokenizer.cls_id, encoder.tokenizer.sep_id
    for start in range(0, len(usable), _BUILD_BATCH):
        ids = usable[start : start + _BUILD_BATCH]
        table[ids] = encoder.encode_ids([[cls_id, i, sep_id] for i in ids], len(ids))
    table[usable] -= table[usable].mean(axis=0)
    table[usable] = normalise_rows(table[usable])
    return table


def _is_reserved(token: str) -> bool:
    return len(token) > 2 and token.startswith("[") and token.endswith("]")


def load_or_build_table(cache_dir: Path, encoder: SentenceEncoder | None = None) -> np.ndarray:
    """The cached table, built (a minute or two on one core) and saved when missing."""
    path = table_path(cache_dir)
    if path.exists():
        return np.load(path)
    if encoder is None:
        from patientvoice.insight.engine.encoder import load_encoder

        encoder = load_encoder()
    table = distil_table(encoder)
    cache_dir.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp.npy")
    np.save(temporary, table)
    temporary.replace(path)
    return table


class StaticEmbedder:
    """Comment -> unit-length vector: the SIF-weighted mean of its tokens' static vectors."""

    def __init__(self, tokenizer: WordPieceTokenizer, table: np.ndarray):
        self.tokenizer = tokenizer
        self.table = table.astype(np.float32, copy=False)
        self.token_weights = np.ones(len(table), dtype=np.float32)

    def fit(self, texts: Iterable[str]) -> StaticEmbedder:
        """Token weights from how often each token occurs in these texts."""
        counts: Counter[int] = Counter()
        for text in texts:
            counts.update(self.tokenizer.ids_of(text))
        total = max(sum(counts.values()), 1)
        frequency = np.zeros(len(self.table), dtype=np.float64)
        for token, n in counts.items():
            frequency[token] = n / total
        self.token_weights = (SIF_A / (SIF_A + frequency)).astype(np.float32)
        return self

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        rows: list[int] = []
        columns: list[int] = []
        for row, text in enumerate(texts):
            ids = self.tokenizer.ids_of(text)
            columns.extend(ids)
            rows.extend([row] * len(ids))
        column_array = np.asarray(columns, dtype=np.int32)
        weights = sp.csr_matrix(
            (self.token_weights[column_array], (np.asarray(rows, dtype=np.int32), column_array)),
            shape=(len(texts), len(self.table)),
        )
        return normalise_rows(np.asarray(weights @ self.table))

    def __getstate__(self) -> dict[str, object]:
        # The tokeniser's per-word cache is rebuilt as comments are read; not worth saving.
        state = dict(self.__dict__)
        state["tokenizer"] = WordPieceTokenizer(self.tokenizer.vocabulary)
        return state
