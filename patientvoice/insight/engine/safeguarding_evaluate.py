"""Figures for the safeguarding detector, per kind of concern: recall of concerns, harm
disclosures given severity 1, false alarms on near-misses (`none`), precision.

- `cross_validate`: grouped cross-validation on the training sentences (the estimate the
  threshold was chosen on);
- `score_sentences`: the current detector on labelled sentences it did not learn from (the
  held-out `test.csv`, or sentences exported from triage decisions);
- `score_comments`: the current detector on multi-sentence comments with one buried concern
  (`test_comments.csv`: text, category, evidence, group), found only when the concern's evidence
  is that sentence.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from patientvoice.insight.engine.safeguarding import (
    COMMENT_NEGATIVES,
    DATA_DIR,
    NONE,
    THRESHOLD_FOLDS,
    Detector,
    LabelledSentence,
    choose_threshold,
    comment_negatives,
    figures_from,
    load_sentences,
    out_of_fold,
    sentence_key,
    static_inputs,
    training_files,
)

QUICK_COMMENT_NEGATIVES = 1000
TEST_SENTENCES = DATA_DIR / "test.csv"
TEST_COMMENTS = DATA_DIR / "test_comments.csv"
HEADLINES = {
    "recall": "Recall of concerns",
    "harm_severity_1": "Harm disclosures given severity 1",
    "false_alarms_near_misses": "False alarms on near-misses",
    "precision": "Precision",
}


@dataclass
class SafeguardingFigures:
    title: str
    figures: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"title": self.title, "notes": self.notes, **self.figures}


def cross_validate(
    paths: Sequence[Path] | None = None,
    folds: int = THRESHOLD_FOLDS,
    comment_negative_count: int = COMMENT_NEGATIVES,
) -> SafeguardingFigures:
    """Out-of-fold figures on the training sentences, at the threshold chosen on those same
    out-of-fold scores (so recall sits at the target by construction; the false alarms and
    per-kind figures are the news)."""
    tokenizer, table = static_inputs()
    paths = list(paths) if paths is not None else training_files()
    labelled = load_sentences(paths)
    sentences = labelled + comment_negatives(
        comment_negative_count, exclude=[s.text for s in labelled]
    )
    scores, categories = out_of_fold(sentences, tokenizer, table, folds)
    threshold = choose_threshold(scores, sentences)
    figures = figures_from(scores >= threshold, categories, sentences)
    return SafeguardingFigures(
        f"Grouped {folds}-fold cross-validation on {len(labelled)} training sentences "
        f"(+{len(sentences) - len(labelled)} ordinary comment sentences as negatives)",
        {**figures, "threshold": round(threshold, 4)},
    )


def score_sentences(detector: Detector, path: Path, title: str = "") -> SafeguardingFigures:
    """The detector on labelled sentences (columns text, category[, group, source]). A row
    the detector learnt from is left out and counted in the notes."""
    rows = load_sentences([path])
    unseen = [s for s in rows if sentence_key(s.text) not in detector.seen]
    found = detector.screen([s.text for s in unseen])
    flagged = np.array([bool(f) for f in found], dtype=bool)
    categories = [f[0].category if f else NONE for f in found]
    # A labelled sentence is `none` or a concern; none of these are comment negatives.
    as_labelled = [LabelledSentence(s.text, s.category, s.group, "labelled") for s in unseen]
    notes = []
    if len(unseen) < len(rows):
        notes.append(f"{len(rows) - len(unseen)} rows left out: the detector learnt from them")
    return SafeguardingFigures(
        title or f"{path.name}: {len(unseen)} sentences",
        figures_from(flagged, categories, as_labelled),
        notes,
    )


def score_comments(detector: Detector, path: Path = TEST_COMMENTS) -> SafeguardingFigures:
    """Comments with a buried concern are found when the concern's evidence (its first,
    most severe finding) overlaps the labelled evidence sentence; comments labelled `none`
    are false alarms when anything is flagged."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if (r.get("text") or "").strip()]
    found = detector.screen([r["text"] for r in rows])
    truth, flagged, categories = [], [], []
    located = []
    for row, findings in zip(rows, found, strict=True):
        category = (row.get("category") or "").strip() or NONE
        truth.append(LabelledSentence(row["text"], category, row.get("group") or "", "labelled"))
        if category == NONE:
            flagged.append(bool(findings))
            categories.append(findings[0].category if findings else NONE)
            continue
        start = row["text"].find((row.get("evidence") or "").strip())
        end = start + len((row.get("evidence") or "").strip())
        right = [f for f in findings if start >= 0 and f.start < end and start < f.end]
        # Found: the concern's evidence (its first finding) is the buried sentence.
        hit = bool(findings) and bool(right) and right[0] is findings[0]
        located.append(bool(right))
        flagged.append(hit)
        categories.append(findings[0].category if hit else NONE)
    figures = figures_from(np.array(flagged, dtype=bool), categories, truth)
    figures["buried_sentence_flagged_anywhere"] = (
        round(float(np.mean(located)), 4) if located else None
    )
    return SafeguardingFigures(
        f"{path.name}: {len(rows)} comments (a concern counts as found only with the right "
        "evidence sentence)",
        figures,
    )


def format_figures(results: Sequence[SafeguardingFigures]) -> str:
    lines: list[str] = []
    for result in results:
        figures = result.figures
        lines += ["", result.title]
        lines += [f"  ({note})" for note in result.notes]
        counts = f"  concerns {figures['concerns']}, near-misses {figures['near_misses']}"
        if "threshold" in figures:
            counts += f", threshold {figures['threshold']}"
        lines.append(counts)
        for key, title in HEADLINES.items():
            lines.append(f"  {title:36}{_fmt(figures.get(key))}")
        for key in ("false_alarms_comment_sentences", "buried_sentence_flagged_anywhere"):
            if key in figures:
                lines.append(f"  {key.replace('_', ' ').capitalize():36}{_fmt(figures[key])}")
        lines.append(
            f"  {'Kind right, of concerns found':36}{_fmt(figures.get('category_accuracy'))}"
        )
        lines.append(
            f"  {'kind':24}{'support':>8}{'recall':>8}{'severity':>10}{'kind recall':>12}"
            f"{'precision':>10}"
        )
        for kind, row in figures["per_kind"].items():
            lines.append(
                f"  {kind:24}{row['support']:>8}{_fmt(row['recall']):>8}"
                f"{_fmt(row['severity_right']):>10}{_fmt(row['category_recall']):>12}"
                f"{_fmt(row['precision']):>10}"
            )
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"
