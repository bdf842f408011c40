from patientvoice.insight.engine import (
    LABELLING_NOT_POSSIBLE,
    evaluate,
    format_report,
    load_training_set,
    theme_categories,
)
from patientvoice.insight.engine.evaluate import BASELINE, OURS
from patientvoice.insight.engine.text import is_non_answer, question_kind


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
    assert "themes micro-F1" in text
    assert "Timeliness of care" in text
