from patientvoice.insight.engine import find_personal_data, nhs_number_is_valid, redact


def kinds(text: str) -> list[str]:
    return [finding.kind for finding in find_personal_data(text)]


def test_a_valid_nhs_number_passes_the_checksum() -> None:
    assert nhs_number_is_valid("943 476 5919")
    assert nhs_number_is_valid("9434765919")
    assert nhs_number_is_valid("401-023-2137")


def test_a_mistyped_nhs_number_fails_the_checksum() -> None:
    assert not nhs_number_is_valid("943 476 5918")
    assert not nhs_number_is_valid("1234567890")  # check digit would be 10: never issued
    assert not nhs_number_is_valid("0000000000")
    assert not nhs_number_is_valid("94347659")


def test_it_finds_an_nhs_number_only_when_the_checksum_holds() -> None:
    assert kinds("My NHS number is 943 476 5919.") == ["nhs_number"]
    assert "nhs_number" not in kinds("Reference 943 476 5918 was lost")


def test_it_finds_uk_phone_numbers() -> None:
    assert kinds("Ring me on 07700 900123 please") == ["phone"]
    assert kinds("Call +44 7700 900 123 any time") == ["phone"]
    assert kinds("The ward is on (0191) 496 0000") == ["phone"]
    assert kinds("I waited 3 hours and 20 minutes") == []


def test_it_finds_emails_postcodes_and_addresses() -> None:
    assert kinds("write to alice.smith@example.org") == ["email"]
    assert kinds("I live in NE1 4LP near the station") == ["postcode"]
    assert kinds("Send it to 12 Acacia Avenue") == ["address"]


def test_it_finds_a_date_of_birth_but_not_an_appointment_date() -> None:
    assert kinds("DOB 01/02/1950") == ["date_of_birth"]
    assert kinds("my date of birth is 3rd March 1961") == ["date_of_birth"]
    assert kinds("my appointment is on 01/02/2024") == []


def test_it_finds_names_after_titles_roles_and_introductions() -> None:
    assert [f.text for f in find_personal_data("Dr Patel was lovely")] == ["Patel"]
    assert [f.text for f in find_personal_data("My name is Charlie Brown and")] == ["Charlie Brown"]
    assert [f.text for f in find_personal_data("the nurse Sarah was kind")] == ["Sarah"]
    assert kinds("The nurse was kind. Thank you") == []


def test_redaction_replaces_each_finding_and_keeps_the_rest() -> None:
    text = "Mrs Jones (NHS 943 476 5919, 07700 900123) lives at NE1 4LP."
    assert redact(text) == "Mrs [NAME] (NHS [NHS NUMBER], [PHONE]) lives at [POSTCODE]."


def test_text_without_personal_data_is_left_as_it_is() -> None:
    text = "Waited 3 hours for the ambulance but the crew were great."
    assert find_personal_data(text) == []
    assert redact(text) == text


def test_a_typographic_apostrophe_does_not_hide_a_name_and_is_kept_in_the_finding() -> None:
    assert [f.text for f in find_personal_data("My name’s Aoife O’Brien, thanks")] == [
        "Aoife O’Brien"
    ]
    assert redact("I’m called Sam and Dr O’Neill was great") == (
        "I’m called [NAME] and Dr [NAME] was great"
    )
