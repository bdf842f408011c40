"""The learnt safeguarding detector: each sentence of a comment is read on its own and scored
for a safeguarding concern and its kind (the categories of `data/safeguarding/LABELLING.md`).

Features of a sentence: the static token vectors distilled from the sentence encoder (so
"she takes my card to the cashpoint" lands near "financial abuse" without those words), plus
word TF-IDF with negation marks ("nobody was rough" reads `not_rough`, not `rough`). Two linear
heads: concern or not (logistic regression, its threshold chosen on grouped out-of-fold scores
of the training sentences for recall), and the kind of concern (multinomial logistic regression
over the concern sentences). Severity follows the kind: harm 1, care failures 2.

Plain Python and numpy at prediction time: the detector carries its own copy of the static
table's rows it needs, so it never needs the encoder package.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import json
import random
import re
import string
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from patientvoice.insight.engine.text import straight_apostrophes
from patientvoice.insight.engine.wordpiece import WordPieceTokenizer

if TYPE_CHECKING:
    from patientvoice.insight.engine.safeguarding_second_stage import SecondStage

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "safeguarding"
DETECTOR_FILE = "safeguarding.joblib"
NONE = "none"
# LABELLING.md: severity 1 when someone is being hurt, is at risk from another person or may
# hurt themselves; 2 for neglect, unsafe discharge and errors in care.
SEVERITY: dict[str, int] = {
    "physical_abuse": 1,
    "sexual_abuse": 1,
    "psychological_abuse": 1,
    "financial_abuse": 1,
    "domestic_abuse": 1,
    "exploitation": 1,
    "discriminatory_abuse": 1,
    "self_harm": 1,
    "restraint": 1,
    "neglect": 2,
    "organisational_abuse": 2,
    "self_neglect": 2,
    "unsafe_discharge": 2,
    "medication_error": 2,
    "fall": 2,
}
CATEGORY_NAMES: dict[str, str] = {key: key.replace("_", " ") for key in SEVERITY}
RECALL_TARGET = 0.95
FALSE_ALARM_LIMIT = 0.10
# Out-of-fold recall is aimed a little above the target: sentences never seen are harder.
RECALL_MARGIN = 0.02
THRESHOLD_FOLDS = 5
# Ordinary FFT comment sentences added as negatives, and their total weight relative to the
# labelled `none` sentences (they teach what everyday comments look like, but the near-misses
# are what the detector must learn to tell apart).
COMMENT_NEGATIVES = 4000
COMMENT_NEGATIVE_WEIGHT = 0.5
STATIC_WEIGHT = 0.5  # grouped CV: false alarms at recall 0.97 were 0.32 at 0.5, 0.37 at 1 and 2
CONCERN_C = 4.0
CATEGORY_C = 4.0
MIN_DOCUMENT_FREQUENCY = 2

# Sentences: line breaks and list bullets end one; so do . ! ? and ; followed by space.
_LINES = re.compile(r"[^\n\r•·▪◦]+")
_BULLET = re.compile(r"^\s*(?:[-*–]|\d{1,2}[.)])\s+")
_SENTENCE = re.compile(r"[^.!?;]*(?:[.!?;]+(?=\s|$)|$)|[^\s]+")
# A run-on sentence longer than this many words is read in overlapping windows.
WINDOW_WORDS = 32
WINDOW_STEP = 16
_CHUNK = re.compile(r"\S+")
MAX_SENTENCES = 400  # a pasted book is screened on its first 400 sentences

_NEGATORS = frozenset(
    re.findall(
        r"\w+",
        "not no never nobody none nothing noone neither nor without cannot cant dont didnt "
        "doesnt wasnt werent isnt arent wont wouldnt couldnt hasnt havent hadnt shouldnt "
        "didn don doesn wasn weren isn aren won wouldn couldn hasn haven hadn shouldn",
    )
)
_NEGATION_SCOPE = 4
_SCOPE_ENDS = frozenset(".,;:!?") | {"but", "and", "although", "though", "however"}
_DROPPED = frozenset(string.punctuation) | {"but", "and", "t"}  # "didn't" is didn ' t


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def split_sentences(text: str) -> list[Span]:
    """Where the sentences of `text` are: at line breaks, list bullets, and . ! ? ; followed by a
    space; a sentence of more than WINDOW_WORDS words is cut into overlapping windows, so a
    concern inside a long run-on story is read nearly on its own."""
    spans: list[Span] = []
    for line in _LINES.finditer(text):
        offset = line.start()
        body = line.group()
        bullet = _BULLET.match(body)
        if bullet:
            offset += bullet.end()
            body = body[bullet.end() :]
        for piece in _SENTENCE.finditer(body):
            if not piece.group().strip():
                continue
            _add_windows(spans, text, offset + piece.start(), offset + piece.end())
            if len(spans) >= MAX_SENTENCES:
                return spans[:MAX_SENTENCES]
    return spans


def _add_windows(spans: list[Span], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    if len(piece) <= 2 * WINDOW_WORDS or len(piece.split()) <= WINDOW_WORDS:
        stripped = piece.lstrip()
        if stripped:
            first = start + len(piece) - len(stripped)
            spans.append(Span(first, first + len(stripped.rstrip())))
        return
    chunks = [(m.start(), m.end()) for m in _CHUNK.finditer(text, start, end)]
    if not chunks:
        return
    if len(chunks) <= WINDOW_WORDS:
        spans.append(Span(chunks[0][0], chunks[-1][1]))
        return
    first = 0
    while True:
        last = min(first + WINDOW_WORDS, len(chunks)) - 1
        spans.append(Span(chunks[first][0], chunks[last][1]))
        if last == len(chunks) - 1:
            return
        first += WINDOW_STEP


def sentences_of(text: str) -> list[str]:
    return [text[s.start : s.end].strip() for s in split_sentences(text)]


def word_features(words: Sequence[str]) -> list[str]:
    """Unigrams, with the few words after a negation marked `not_` (up to punctuation, "but"
    or "and"), and bigrams of the words as written. Punctuation, "and", "but" are left out."""
    kept = [w for w in words if w not in _DROPPED]
    bigrams = [a + " " + b for a, b in pairwise(kept)]
    if _NEGATORS.isdisjoint(words):
        return kept + bigrams
    features: list[str] = []
    scope = 0
    for word in words:
        if word in _SCOPE_ENDS:
            scope = 0
        elif word in _DROPPED:
            continue
        elif word in _NEGATORS:
            features.append(word)
            scope = _NEGATION_SCOPE
        elif scope:
            features.append("not_" + word)
            scope -= 1
        else:
            features.append(word)
    return features + bigrams


# Words and single punctuation marks, lower case: BERT's basic split for everyday text (accented
# letters are kept as they are), in one regular-expression call per sentence.
_WORD = re.compile(r"[^\W_]+|[^\w\s]|_")


def words_of(sentence: str) -> list[str]:
    return _WORD.findall(straight_apostrophes(sentence).lower())


class SentenceFeatures:
    """Sentence -> static vector (the SIF-weighted mean of its tokens' distilled vectors, unit
    length) and word TF-IDF (unigrams with negation marks, and bigrams; unit length)."""

    def __init__(self, tokenizer: WordPieceTokenizer, table: np.ndarray):
        self.tokenizer = tokenizer
        self.table = table.astype(np.float32, copy=False)
        self.token_weights = np.ones(len(table), dtype=np.float32)
        self.vocabulary: dict[str, int] = {}
        self.idf = np.zeros(0, dtype=np.float32)

    def fit(self, sentences: Sequence[str]) -> SentenceFeatures:
        token_counts: Counter[int] = Counter()
        document_counts: Counter[str] = Counter()
        for sentence in sentences:
            words = words_of(sentence)
            for word in words:
                token_counts.update(self.tokenizer.word_ids(word))
            document_counts.update(set(word_features(words)))
        total = max(sum(token_counts.values()), 1)
        frequency = np.zeros(len(self.table), dtype=np.float64)
        for token, n in token_counts.items():
            frequency[token] = n / total
        self.token_weights = (1e-3 / (1e-3 + frequency)).astype(np.float32)
        kept = sorted(f for f, n in document_counts.items() if n >= MIN_DOCUMENT_FREQUENCY)
        self.vocabulary = {f: i for i, f in enumerate(kept)}
        n = len(sentences)
        self.idf = np.array(
            [np.log((1 + n) / (1 + document_counts[f])) + 1 for f in kept], dtype=np.float32
        )
        return self

    @property
    def hidden(self) -> int:
        return int(self.table.shape[1])

    @property
    def width(self) -> int:
        return self.hidden + len(self.vocabulary)

    def transform(self, sentences: Sequence[str]) -> tuple[np.ndarray, sp.csr_matrix]:
        """(static vectors, n × hidden) and (word TF-IDF, n × vocabulary)."""
        token_ids: list[int] = []
        token_ptr = [0]
        word_cols: list[int] = []
        word_ptr = [0]
        word_ids = self.tokenizer.word_ids
        get = self.vocabulary.get
        for sentence in sentences:
            words = words_of(sentence)
            for word in words:
                token_ids += word_ids(word)
            token_ptr.append(len(token_ids))
            for feature in word_features(words):
                column = get(feature)
                if column is not None:
                    word_cols.append(column)
            word_ptr.append(len(word_cols))
        n = len(sentences)
        tokens = np.asarray(token_ids, dtype=np.int32)
        counts = sp.csr_matrix(
            (self.token_weights[tokens], tokens, np.asarray(token_ptr, dtype=np.int64)),
            shape=(n, len(self.table)),
        )
        static = np.asarray(counts @ self.table, dtype=np.float32)
        static /= np.maximum(np.linalg.norm(static, axis=1, keepdims=True), 1e-12)
        columns = np.asarray(word_cols, dtype=np.int32)
        words_matrix = sp.csr_matrix(
            (self.idf[columns], columns, np.asarray(word_ptr, dtype=np.int64)),
            shape=(n, len(self.vocabulary)),
        )
        words_matrix.sum_duplicates()  # a repeated word counts twice its idf
        norms = np.sqrt(np.asarray(words_matrix.multiply(words_matrix).sum(axis=1)).ravel())
        words_matrix.data /= np.repeat(np.maximum(norms, 1e-12), np.diff(words_matrix.indptr))
        return static, words_matrix

    def matrix(self, sentences: Sequence[str]) -> sp.csr_matrix:
        """[static × STATIC_WEIGHT | word TF-IDF], for fitting."""
        static, words = self.transform(sentences)
        return sp.hstack([sp.csr_matrix(static * STATIC_WEIGHT), words], format="csr")

    def linear(self, sentences: Sequence[str], weights: np.ndarray) -> np.ndarray:
        """`matrix(sentences) @ weights` without building the matrix (the fast path)."""
        static, words = self.transform(sentences)
        hidden = self.hidden
        return np.asarray((static @ weights[:hidden]) * STATIC_WEIGHT + words @ weights[hidden:])

    def __getstate__(self) -> dict[str, object]:
        # The table is saved as float16 (every row is kept: unseen words need theirs), halving
        # the file; it is read back as float32.
        state = dict(self.__dict__)
        state["tokenizer"] = self.tokenizer.vocabulary
        state["table"] = self.table.astype(np.float16)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state["tokenizer"] = WordPieceTokenizer(state["tokenizer"])
        state["table"] = np.asarray(state["table"], dtype=np.float32)
        self.__dict__.update(state)


@dataclass
class Flagged:
    """One sentence the detector flagged."""

    sentence: str
    start: int
    end: int
    category: str
    severity: int
    score: float


@dataclass
class Detector:
    features: SentenceFeatures
    concern_weights: np.ndarray  # (width,)
    concern_bias: float
    threshold: float
    categories: list[str]
    category_weights: np.ndarray  # (width, categories)
    category_bias: np.ndarray
    metadata: dict[str, Any] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)  # sentence_key of every training sentence
    # The optional slower stage (safeguarding_second_stage.py), used only when turned on.
    second_stage: SecondStage | None = None
    use_second_stage: bool = False

    @cached_property
    def weights(self) -> np.ndarray:
        """(width, 1 + categories): the concern head's weights, then the category head's."""
        return np.hstack([self.concern_weights[:, None], self.category_weights]).astype(np.float32)

    def score_sentences(self, sentences: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(probability of a concern, index of the most likely category) per sentence."""
        if not sentences:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        scores = self.features.linear(sentences, self.weights)
        concern = _sigmoid(scores[:, 0] + self.concern_bias)
        kinds = scores[:, 1:] + self.category_bias
        return concern, kinds.argmax(axis=1)

    def screen(self, texts: Sequence[str]) -> list[list[Flagged]]:
        """For each text, the sentences it flags: most severe first, then most confident."""
        spans_of = [split_sentences(text) if text else [] for text in texts]
        # Each distinct sentence is read once a batch ("Thank you." is in many comments).
        position: dict[str, int] = {}
        rows = [
            position.setdefault(text[s.start : s.end], len(position))
            for text, spans in zip(texts, spans_of, strict=True)
            for s in spans
        ]
        unique = list(position)
        unique_concern, unique_kinds = self.score_sentences(unique)
        unique_flagged = self._flag(unique, unique_concern)
        concern, kinds, is_flagged = (
            unique_concern[rows],
            unique_kinds[rows],
            unique_flagged[rows],
        )
        found: list[list[Flagged]] = []
        at = 0
        for text, spans in zip(texts, spans_of, strict=True):
            flagged: list[Flagged] = []
            best: dict[tuple[int, int], Flagged] = {}
            for span in spans:
                score = float(concern[at])
                if is_flagged[at]:
                    category = self.categories[int(kinds[at])]
                    item = Flagged(
                        text[span.start : span.end].strip(),
                        span.start,
                        span.end,
                        category,
                        SEVERITY[category],
                        round(score, 4),
                    )
                    flagged.append(item)
                at += 1
            # Overlapping windows of one run-on sentence: keep the best of overlapping ones.
            for item in sorted(flagged, key=lambda f: -f.score):
                if not any(_overlaps(item, kept) for kept in best.values()):
                    best[(item.start, item.end)] = item
            found.append(sorted(best.values(), key=lambda f: (f.severity, -f.score, f.start)))
        return found

    def _flag(self, sentences: list[str], concern: np.ndarray) -> np.ndarray:
        flagged = concern >= self.threshold
        stage = self.second_stage
        if self.use_second_stage and stage is not None:
            band = np.flatnonzero((concern >= stage.low) & (concern < stage.high))
            if len(band):
                if self.__dict__.get("_vectors") is None:
                    from patientvoice.insight.engine.safeguarding_second_stage import Vectors

                    self.__dict__["_vectors"] = Vectors()
                vectors = self.__dict__["_vectors"]([sentences[i] for i in band])
                flagged[band] = stage.decide(vectors, concern[band])
        return flagged

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state.pop("_vectors", None)
        state.pop("weights", None)  # the cached property
        state["use_second_stage"] = False
        return state


