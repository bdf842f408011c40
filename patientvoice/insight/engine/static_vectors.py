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

from patientvoice.insight.engine.encoder import (
    MAX_TOKENS,
    WEIGHTS_SHA256,
    SentenceEncoder,
    normalise_rows,
)
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


class ContextualTokens:
    """Token vectors as the encoder reads them in context: for each token of the training
    comments, the mean of its last-layer states over its occurrences there ("rude" as it is
    used in comments, not "rude" alone). Each text's states are kept once read, so the folds of
    a cross-validation, which fit on different subsets, encode every comment only once."""

    def __init__(self, encoder: SentenceEncoder):
        self.encoder = encoder
        self._states: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def table(self, texts: Iterable[str], isolated: np.ndarray) -> np.ndarray:
        """`isolated` with the rows of every token in `texts` replaced by its mean state in
        them (centred over those tokens and unit length, as the isolated rows are)."""
        texts = list(dict.fromkeys(texts))
        self._read([text for text in texts if text not in self._states])
        sums = np.zeros(isolated.shape, dtype=np.float64)
        counts = np.zeros(len(isolated), dtype=np.int64)
        for text in texts:
            ids, states = self._states[text]
            np.add.at(sums, ids, states)
            np.add.at(counts, ids, 1)
        seen = counts > 0
        table = isolated.copy()
        if seen.any():
            means = sums[seen] / counts[seen, None]
            table[seen] = normalise_rows((means - means.mean(axis=0)).astype(np.float32))
        return table

    def _read(self, texts: Sequence[str]) -> None:
        tokenizer = self.encoder.tokenizer
        encoded = [tokenizer.encode(text, MAX_TOKENS) for text in texts]
        order = np.argsort([len(ids) for ids in encoded], kind="stable")
        for start in range(0, len(order), 32):
            rows = order[start : start + 32]
            states, _ = self.encoder.token_states([encoded[r] for r in rows])
            for position, r in enumerate(rows):
                ids = encoded[r]
                # [CLS] and [SEP] are left out: every comment has them.
                self._states[texts[r]] = (
                    np.asarray(ids[1:-1], dtype=np.int64),
                    states[position, 1 : len(ids) - 1].copy(),
                )


class StaticEmbedder:
    """Comment -> unit-length vector: the SIF-weighted mean of its tokens' static vectors.
    With `contextual`, fitting also replaces the rows of the tokens in the training texts by
    their in-context means (measured better: ADR 0002)."""

    def __init__(
        self,
        tokenizer: WordPieceTokenizer,
        table: np.ndarray,
        contextual: ContextualTokens | None = None,
    ):
        self.tokenizer = tokenizer
        self.isolated = table.astype(np.float32, copy=False)
        self.table = self.isolated
        self.contextual = contextual
        self.token_weights = np.ones(len(table), dtype=np.float32)

    def fit(self, texts: Sequence[str]) -> StaticEmbedder:
        """Token weights from how often each token occurs in these texts (and, with
        `contextual`, the tokens' vectors as these texts use them)."""
        if self.contextual is not None:
            self.table = self.contextual.table(texts, self.isolated)
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
        # The encoder's states and the isolated table are for fitting; the model needs only the
        # fitted table.
        state = dict(self.__dict__)
        state["tokenizer"] = WordPieceTokenizer(self.tokenizer.vocabulary)
        state["contextual"] = None
        state["isolated"] = None
        return state
