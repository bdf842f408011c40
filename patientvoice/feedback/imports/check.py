"""Checking each row of an import: a ParsedRow ready to write, or a message naming its line.

Nothing a cell holds may stop the check: every value that cannot be used becomes a
line-numbered problem, so staff can fix the file. Checking reads no database once the
RowChecker is built, so it can run in a thread beside the writer.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from patientvoice.csvfiles import whole_number
from patientvoice.directory.models import Service, postcode_district
from patientvoice.feedback.forms import MAX_COMMENT
from patientvoice.feedback.imports.read import read_rows
from patientvoice.feedback.models import Comment, ImportBatch, Rating
from patientvoice.people.models import EqualityMonitoring

# Rows handed on, written and reported as progress at a time.
CHUNK = 2000
MAX_LISTED_ERRORS = 200
MAX_KEY = 100
COMMENT_FIELDS = {
    "what_was_good": Comment.Question.WHAT_WAS_GOOD,
    "could_be_better": Comment.Question.COULD_BE_BETTER,
    "fft_why": Comment.Question.FFT_WHY,
}
# What the person maps: our field -> the label shown on the mapping page.
MAPPABLE = {
    "rating": "FFT rating",
    "fft_why": "Comment: why did you give that answer?",
    "what_was_good": "Comment: what was good?",
    "could_be_better": "Comment: what could be better?",
    "date": "Date of response",
    "service": "Service or site",
    "respondent_id": "Respondent or comment id",
    "age_band": "Age band",
    "sex": "Sex",
    "ethnicity": "Ethnic category code",
    "postcode": "Postcode or postcode district",
    "imd_quintile": "Deprivation (IMD) quintile, 1 most deprived",
    "imd_decile": "Deprivation (IMD) decile, 1 most deprived",
}
RATING_WORDS = {label.lower(): value for value, label in Rating.choices} | {
    # The FFT wording used until April 2020; exports from older systems still carry it.
    "extremely likely": 1,
    "likely": 2,
    "neither likely nor unlikely": 3,
    "unlikely": 4,
    "extremely unlikely": 5,
    "dont know": 6,
    "don't know": 6,
    "don’t know": 6,
}
DATE_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d-%m-%Y",
    "%Y-%m-%d %H:%M:%S",
    "%d/%m/%Y %H:%M",
)
EQUALITY_FIELDS = {"age_band", "sex", "ethnicity", "postcode", "imd_quintile", "imd_decile"}


@dataclass
class ParsedRow:
    line: int
    key: str
    service_id: int
    rating: int | None
    happened_on: datetime.date | None
    comments: dict[str, str]
    equality: dict[str, str] = field(default_factory=dict)


@functools.lru_cache(maxsize=4096)
def _parse_date(text: str) -> datetime.date | None:
    # Cached: a file of a million rows holds a few hundred distinct dates, and strptime is slow.
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007
        except ValueError:
            continue
    return None


class RowChecker:
    """Turns one row into a ParsedRow, or a message saying what is wrong with it."""

    def __init__(self, batch: ImportBatch, mapping: dict[str, str]) -> None:
        self.index = {name: i for i, name in enumerate(batch.columns)}
        self.mapping = {k: v for k, v in mapping.items() if v in self.index}
        services = Service.objects.filter(organisation_id=batch.source.organisation_id)
        self.services: dict[str, int] = {}
        for service in services.select_related("site"):
            for name in (service.slug, service.name, getattr(service.site, "name", "")):
                if name:
                    self.services.setdefault(name.strip().lower(), service.pk)
        self.default_service = mapping.get("default_service")

        # Our field -> its position in a row, looked up once rather than for every cell.
        self.positions = {name: self.index[column] for name, column in self.mapping.items()}

    def value(self, row: list[Any], name: str) -> Any:
        position = self.positions.get(name)
        if position is None:
            return None
        return row[position] if position < len(row) else None

    def text(self, row: list[Any], name: str) -> str:
        position = self.positions.get(name)
        if position is None or position >= len(row):
            return ""
        raw = row[position]
        return "" if raw is None else str(raw).strip()

    def check(self, line: int, row: list[Any]) -> ParsedRow | str:
        if self._holds_nul(row):
            # PostgreSQL cannot store the character, and no real answer contains it.
            return f"line {line}: a cell holds a NUL character (is the file damaged?)"
        problems: list[str] = []
        rating = self._rating(row, problems)
        happened_on = self._date(row, problems)
        service_id = self._service(row, problems)
        equality = self._equality(row, problems)
        comments = self._comments(row, problems)
        if not self.text(row, "rating") and not comments:
            problems.append("has neither a rating nor a comment")
        key = self.text(row, "respondent_id")
        if len(key) > MAX_KEY:
            problems.append(f"the respondent id is longer than {MAX_KEY} characters")
        if problems:
            return f"line {line}: " + "; ".join(problems)
        assert service_id is not None
        key = key or self._fingerprint(row)
        return ParsedRow(line, key, service_id, rating, happened_on, comments, equality)

    @staticmethod
    def _holds_nul(row: list[Any]) -> bool:
        try:
            return "\x00" in "".join(row)  # a CSV row: all text, one scan in C
        except TypeError:  # an XLSX row also holds numbers and dates
            return any(isinstance(cell, str) and "\x00" in cell for cell in row)

    def _comments(self, row: list[Any], problems: list[str]) -> dict[str, str]:
        comments = {}
        for name in COMMENT_FIELDS:
            text = self.text(row, name)
            if len(text) > MAX_COMMENT:
                problems.append(
                    f"the comment in {self.mapping[name]!r} is {len(text):,} characters long; "
                    f"the most a comment may have is {MAX_COMMENT:,}"
                )
            elif text:
                comments[name] = text
        return comments

    def _rating(self, row: list[Any], problems: list[str]) -> int | None:
        raw = self.text(row, "rating")
        if not raw:
            return None
        number = whole_number(raw)
        value = number if number is not None else RATING_WORDS.get(raw.lower())
        if value is None or not 1 <= value <= 6:
            problems.append(f"rating {raw!r} is not 1 to 6 or an FFT answer")
            return None
        return value

    def _date(self, row: list[Any], problems: list[str]) -> datetime.date | None:
        raw = self.value(row, "date")
        if raw in (None, ""):
            return None
        if isinstance(raw, datetime.datetime):
            return raw.date()
        if isinstance(raw, datetime.date):
            return raw
        day = _parse_date(str(raw).strip())
        if day is None:
            problems.append(f"date {raw!r} is not a date like 2026-03-27 or 27/03/2026")
        return day

    def _service(self, row: list[Any], problems: list[str]) -> int | None:
        raw = self.text(row, "service")
        if not raw:
            if self.default_service and self.default_service.lower() in self.services:
                return self.services[self.default_service.lower()]
            problems.append("has no service")
            return None
        service_id = self.services.get(raw.lower())
        if service_id is None:
            problems.append(f"service {raw!r} is not one of this organisation's services")
        return service_id

    def _equality(self, row: list[Any], problems: list[str]) -> dict[str, str]:
        answers: dict[str, str] = {}
        if not self.positions.keys() & EQUALITY_FIELDS:
            return answers
        age = self.text(row, "age_band")
        if age:
            if age not in EqualityMonitoring.AgeBand.values:
                problems.append(
                    f"age band {age!r} is not one of {', '.join(EqualityMonitoring.AgeBand.values)}"
                )
            answers["age_band"] = age
        sex = self.text(row, "sex").lower()
        if sex:
            if sex not in EqualityMonitoring.Sex.values:
                problems.append(f"sex {sex!r} is not female, male or not_said")
            answers["sex"] = sex
        ethnicity = self.text(row, "ethnicity").upper()
        if ethnicity:
            if ethnicity not in EqualityMonitoring.Ethnicity.values:
                problems.append(
                    f"ethnic category {ethnicity!r} is not an NHS Data Dictionary "
                    "code (A to S, or Z)"
                )
            answers["ethnicity"] = ethnicity
        postcode = self.text(row, "postcode")
        if postcode:
            district = postcode_district(postcode)
            if district is None:
                problems.append(f"postcode {postcode!r} is not a UK postcode")
            answers["postcode_district"] = district or ""
        quintile = self._deprivation(row, problems)
        if quintile:
            answers["deprivation_quintile"] = quintile
        return answers

    def _deprivation(self, row: list[Any], problems: list[str]) -> str:
        """The IMD quintile as text, from a quintile (1–5) or a decile (1–10) column."""
        for name, top in (("imd_quintile", 5), ("imd_decile", 10)):
            raw = self.text(row, name)
            if not raw:
                continue
            value = whole_number(raw)
            if value is None or not 1 <= value <= top:
                kind = name.removeprefix("imd_")
                problems.append(f"IMD {kind} {raw!r} is not a whole number from 1 to {top}")
                return ""
            return str(value if top == 5 else (value + 1) // 2)
        return ""

    def _fingerprint(self, row: list[Any]) -> str:
        cells = "\x1f".join("" if cell is None else str(cell) for cell in row)
        return "row-" + hashlib.sha256(cells.encode()).hexdigest()[:40]


def parsed_rows(batch: ImportBatch, checker: RowChecker) -> Iterator[ParsedRow | str]:
    """Each non-empty row of the file, checked: a ParsedRow, or a message for a bad row.

    Rows without an id are told apart by content and by which repeat they are, so identical
    rows (two "Very good" with no comment) are both kept, and importing the same file again
    still finds each one.
    """
    repeats: dict[str, int] = {}
    with batch.file.open("rb") as handle:
        rows = read_rows(handle, batch.original_name)
        next(rows, None)  # the header
        for line, row in enumerate(rows, start=2):
            if not any(cell not in (None, "") for cell in row):
                continue
            result = checker.check(line, row)
            if isinstance(result, ParsedRow) and result.key.startswith("row-"):
                repeat = repeats.get(result.key, 0) + 1
                repeats[result.key] = repeat
                result.key = f"{result.key}-{repeat}"
            yield result


@dataclass
class Checked:
    """What checking a file found."""

    good: int = 0
    error_count: int = 0
    errors: list[str] = field(default_factory=list)


def check_rows(
    batch: ImportBatch,
    checker: RowChecker,
    keep: Callable[[ParsedRow], None],
    progress: Callable[[int], None],
) -> Checked:
    """Check every row, reporting progress, and hand each good one to `keep` until a bad one is
    found; the only thing kept in memory is each respondent id's line, to find ids used twice.
    Reads and writes no database itself, so it can run in a thread."""
    checked = Checked()
    seen: dict[str, int] = {}
    for result in parsed_rows(batch, checker):
        if isinstance(result, str):
            error = result
        elif not result.key.startswith("row-") and result.key in seen:
            error = (
                f"line {result.line}: respondent id {result.key!r} already appears on "
                f"line {seen[result.key]}"
            )
        else:
            if not result.key.startswith("row-"):
                seen[result.key] = result.line
            checked.good += 1
            error = ""
            if not checked.error_count:
                keep(result)  # once a row is bad nothing will be written
        if error:
            checked.error_count += 1
            if len(checked.errors) < MAX_LISTED_ERRORS:
                checked.errors.append(error)
        if (checked.good + checked.error_count) % CHUNK == 0:
            progress(checked.good + checked.error_count)
    return checked