def _overlaps(a: Flagged, b: Flagged) -> bool:
    return a.start < b.end and b.start < a.end


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x, -30, 30))), dtype=np.float32)


# --- Training data ------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelledSentence:
    text: str
    category: str
    group: str
    source: str = "written"
    weight: float = 1.0

    @property
    def is_concern(self) -> bool:
        return self.category != NONE


def training_files(directory: Path = DATA_DIR) -> list[Path]:
    return sorted(directory.glob("train*.csv"))


def load_sentences(paths: Iterable[Path]) -> list[LabelledSentence]:
    """Labelled sentences from CSV files with columns text, category, group, source. A row with
    an unknown category is refused (a typo would otherwise teach `none`)."""
    found: list[LabelledSentence] = []
    for path in paths:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for number, row in enumerate(csv.DictReader(handle), start=2):
                text = (row.get("text") or "").strip()
                category = (row.get("category") or "").strip() or NONE
                if not text:
                    continue
                if category != NONE and category not in SEVERITY:
                    raise ValueError(f"{path.name} line {number}: unknown category {category!r}")
                group = (row.get("group") or "").strip() or f"{path.stem}:{number}"
                found.append(LabelledSentence(text, category, group, row.get("source") or ""))
    return found


def comment_negatives(
    limit: int = COMMENT_NEGATIVES, exclude: Iterable[str] = (), seed: int = 0
) -> list[LabelledSentence]:
    """Sentences of ordinary FFT comments as `none`, leaving out any sentence the hand-written
    word list would flag (a few training comments are real concerns) and any in `exclude`."""
    from patientvoice.insight.engine.data import load_training_set
    from patientvoice.insight.engine.signals import safeguarding_words

    excluded = {sentence_key(text) for text in exclude}
    candidates: list[LabelledSentence] = []
    for number, example in enumerate(load_training_set().examples):
        if not example.text or len(example.text) > 2000:
            continue
        for sentence in sentences_of(example.text):
            if (
                len(sentence) < 12
                or safeguarding_words(sentence)
                or sentence_key(sentence) in excluded
            ):
                continue
            candidates.append(LabelledSentence(sentence, NONE, f"comment:{number}", "fft"))
    # A reproducible sample, not anything secret.
    rng = random.Random(seed)  # noqa: S311
    return rng.sample(candidates, min(limit, len(candidates)))


