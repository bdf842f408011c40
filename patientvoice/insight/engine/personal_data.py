"""Finding personal data in a comment and proposing a redaction.

Patterns, not a model: each finding says what it is and where, so a person can accept or undo
the proposal. Tuned to over-flag a little (a capitalised word after "Dr" is taken as a name).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from typing import Any

from patientvoice.insight.engine.text import straight_apostrophes

NHS_NUMBER = "nhs_number"
PHONE = "phone"
EMAIL = "email"
POSTCODE = "postcode"
ADDRESS = "address"
DATE_OF_BIRTH = "date_of_birth"
NAME = "name"

PLACEHOLDERS = {
    NHS_NUMBER: "[NHS NUMBER]",
    PHONE: "[PHONE]",
    EMAIL: "[EMAIL]",
    POSTCODE: "[POSTCODE]",
    ADDRESS: "[ADDRESS]",
    DATE_OF_BIRTH: "[DATE OF BIRTH]",
    NAME: "[NAME]",
}


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def nhs_number_is_valid(candidate: str) -> bool:
    """The NHS number check digit (modulus 11): weights 10 … 2 on the first nine digits; the
    check digit is 11 minus the remainder, 11 becomes 0 and 10 means the number is invalid."""
    digits = [int(c) for c in candidate if c.isdigit()]
    if len(digits) != 10 or len(set(digits)) == 1:
        return False
    total = sum(d * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == digits[9]


_TEN_DIGITS = re.compile(r"(?<![\d+])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?!\d)")
_NHS_CONTEXT = re.compile(r"\bnhs\b|\bnhs no|\bnhs number", re.IGNORECASE)
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)44[\s-]?(?:\(0\)[\s-]?)?|\(?0)"
    r"\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}(?!\d)"
)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|[A-PR-UWYZ](?:\d{1,2}|[A-HK-Y]\d{1,2}|\d[A-HJKPS-UW]|[A-HK-Y]\d[ABEHMNPRV-Y])"
    r" ?\d[ABD-HJLNP-UW-Z]{2})\b",
    re.IGNORECASE,
)
_STREET = (
    r"(?:Road|Rd|Street|St|Lane|Ln|Avenue|Ave|Close|Drive|Dr|Way|Crescent|Terrace|Place|Court|"
    r"Gardens|Grove|Square|Walk|Mews|Row|Hill|View|Park|Green|Rise|Vale)"
)
_ADDRESS = re.compile(
    rf"\b\d{{1,4}}[A-Za-z]?,? (?:[A-Z][a-z]+ ){{1,3}}{_STREET}\b|"
    rf"\b(?:Flat|Apartment) \d+[A-Za-z]?,? (?:[A-Z][a-z]+ )*{_STREET}?\b"
)
_DATE = (
    r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}"
    r"|\d{1,2}(?:st|nd|rd|th)? (?:of )?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)"
    r"[a-z]* \d{4}"
)
_DATE_OF_BIRTH = re.compile(
    rf"\b(?:d\.?o\.?b\.?|date of birth|born(?: on)?|birthday)\s*(?:is|was|:)?\s*({_DATE})",
    re.IGNORECASE,
)
# One or two capitalised words; "O'Brien" and "D’Arcy" are one word.
_NAME_WORD = r"[A-Z](?:['’][A-Z])?[a-z'’-]+"
_CAPITALISED = rf"{_NAME_WORD}(?: {_NAME_WORD})?"
_TITLE_NAME = re.compile(
    rf"\b(?:Mr|Mrs|Miss|Ms|Mx|Dr|Doctor|Prof|Professor|Nurse|Sister|Matron|Midwife|Paramedic|"
    rf"Physio|Sr|Dame|Sir|Lady|Lord)\.? ({_CAPITALISED})"
)
_SELF_NAME = re.compile(
    rf"\b(?:[Mm]y name is|[Mm]y name's|I'm called|I am called|[Cc]alled|[Nn]amed) ({_CAPITALISED})"
)
# Staff named after their role, lower case: "the nurse Sarah was lovely".
_ROLE_NAME = re.compile(
    rf"\b(?:nurse|doctor|paramedic|carer|midwife|physio|physiotherapist|receptionist|"
    rf"driver|consultant|therapist|worker|keyworker|manager|staff member|HCA|crew member)"
    rf",? ({_CAPITALISED})"
)
# Words that follow a title or role but are not names.
_NOT_NAMES = frozenset(
    {
        "The",
        "And",
        "But",
        "Was",
        "Were",
        "Is",
        "Are",
        "Who",
        "She",
        "He",
        "They",
        "It",
        "I",
        "We",
        "You",
        "Thank",
        "Thanks",
        "Very",
        "So",
        "Really",
        "Always",
        "Also",
        "Nurse",
        "Doctor",
        "Staff",
        "Team",
        "Ward",
        "Unit",
        "Service",
        "Practice",
        "Surgery",
        "On",
        "In",
        "At",
        "For",
        "To",
        "Of",
        "With",
        "From",
        "Who's",
        "When",
        "Then",
        "This",
        "That",
        "All",
        "Everyone",
        "Nhs",
        "NHS",
        "A",
        "An",
        "Please",
    }
)


def find_personal_data(text: str) -> list[Finding]:
    """Every piece of personal data found, in text order, without overlaps (the earlier and
    longer finding wins)."""
    if not text:
        return []
    # Matched on plain apostrophes ("my name’s" as "my name's"); offsets are the same, and each
    # finding keeps the original's characters.
    straight = straight_apostrophes(text)
    found = (
        _nhs_numbers(straight)
        + _matches(_EMAIL, straight, EMAIL)
        + [f for f in _matches(_PHONE, straight, PHONE) if 10 <= _digits(f.text) <= 12]
        + _matches(_POSTCODE, straight, POSTCODE)
        + _matches(_ADDRESS, straight, ADDRESS)
        + _matches(_DATE_OF_BIRTH, straight, DATE_OF_BIRTH, group=1)
        + _names(straight)
    )
    return [replace(f, text=text[f.start : f.end]) for f in _without_overlaps(found)]


def redact(text: str, findings: list[Finding] | None = None) -> str:
    """The text with each finding replaced by a placeholder such as [NAME]."""
    findings = find_personal_data(text) if findings is None else findings
    parts: list[str] = []
    position = 0
    for finding in sorted(findings, key=lambda f: f.start):
        parts += [text[position : finding.start], PLACEHOLDERS[finding.kind]]
        position = finding.end
    parts.append(text[position:])
    return "".join(parts)


def _nhs_numbers(text: str) -> list[Finding]:
    """Ten digits with a valid check digit. A valid number starting 0 reads as a phone number
    unless "NHS" is written just before it."""
    found = []
    for match in _TEN_DIGITS.finditer(text):
        if not nhs_number_is_valid(match.group()):
            continue
        before = text[max(0, match.start() - 25) : match.start()]
        if match.group().startswith("0") and not _NHS_CONTEXT.search(before):
            continue
        found.append(Finding(NHS_NUMBER, match.start(), match.end(), match.group()))
    return found


def _matches(pattern: re.Pattern[str], text: str, kind: str, group: int = 0) -> list[Finding]:
    return [
        Finding(kind, m.start(group), m.end(group), m.group(group)) for m in pattern.finditer(text)
    ]


def _digits(text: str) -> int:
    return sum(c.isdigit() for c in text)


def _names(text: str) -> list[Finding]:
    found = []
    for pattern in (_TITLE_NAME, _SELF_NAME, _ROLE_NAME):
        for match in pattern.finditer(text):
            name = match.group(1)
            words = name.split(" ")
            # "Dr Smith The" -> "Smith": a second capitalised word may start the next sentence.
            while words and words[-1] in _NOT_NAMES:
                words.pop()
            if not words or words[0] in _NOT_NAMES:
                continue
            kept = " ".join(words)
            found.append(Finding(NAME, match.start(1), match.start(1) + len(kept), kept))
    return found


def _without_overlaps(findings: list[Finding]) -> list[Finding]:
    kept: list[Finding] = []
    for finding in sorted(findings, key=lambda f: (f.start, -(f.end - f.start))):
        if kept and finding.start < kept[-1].end:
            continue
        kept.append(finding)
    return kept
