"""The labelled training comments and the theme framework shipped in `patientvoice/insight/data`.

See `data/ATTRIBUTION.md`: the data is MIT-licensed, copyright NHS England, and the attribution
travels with any model trained on it.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
TRAINING_CSV = DATA_DIR / "v6framework_train.csv"
FRAMEWORK_CSV = DATA_DIR / "framework_v7_mvp_20230925.csv"
MAPPING_CSV = DATA_DIR / "v6_to_v7_label_mapping.csv"
ATTRIBUTION = (
    "Trained on labelled NHS Friends and Family Test comments from the pxtextmining project "
    "(github.com/The-Strategy-Unit/pxtextmining), MIT licence, copyright NHS England."
)

TEXT_COLUMN = "FFT answer"
QUESTION_COLUMN = "FFT question"
RATING_COLUMN = "FFT categorical answer"
SENTIMENT_COLUMN = "Comment sentiment"
# The first label column; everything from here to the end of the header is a one-hot label.
FIRST_LABEL_COLUMN = "Not assigned"
# A flag in the file, not a theme: safeguarding is detected by `signals` instead.
SAFEGUARDING_FLAG = "Safeguarding concerns?"
LABELLING_NOT_POSSIBLE = "Labelling not possible"
OTHER_CATEGORY = "Other themes (not in the v7 framework)"


@dataclass(frozen=True)
class Example:
    """One labelled comment. `rating` is the FFT answer (1 very good … 5 very poor, 6/7 don't
    know or other) and `sentiment` 1 very positive … 5 very negative; either may be unknown."""

    text: str
    question: str
    rating: int | None
    labels: tuple[str, ...]
    sentiment: int | None = None
    safeguarding: bool = False


@dataclass(frozen=True)
class TrainingSet:
    examples: list[Example]
    label_columns: list[str]  # every theme column of the file, in file order
    sha256: str

    @property
    def labels_seen(self) -> list[str]:
        """Theme columns with at least one positive: the only ones a model can learn."""
        seen = {label for example in self.examples for label in example.labels}
        return [label for label in self.label_columns if label in seen]


@dataclass(frozen=True)
class ThemeGroup:
    v7_subcategory: str
    v7_category: str
    basis: str


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def parse_int(value: str | None, low: int, high: int) -> int | None:
    """An integer in [low, high] from a CSV cell ("3", "3.0", " 3 "), else None."""
    if value is None:
        return None
    try:
        number = int(float(value.strip()))
    except ValueError:
        return None
    return number if low <= number <= high else None


def load_training_set(path: Path = TRAINING_CSV) -> TrainingSet:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        label_columns = [c for c in header[header.index(FIRST_LABEL_COLUMN) :]]
        label_columns.remove(SAFEGUARDING_FLAG)
        examples = [_example(row, label_columns) for row in reader]
    return TrainingSet(examples=examples, label_columns=label_columns, sha256=sha256_of(path))


def _example(row: dict[str, str], label_columns: list[str]) -> Example:
    return Example(
        text=row[TEXT_COLUMN] or "",
        question=row[QUESTION_COLUMN] or "",
        rating=parse_int(row[RATING_COLUMN], 1, 7),
        labels=tuple(c for c in label_columns if _is_set(row[c])),
        sentiment=parse_int(row[SENTIMENT_COLUMN], 1, 5),
        safeguarding=_is_set(row[SAFEGUARDING_FLAG]),
    )


def _is_set(cell: str | None) -> bool:
    return (cell or "").strip() in {"1", "1.0", "True", "true"}


def load_theme_groups(path: Path = MAPPING_CSV) -> dict[str, ThemeGroup]:
    """v6 label -> where it sits in the v7 framework. Labels v7 dropped are grouped under
    OTHER_CATEGORY rather than hidden, so nothing the model says disappears from view."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {
            row["v6_label"]: ThemeGroup(
                v7_subcategory=row["v7_subcategory"] or row["v6_label"],
                v7_category=row["v7_category"] or OTHER_CATEGORY,
                basis=row["basis"],
            )
            for row in csv.DictReader(handle)
        }


def theme_categories(labels: Iterable[str]) -> dict[str, str]:
    """Theme name -> v7 category, for each of `labels`."""
    groups = load_theme_groups()
    return {
        label: groups[label].v7_category if label in groups else OTHER_CATEGORY for label in labels
    }