def sentence_key(text: str) -> str:
    """A sentence's words, lower case: equal for the same sentence however punctuated."""
    return " ".join(re.findall(r"\w+", text.lower()))


# --- Fitting --------------------------------------------------------------------------------


def fit(
    sentences: Sequence[LabelledSentence],
    tokenizer: WordPieceTokenizer,
    table: np.ndarray,
    threshold: float | None = None,
) -> Detector:
    """Fit features and both heads. `threshold` defaults to 0.5; `train` chooses it."""
    texts = [s.text for s in sentences]
    features = SentenceFeatures(tokenizer, table).fit(texts)
    x = features.matrix(texts)
    y = np.array([s.is_concern for s in sentences])
    weights = _balanced_weights(sentences)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        concern = LogisticRegression(C=CONCERN_C, max_iter=2000).fit(x, y, sample_weight=weights)
        positive = np.flatnonzero(y)
        labels = [sentences[int(i)].category for i in positive]
        categories = sorted(set(labels))
        if len(categories) >= 2:
            kind = LogisticRegression(C=CATEGORY_C, max_iter=2000).fit(x[positive], labels)
            category_weights = kind.coef_.T.astype(np.float32)
            category_bias = kind.intercept_.astype(np.float32)
            categories = [str(c) for c in kind.classes_]
            if len(categories) == 2:  # a binary model has one column
                category_weights = np.hstack([-category_weights, category_weights]) / 2
                category_bias = np.array([-category_bias[0], category_bias[0]]) / 2
        else:
            category_weights = np.zeros((x.shape[1], 1), dtype=np.float32)
            category_bias = np.zeros(1, dtype=np.float32)
    return Detector(
        features,
        concern.coef_.ravel().astype(np.float32),
        float(concern.intercept_[0]),
        0.5 if threshold is None else threshold,
        categories,
        category_weights,
        category_bias,
    )


