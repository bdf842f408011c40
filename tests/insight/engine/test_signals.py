import pytest

from patientvoice.insight.engine import COMPLAINT, SAFEGUARDING, detect_signals

CONCERNING = [
    "I have been feeling suicidal since I was discharged",
    "The carer hit me when I asked for help",
    "My mum was left lying in her own urine for hours",
    "I want to kill myself and nobody is listening",
    "A member of staff touched me inappropriately",
    "He was restrained by four staff and has bruises on his arms",
    "They discharged him at 2am with nowhere to go",
    "My dad has pressure sores because nobody turned him",
    "I self harm and the crisis team never called back",
    "The nurse shouted and slapped my mother",
    "I don't feel safe on this ward",
    "Staff were abusive towards the patients",
    "She was sent home too early and fell the same night",
    "He was not given any food or water all day",
    "I was threatened by another patient and staff did nothing",
    "The crew were rough handling my dad and he was in agony",
]
BENIGN = [
    "The nurses were so kind and caring",
    "I felt safe and well looked after",
    "Nothing, everything was perfect",
    "Parking was difficult but staff were lovely",
]


@pytest.mark.parametrize("text", CONCERNING)
def test_concerning_comments_raise_a_safeguarding_signal(text: str) -> None:
    signals = detect_signals(text)
    assert any(s.kind == SAFEGUARDING for s in signals), text


def test_recall_on_the_concerning_set_is_complete() -> None:
    caught = sum(any(s.kind == SAFEGUARDING for s in detect_signals(t)) for t in CONCERNING)
    assert caught == len(CONCERNING)


@pytest.mark.parametrize("text", BENIGN)
def test_ordinary_comments_raise_no_signal(text: str) -> None:
    assert detect_signals(text) == []


def test_suicide_is_the_most_severe_and_the_evidence_is_the_sentence() -> None:
    signals = detect_signals("Parking was awful. I have had suicidal thoughts all week. Bye")
    assert signals[0].kind == SAFEGUARDING
    assert signals[0].severity == 1
    assert signals[0].evidence == "I have had suicidal thoughts all week."


def test_a_formal_complaint_is_a_complaint_signal() -> None:
    signals = detect_signals("I will be making a formal complaint to PALS and the ombudsman")
    assert [s.kind for s in signals] == [COMPLAINT, COMPLAINT]
    assert signals[0].severity == 2


@pytest.mark.parametrize(
    "text",
    [
        "No complaints at all, could not complain",
        "I don’t have any complaints at all.",  # a typographic apostrophe, as phones type it
        "If waiting had been shorter I'd be happier, but this is not a complaint",
        "Was a bit confusing but not complaining",
        "We didn't need to make a complaint this time",
    ],
)
def test_saying_there_is_no_complaint_is_not_a_complaint(text: str) -> None:
    assert detect_signals(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "I don’t want to live any more",
        "I don‘t feel safe at home",
        "I didn’t feel safe on the ward",
    ],
)
def test_typographic_apostrophes_do_not_hide_a_safeguarding_concern(text: str) -> None:
    assert any(s.kind == SAFEGUARDING for s in detect_signals(text)), text


def test_a_complaint_after_a_reassurance_is_still_a_complaint() -> None:
    signals = detect_signals("Not complaining about the nurses. I am making a formal complaint.")
    assert [s.reason for s in signals] == ["formal complaint or legal action", "complaint"]
    assert {s.evidence for s in signals} == {"I am making a formal complaint."}


def test_a_reassurance_does_not_hide_a_concern_elsewhere() -> None:
    signals = detect_signals("I never felt unsafe. But the night nurse hit him.")
    assert [s.reason for s in signals] == ["abuse or assault"]
