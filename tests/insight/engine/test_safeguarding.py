"""The learnt safeguarding detector: sentences, flags with evidence, severity by harm, the
concern columns of `classify`, and its figures. Trained here on a small fixture of sentences
(tests/fixtures/safeguarding_sentences.csv) so the tests stay fast."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from patientvoice.insight.engine import classify_csv
from patientvoice.insight.engine import safeguarding as sg
from patientvoice.insight.engine import safeguarding_evaluate as sge
from patientvoice.insight.engine.classify_csv import CONCERN_COLUMNS
from patientvoice.insight.engine.model import TextModel, load_model, save_model
from patientvoice.insight.engine.predict import predict, screen
from patientvoice.insight.engine.signals import SAFEGUARDING

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "safeguarding_sentences.csv"
POSITIVE_STORY = (
    "We came in on a Tuesday for mum's hip and the whole team were wonderful. The nurses "
    "explained everything and the food was better than I expected. My son takes my bank card "
    "and I never see my pension. The physio got her walking again within two days and the "
    "discharge letter was clear. Thank you all so much."
)

# As `patientvoice export_concern_decisions` writes them.
DECISIONS_CSV = (
    "text,category,group,source\n"
    "Her carer keeps her cash card and buys his shopping with it,financial_abuse,d1,triage\n"
    "I never felt unsafe in the unit,none,d2,triage\n"
)


@pytest.fixture(scope="module")
def detector() -> sg.Detector:
    return sg.train([FIXTURE], comment_negative_count=200, folds=3)


def test_sentences_are_split_at_stops_line_breaks_and_bullets() -> None:
    text = "Lovely staff. Quick too!\n- he takes my money\n2) food cold; bed hard"
    assert sg.sentences_of(text) == [
        "Lovely staff.",
        "Quick too!",
        "he takes my money",
        "food cold;",
        "bed hard",
    ]


def test_a_long_run_on_sentence_is_read_in_overlapping_windows() -> None:
    words = [f"w{i}" for i in range(100)]
    spans = sg.split_sentences(" ".join(words))
    windows = [" ".join(words)[s.start : s.end].split() for s in spans]
    assert all(len(w) <= sg.WINDOW_WORDS for w in windows)
    assert windows[0][0] == "w0" and windows[-1][-1] == "w99"
    # Every pair of neighbouring words is inside one window: nothing is cut apart.
    assert all(
        any(f"w{i}" in w and f"w{i + 1}" in w for w in windows) for i in range(len(words) - 1)
    )


def test_negated_words_are_marked() -> None:
    features = sg.word_features(sg.words_of("Nobody was rough with him, he was fine"))
    assert "not_rough" in features and "rough" not in features
    assert "fine" in features


def test_a_disclosure_in_everyday_words_is_flagged_with_its_sentence(
    detector: sg.Detector,
) -> None:
    text = "The ward was clean. My son takes my bank card and I never see my pension."
    [found] = detector.screen([text])
    assert found
    assert found[0].sentence == "My son takes my bank card and I never see my pension."
    assert text[found[0].start : found[0].end] == found[0].sentence


@pytest.mark.parametrize(
    "text",
    [
        "Nobody was rough with him at any point.",
        "Years ago I self harmed but the team helped me and I am well now.",
        "The leaflet about domestic abuse support was really helpful.",
    ],
)
def test_a_negated_or_resolved_mention_is_not_flagged(detector: sg.Detector, text: str) -> None:
    assert detector.screen([text]) == [[]]


def test_a_harm_disclosure_gets_the_most_severe_level(detector: sg.Detector) -> None:
    [found] = detector.screen(["The carer slapped my mum across the face."])
    assert found and sg.SEVERITY[found[0].category] == 1
    assert found[0].severity == 1


def test_severity_follows_harm_for_every_kind() -> None:
    harm = {
        "physical_abuse",
        "sexual_abuse",
        "psychological_abuse",
        "financial_abuse",
        "domestic_abuse",
        "exploitation",
        "discriminatory_abuse",
        "self_harm",
        "restraint",
    }
    assert {k for k, v in sg.SEVERITY.items() if v == 1} == harm
    assert all(v == 2 for k, v in sg.SEVERITY.items() if k not in harm)


def test_a_concern_in_a_long_positive_story_is_found_with_its_sentence(
    detector: sg.Detector,
) -> None:
    [found] = detector.screen([POSITIVE_STORY])
    assert found
    assert found[0].sentence == "My son takes my bank card and I never see my pension."


def test_the_detector_is_saved_beside_the_model_and_loaded_with_it(
    detector: sg.Detector, model: TextModel, tmp_path: Path
) -> None:
    before = (getattr(model, "safeguarding", None), dict(model.metadata))
    sg.attach(model, detector)
    try:
        save_model(model, tmp_path)
    finally:
        model.safeguarding, model.metadata = before  # type: ignore[attr-defined]
    assert (tmp_path / sg.DETECTOR_FILE).is_file()
    loaded = load_model(tmp_path)
    assert loaded.safeguarding is not None  # type: ignore[attr-defined]
    assert loaded.metadata["safeguarding"]["version"] == detector.metadata["version"]
    [signals] = screen(loaded, [POSITIVE_STORY])
    findings = [s for s in signals if s.kind == SAFEGUARDING]
    assert findings[0].evidence.startswith("My son takes my bank card")
    assert findings[0].severity == sg.SEVERITY[findings[0].category]


def test_predict_gives_one_signal_per_flagged_sentence_with_its_words(
    detector: sg.Detector, model: TextModel
) -> None:
    before = getattr(model, "safeguarding", None)
    model.safeguarding = detector  # type: ignore[attr-defined]
    try:
        [prediction] = predict(
            model, ["The carer slapped my mum across the face. Parking was fine."]
        )
    finally:
        model.safeguarding = before  # type: ignore[attr-defined]
    [signal] = [s for s in prediction.signals if s.kind == SAFEGUARDING]
    assert signal.evidence == "The carer slapped my mum across the face."
    assert signal.category in sg.SEVERITY and signal.score is not None
    assert signal.words == ("slapped my mum",)  # the word list explains the finding
    assert prediction.themes  # themes are still read after screening


def test_classify_writes_the_concern_columns(
    detector: sg.Detector, model: TextModel, tmp_path: Path
) -> None:
    source = tmp_path / "in.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "comment"])
        writer.writerow(["1", "The staff were kind and the food was lovely"])
        writer.writerow(["2", POSITIVE_STORY])
    before = getattr(model, "safeguarding", None)
    model.safeguarding = detector  # type: ignore[attr-defined]
    try:
        classify_csv(model, source, tmp_path / "out.csv", text_column="comment")
    finally:
        model.safeguarding = before  # type: ignore[attr-defined]
    with (tmp_path / "out.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0])[-4:] == CONCERN_COLUMNS
    assert [rows[0][c] for c in CONCERN_COLUMNS] == ["", "", "", ""]
    assert rows[1]["concern"] == "safeguarding"
    assert rows[1]["concern_category"] in sg.SEVERITY
    assert rows[1]["concern_severity"] == str(sg.SEVERITY[rows[1]["concern_category"]])
    assert rows[1]["concern_evidence"] == "My son takes my bank card and I never see my pension."


def test_the_figures_are_computed_on_a_small_set(detector: sg.Detector, tmp_path: Path) -> None:
    cross = sge.cross_validate([FIXTURE], folds=2, comment_negative_count=50)
    comments = tmp_path / "comments.csv"
    with comments.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "category", "evidence", "group"])
        evidence = "My son takes my bank card and I never see my pension."
        writer.writerow([POSITIVE_STORY, "financial_abuse", evidence, "c1"])
        writer.writerow(["The staff were kind. Parking was hard.", "none", "", "c2"])
    decisions = tmp_path / "decisions.csv"
    decisions.write_text(DECISIONS_CSV, encoding="utf-8")
    results = [
        cross,
        sge.score_sentences(detector, decisions),
        sge.score_comments(detector, comments),
    ]
    for result in results:
        figures = result.figures
        for key in ("recall", "harm_severity_1", "false_alarms_near_misses"):
            assert figures[key] is None or 0.0 <= figures[key] <= 1.0, (result.title, key)
        assert figures["per_kind"]
    assert cross.figures["concerns"] == 43 and "threshold" in cross.figures
    text = sge.format_figures(results)
    assert "Recall of concerns" in text and "financial_abuse" in text


def test_a_sentence_the_detector_learnt_from_is_left_out_of_its_scores(
    detector: sg.Detector,
) -> None:
    result = sge.score_sentences(detector, FIXTURE)
    assert result.figures["concerns"] == 0
    assert result.notes and "learnt from" in result.notes[0]