def _balanced_weights(sentences: Sequence[LabelledSentence]) -> np.ndarray:
    """Concerns and labelled `none` sentences weigh the same in total; the FFT negatives
    COMMENT_NEGATIVE_WEIGHT of the labelled `none` ones."""
    concern = [s.is_concern for s in sentences]
    fft = [not s.is_concern and s.source == "fft" for s in sentences]
    labelled_none = [not c and not f for c, f in zip(concern, fft, strict=True)]
    n_concern, n_none, n_fft = sum(concern), sum(labelled_none), sum(fft)
    weights = np.ones(len(sentences))
    if n_concern:
        weights[np.array(concern)] = len(sentences) / (2 * n_concern)
    none_total = len(sentences) / 2
    if n_fft and n_none:
        weights[np.array(labelled_none)] = none_total / (1 + COMMENT_NEGATIVE_WEIGHT) / n_none
        weights[np.array(fft)] = (
            none_total * COMMENT_NEGATIVE_WEIGHT / (1 + COMMENT_NEGATIVE_WEIGHT) / n_fft
        )
    elif n_none or n_fft:
        weights[~np.array(concern)] = none_total / (n_none + n_fft)
    return weights


def out_of_fold(
    sentences: Sequence[LabelledSentence],
    tokenizer: WordPieceTokenizer,
    table: np.ndarray,
    folds: int = THRESHOLD_FOLDS,
) -> tuple[np.ndarray, list[str]]:
    """Grouped out-of-fold concern scores and categories for every sentence (sentences of one
    story or template are never on both sides of a split)."""
    groups = [s.group for s in sentences]
    scores = np.zeros(len(sentences), dtype=np.float32)
    categories = [NONE] * len(sentences)
    folds = min(folds, len(set(groups)))
    for fit_rows, test_rows in GroupKFold(n_splits=folds).split(sentences, groups=groups):
        detector = fit([sentences[i] for i in fit_rows], tokenizer, table)
        concern, kinds = detector.score_sentences([sentences[i].text for i in test_rows])
        scores[test_rows] = concern
        for i, k in zip(test_rows, kinds, strict=True):
            categories[i] = detector.categories[int(k)]
    return scores, categories


