import numpy as np

from patientvoice.insight.engine import (
    LABELLING_NOT_POSSIBLE,
    evaluate,
    format_report,
    load_training_set,
    theme_categories,
)
from patientvoice.insight.engine.data import Example
from patientvoice.insight.engine.evaluate import (
    BASELINE,
    OURS,
    _macro_f1,
    _sampled_macro_f1,
    _score,
    _truth,
    grouped_folds,
)
from patientvoice.insight.engine.text import is_non_answer, normalise, question_kind


def test_the_training_file_has_the_v6_themes_without_the_safeguarding_flag() -> None:
    training = load_training_set()
    assert len(training.examples) == 6437
    assert len(training.label_columns) == 49
    assert "Safeguarding concerns?" not in training.label_columns
    assert training.label_columns[0] == "Not assigned"
    assert len(training.sha256) == 64


def test_every_theme_has_a_v7_category() -> None:
    categories = theme_categories(load_training_set().label_columns)
    assert categories["Timeliness of care"] == "Access to medical care & support"
    assert categories["Staff manner & personal attributes"] == "Staff"
    assert categories[LABELLING_NOT_POSSIBLE] == "General"
    assert categories["Admission"].startswith("Other")


def test_nothing_is_an_answer_but_did_not_answer_is_not() -> None:
    assert is_non_answer("Did not answer")
    assert is_non_answer("  ")
    assert not is_non_answer("Nothing")
    assert not is_non_answer("非常好")


def test_questions_are_standardised() -> None:
    assert question_kind("How could we improve?") == "improve"
    assert question_kind("What was good?") == "good"
    assert question_kind("FFT Why?") == "why"


def test_a_quick_evaluation_reports_both_models_side_by_side() -> None:
    report = evaluate(2, subset=300)
    assert set(report.models) == {OURS, BASELINE}
    for scores in report.models.values():
        assert 0.0 < scores.micro_f1 <= 1.0
        assert 0.0 <= scores.sentiment_accuracy_3 <= 1.0
    text = format_report(report)
    assert "Themes micro-F1" in text
    assert "Themes macro-F1, 25% samples" in text
    assert "Timeliness of care" in text


def test_a_held_out_quarter_leaves_out_themes_too_rare_to_count_in_it() -> None:
    # Theme 0 is always right; theme 1 (8 positives in 400) is always missed.
    truth = np.zeros((400, 2), dtype=bool)
    truth[:200, 0] = True
    truth[200:208, 1] = True
    chosen = truth.copy()
    chosen[:, 1] = False
    assert _macro_f1(truth, chosen) == 0.5
    # A quarter rarely holds 5 of the 8, so most draws score theme 0 alone.
    assert 0.9 < _sampled_macro_f1(truth, chosen) < 1.0


def test_answered_only_figures_leave_out_comments_labelled_by_rule() -> None:
    labels = [LABELLING_NOT_POSSIBLE, "Timeliness of care"]
    blank = Example("", "What was good?", None, (LABELLING_NOT_POSSIBLE,))
    late = Example("They came late", "What was good?", 4, ("Timeliness of care",), 4)
    examples = [blank] * 6 + [late] * 6
    truth = _truth(examples, labels)
    chosen = truth.copy()
    chosen[6:, 1] = False  # every answered comment missed
    chosen[6:, 0] = True
    scores = _score(truth, chosen, examples, np.full(12, 4), labels)
    assert scores.answered_micro_f1 == 0.0
    assert scores.micro_f1 == 0.5  # 6 right on the blanks, 6 missed, 6 wrong
    assert scores.sentiment_accuracy_5 == 1.0


def test_folds_keep_identical_texts_together_and_split_the_answered_comments_evenly() -> None:
    examples = load_training_set().examples
    splits = grouped_folds(examples, 5)
    tested = np.concatenate([test for _, test in splits])
    assert sorted(tested) == list(range(len(examples)))  # every comment tested once
    fold_of = {int(i): k for k, (_, test) in enumerate(splits) for i in test}
    folds_of_text: dict[tuple[bool, str], set[int]] = {}
    for i, example in enumerate(examples):
        # An emoji on its own normalises to "" like a blank, but is an answer.
        key = (is_non_answer(example.text), normalise(example.text))
        folds_of_text.setdefault(key, set()).add(fold_of[i])
    assert all(len(folds) == 1 for folds in folds_of_text.values())
    answered = [not is_non_answer(e.text) for e in examples]
    per_fold = [sum(answered[i] for i in test) for _, test in splits]
    assert max(per_fold) - min(per_fold) <= 0.02 * sum(answered)
    assert {i for i, a in enumerate(answered) if not a} <= set(splits[0][1].tolist())
