import pytest

from patientvoice.insight.engine import LABELLING_NOT_POSSIBLE, TextModel, predict

STAFF_MANNER = "Staff manner & personal attributes"
TIMELINESS = "Timeliness of care"


def themes_of(model: TextModel, text: str, question: str = "FFT Why?") -> list[str]:
    return model.predict_batch([text], [question], [None]).theme_names(0)


def test_kind_nurses_are_about_staff_manner_and_positive(model: TextModel) -> None:
    [reading] = predict(model, ["The nurses were so kind and caring"], ["What was good?"], [1])
    assert STAFF_MANNER in [label for label, _ in reading.themes]
    assert reading.sentiment in (1, 2)


def test_a_long_wait_for_the_ambulance_is_about_timeliness(model: TextModel) -> None:
    assert TIMELINESS in themes_of(model, "waited 3 hours for the ambulance")


def test_a_rude_receptionist_is_negative(model: TextModel) -> None:
    [reading] = predict(
        model, ["The receptionist was rude and unhelpful"], ["How could we improve?"], [5]
    )
    assert STAFF_MANNER in [label for label, _ in reading.themes]
    assert reading.sentiment in (4, 5)


@pytest.mark.parametrize("text", ["", "   ", "Did not answer", "did not answer.", "-"])
def test_non_answers_get_labelling_not_possible_and_no_sentiment(
    model: TextModel, text: str
) -> None:
    [reading] = predict(model, [text], ["FFT Why?"], [None])
    assert [label for label, _ in reading.themes] == [LABELLING_NOT_POSSIBLE]
    assert reading.sentiment is None


def test_every_comment_with_text_gets_at_least_one_theme(model: TextModel) -> None:
    texts = ["ok", "Parking", "zzzz qqqq", "Très bien, merci beaucoup", "非常好的服务", "👍"]
    batch = model.predict_batch(texts)
    assert batch.chosen.any(axis=1).all()
    assert all(1 <= s <= 5 for s in batch.sentiment)


def test_a_very_long_comment_is_read_without_trouble(model: TextModel) -> None:
    text = "The staff were kind but I waited hours for a bed. " * 2000  # 100,000 characters
    assert len(text) == 100_000
    [reading] = predict(model, [text])
    assert reading.themes
    assert reading.sentiment is not None


def test_a_phone_typed_apostrophe_reads_the_same_as_a_plain_one(model: TextModel) -> None:
    typed = ["I didn’t get my medication and the staff weren’t listening"]
    plain = ["I didn't get my medication and the staff weren't listening"]
    assert (
        model.features.transform(typed, [""], [None])
        != model.features.transform(plain, [""], [None])
    ).nnz == 0
    assert predict(model, typed)[0].themes == predict(model, plain)[0].themes


def test_each_theme_carries_a_confidence_and_the_model_version(model: TextModel) -> None:
    [reading] = predict(model, ["Lovely staff, food was cold"])
    assert reading.model_version == model.version
    assert all(0.0 <= confidence <= 1.0 for _, confidence in reading.themes)
    assert reading.sentiment_confidence is not None


def test_the_question_changes_what_nothing_means(model: TextModel) -> None:
    improve = predict(model, ["Nothing"], ["How could we improve?"], [1])[0]
    assert improve.sentiment in (1, 2, 3)


def test_predictions_bring_signals_and_a_redaction(model: TextModel) -> None:
    [reading] = predict(model, ["Dr Smith hit me and I want to die"])
    assert {s.kind for s in reading.signals} >= {"safeguarding"}
    assert reading.redacted == "Dr [NAME] hit me and I want to die"


def test_the_model_records_its_provenance(model: TextModel) -> None:
    metadata = model.metadata
    assert metadata["version"].startswith("px-")
    assert len(metadata["training_data_sha256"]) == 64
    assert LABELLING_NOT_POSSIBLE in metadata["labels"]
    assert "Safeguarding concerns?" not in metadata["labels"]
    assert "pxtextmining" in metadata["attribution"]