def choose_threshold(scores: np.ndarray, sentences: Sequence[LabelledSentence]) -> float:
    """The highest threshold whose out-of-fold recall of concerns reaches RECALL_TARGET plus a
    margin (fewest false alarms for that recall). Recall comes first: when false alarms on the
    near-misses then exceed FALSE_ALARM_LIMIT the figures say so; the threshold is not raised."""
    concern = np.array([s.is_concern for s in sentences])
    if not concern.any():
        return 0.5
    positives = np.sort(scores[concern])
    target = min(RECALL_TARGET + RECALL_MARGIN, 1.0)
    # Flag everything at or above the k-th lowest positive score, keeping `target` of them.
    missed = int(np.floor((1 - target) * len(positives)))
    return float(positives[missed]) if missed < len(positives) else 0.5


def train(
    paths: Sequence[Path] | None = None,
    *,
    tokenizer: WordPieceTokenizer | None = None,
    table: np.ndarray | None = None,
    comment_negative_count: int = COMMENT_NEGATIVES,
    folds: int = THRESHOLD_FOLDS,
    second_stage: bool = False,
) -> Detector:
    """Train on the labelled sentences (and ordinary comment sentences as extra negatives),
    with the threshold chosen by grouped cross-validation; with `second_stage`, also the slower
    stage on the full encoder (needs the encoder package; encodes every training sentence)."""
    if tokenizer is None or table is None:
        tokenizer, table = static_inputs()
    paths = list(paths) if paths is not None else training_files()
    labelled = load_sentences(paths)
    if not labelled:
        raise FileNotFoundError(f"No labelled safeguarding sentences in {DATA_DIR}/train*.csv")
    sentences = labelled + (
        comment_negatives(comment_negative_count, exclude=[s.text for s in labelled])
        if comment_negative_count
        else []
    )
    scores, categories = out_of_fold(sentences, tokenizer, table, folds)
    threshold = choose_threshold(scores, sentences)
    figures = figures_from(scores >= threshold, categories, sentences)
    detector = fit(sentences, tokenizer, table, threshold)
    if second_stage:
        from patientvoice.insight.engine.safeguarding_second_stage import train_second_stage

        detector.second_stage = train_second_stage(sentences, scores, threshold, categories)
    # Which sentences it learnt from, so an evaluation can leave out any it meets again.
    detector.seen = {sentence_key(s.text) for s in sentences}
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    data_sha = digest.hexdigest()
    digest.update(np.ascontiguousarray(detector.concern_weights).tobytes())
    digest.update(str(threshold).encode())
    detector.metadata = {
        "version": f"sg-{digest.hexdigest()[:8]}",
        "trained_at": datetime.datetime.now(tz=datetime.UTC).isoformat(),
        "training_files": [p.name for p in paths],
        "training_data_sha256": data_sha,
        "labelled_sentences": len(labelled),
        "concern_sentences": sum(s.is_concern for s in labelled),
        "comment_negatives": len(sentences) - len(labelled),
        "threshold": round(threshold, 4),
        "cross_validation": {"folds": folds, **figures},
    }
    if detector.second_stage is not None:
        detector.metadata["second_stage"] = detector.second_stage.metadata
    return detector


def static_inputs() -> tuple[WordPieceTokenizer, np.ndarray]:
    """The encoder's vocabulary and the static table the set-up built (`make model`)."""
    from patientvoice.insight.engine.encoder import package_model_dir
    from patientvoice.insight.engine.recipe import DEFAULT_CACHE_DIR
    from patientvoice.insight.engine.static_vectors import load_or_build_table

    tokenizer = WordPieceTokenizer.from_vocab_file(package_model_dir() / "vocab.txt")
    return tokenizer, load_or_build_table(DEFAULT_CACHE_DIR)


# --- Figures --------------------------------------------------------------------------------


def figures_from(
    flagged: np.ndarray, categories: Sequence[str], sentences: Sequence[LabelledSentence]
) -> dict[str, Any]:
    """Recall of concerns, harm disclosures given severity 1, false alarms on near-misses
    (labelled `none`) and on ordinary comment sentences, precision; overall and per kind."""
    truth = [s.category for s in sentences]
    is_concern = np.array([t != NONE for t in truth], dtype=bool)
    fft = np.array([s.source == "fft" for s in sentences], dtype=bool)
    flagged = np.asarray(flagged, dtype=bool)
    near_miss = ~is_concern & ~fft
    harm = np.array([SEVERITY.get(t) == 1 for t in truth], dtype=bool)
    predicted_severity = np.array(
        [SEVERITY.get(c, 9) if f else 9 for c, f in zip(categories, flagged, strict=True)],
        dtype=int,
    )
    labelled = ~fft
    result: dict[str, Any] = {
        "concerns": int(is_concern.sum()),
        "near_misses": int(near_miss.sum()),
        "recall": _share(flagged[is_concern]),
        "harm_severity_1": _share(predicted_severity[harm] == 1),
        "false_alarms_near_misses": _share(flagged[near_miss]),
        "precision": _share(is_concern[flagged & labelled]),
        "category_accuracy": _share(
            np.array([c == t for c, t in zip(categories, truth, strict=True)], dtype=bool)[
                is_concern & flagged
            ]
        ),
    }
    if fft.any():
        result["false_alarms_comment_sentences"] = _share(flagged[fft])
    per_kind: dict[str, dict[str, Any]] = {}
    for kind in sorted(set(truth) - {NONE}):
        rows = np.array([t == kind for t in truth], dtype=bool)
        predicted = np.array([c == kind for c in categories], dtype=bool) & flagged
        per_kind[kind] = {
            "support": int(rows.sum()),
            "recall": _share(flagged[rows]),
            "severity_right": _share(predicted_severity[rows] == SEVERITY[kind]),
            "category_recall": _share(predicted[rows]),
            "precision": _share(rows[predicted & labelled]),
        }
    result["per_kind"] = per_kind
    return result


def _share(values: np.ndarray) -> float | None:
    return round(float(np.mean(values)), 4) if len(values) else None


# --- Saving ---------------------------------------------------------------------------------


def save_detector(detector: Detector, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    temporary = directory / (DETECTOR_FILE + ".tmp")
    joblib.dump(detector, temporary, compress=3)
    path = directory / DETECTOR_FILE
    temporary.replace(path)
    return path


def load_detector(directory: Path) -> Detector | None:
    """The detector saved beside the text model, or None when there is none (a model trained
    before the detector existed: the word list then raises safeguarding signals)."""
    path = directory / DETECTOR_FILE
    if not path.exists():
        return None
    detector = joblib.load(path)
    if not isinstance(detector, Detector):
        raise TypeError(f"{path} does not hold a safeguarding Detector")
    return detector


def describe(detector: Detector) -> str:
    return json.dumps(detector.metadata, indent=2)


def attach(model: Any, detector: Detector) -> None:
    """Give a text model its detector (saved beside it by `save_model`). The model's version
    then names the detector too: comments a version has read are not read again, so a new
    detector must make a new version for the comments to be screened by it."""
    model.safeguarding = detector
    metadata = model.metadata
    base = metadata.get("text_model_version") or metadata.get("version", "px-unversioned")
    digest = hashlib.sha256(f"{base}:{detector.metadata.get('version', '')}".encode())
    prefix = base.rsplit("-", 1)[0] if base.count("-") >= 2 else base
    metadata["text_model_version"] = base
    metadata["version"] = f"{prefix}-{digest.hexdigest()[:8]}"
    metadata["safeguarding"] = detector.metadata
