"""Importing Friends and Family Test and survey exports (CSV or XLSX) with a saved column mapping.

A file is never held in memory. Every row is checked, with progress saved as it goes; if any
row is bad the batch fails with every bad row listed by line, and nothing is kept. Good rows are
written a chunk at a time, all in one transaction, skipping rows whose natural key (source +
respondent id, or a fingerprint of the row when the file has no id column) was imported before,
so re-importing the same or an overlapping file creates no duplicates.

On SQLite the checked rows are spooled to a temporary file and written after the whole file has
passed. On PostgreSQL a thread checks while the rows already checked are written, and the
transaction is rolled back at the first bad row (`check_and_write_together`).
"""

from __future__ import annotations

import codecs
import csv
import datetime
import functools
import hashlib
import io
import pickle
import queue
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import IO, Any

from django.db import connection, models, transaction
from django.utils import timezone

from patientvoice.directory.models import Service, postcode_district
from patientvoice.feedback.models import (
    Comment,
    Experience,
    ImportBatch,
    ImportSource,
    Rating,
    new_references,
)
from patientvoice.feedback.services import enqueue_comment_tasks
from patientvoice.feedback.summary import add_responses, count_new_experiences, tally
from patientvoice.people.models import EqualityMonitoring

CHUNK = 2000
MAX_LISTED_ERRORS = 200
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


class ImportFileError(Exception):
    """The file as a whole cannot be read (not CSV/XLSX, not UTF-8, no header)."""


@dataclass
class ParsedRow:
    line: int
    key: str
    service_id: int
    rating: int | None
    happened_on: datetime.date | None
    comments: dict[str, str]
    equality: dict[str, str] = field(default_factory=dict)


def read_rows(handle: IO[bytes], name: str) -> Iterator[list[Any]]:
    """Rows of a CSV or XLSX file as lists of cell values, header first."""
    if name.lower().endswith(".xlsx"):
        yield from _xlsx_rows(handle)
        return
    try:
        text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
        yield from csv.reader(text)
    except UnicodeDecodeError as error:
        raise ImportFileError(
            f"The file is not UTF-8 text ({error.reason}): save it as "
            "'CSV UTF-8' and upload it again"
        ) from None
    except csv.Error as error:
        raise ImportFileError(f"The file is not valid CSV: {error}") from None


def _xlsx_rows(handle: IO[bytes]) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(f"The file is not a readable XLSX workbook: {error}") from None
    try:
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()


def read_header(handle: IO[bytes], name: str) -> list[str]:
    """The column names in the first row; leaves the file where it was."""
    start = handle.tell()
    try:
        if name.lower().endswith(".xlsx"):
            first = next(_xlsx_rows(handle), [])
        else:
            first = _first_csv_row(handle.read(1 << 20))
    finally:
        handle.seek(start)
    header = [str(cell or "").strip() for cell in first]
    if not any(header):
        raise ImportFileError("The file is empty: the first row must name the columns")
    return header


def _first_csv_row(head: bytes) -> list[str]:
    # An incremental decoder, because the first megabyte may end inside a character.
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        text = decoder.decode(head, final=False)
    except UnicodeDecodeError as error:
        raise ImportFileError(
            f"The file is not UTF-8 text ({error.reason}): save it as "
            "'CSV UTF-8' and upload it again"
        ) from None
    return next(csv.reader(io.StringIO(text)), [])


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
        problems: list[str] = []
        rating = self._rating(row, problems)
        happened_on = self._date(row, problems)
        service_id = self._service(row, problems)
        equality = self._equality(row, problems)
        comments = {name: self.text(row, name) for name in COMMENT_FIELDS}
        comments = {name: text for name, text in comments.items() if text}
        if not self.text(row, "rating") and not comments:
            problems.append("has neither a rating nor a comment")
        if problems:
            return f"line {line}: " + "; ".join(problems)
        key = self.text(row, "respondent_id") or self._fingerprint(row)
        if len(key) > 100:
            return f"line {line}: the respondent id is longer than 100 characters"
        assert service_id is not None
        return ParsedRow(line, key, service_id, rating, happened_on, comments, equality)

    def _rating(self, row: list[Any], problems: list[str]) -> int | None:
        raw = self.text(row, "rating")
        if not raw:
            return None
        if raw.replace(".0", "").isdigit() and 1 <= int(float(raw)) <= 6:
            return int(float(raw))
        value = RATING_WORDS.get(raw.lower())
        if value is None:
            problems.append(f"rating {raw!r} is not 1 to 6 or an FFT answer")
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
            value = raw[:-2] if raw.endswith(".0") else raw  # spreadsheets write 3 as 3.0
            if not value.isdigit() or not 1 <= int(value) <= top:
                kind = name.removeprefix("imd_")
                problems.append(f"IMD {kind} {raw!r} is not a whole number from 1 to {top}")
                return ""
            return str(int(value) if top == 5 else (int(value) + 1) // 2)
        return ""

    def _fingerprint(self, row: list[Any]) -> str:
        cells = "\x1f".join("" if cell is None else str(cell) for cell in row)
        return "row-" + hashlib.sha256(cells.encode()).hexdigest()[:40]


class Spool:
    """The checked rows of a file, pickled a chunk at a time into a temporary file, so the
    second pass neither holds the file in memory nor parses and checks it again."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.pending: list[tuple[Any, ...]] = []

    def add(self, row: ParsedRow) -> None:
        day = row.happened_on.toordinal() if row.happened_on else None
        self.pending.append(
            (row.line, row.key, row.service_id, row.rating, day, row.comments, row.equality)
        )
        if len(self.pending) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            pickle.dump(self.pending, self.handle, protocol=pickle.HIGHEST_PROTOCOL)
            self.pending = []

    def chunks(self) -> Iterator[list[ParsedRow]]:
        self.flush()
        self.handle.seek(0)
        while True:
            try:
                # Our own file, written just now by `add`: not untrusted input.
                stored = pickle.load(self.handle)  # noqa: S301
            except EOFError:
                return
            yield [
                ParsedRow(
                    line,
                    key,
                    service_id,
                    rating,
                    datetime.date.fromordinal(day) if day else None,
                    comments,
                    equality,
                )
                for line, key, service_id, rating, day, comments, equality in stored
            ]


def _parsed(batch: ImportBatch, checker: RowChecker) -> Iterator[ParsedRow | str]:
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
    for result in _parsed(batch, checker):
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


def _record_check(batch: ImportBatch, checked: Checked) -> bool:
    """Save what checking found; returns whether the file may be written."""
    batch.total_rows = batch.checked_rows = checked.good + checked.error_count
    batch.error_count = checked.error_count
    batch.errors = checked.errors
    if checked.errors:
        batch.status = ImportBatch.Status.FAILED
        batch.finished_at = timezone.now()
        batch.save()
        return False
    batch.status = ImportBatch.Status.IMPORTING
    batch.save()
    return True


def _save_progress(batch_id: int) -> Callable[[int], None]:
    def save(rows: int) -> None:
        ImportBatch.objects.filter(pk=batch_id).update(checked_rows=rows)

    return save


def check_batch(batch: ImportBatch, keep: Callable[[ParsedRow], None]) -> bool:
    """First pass: check every row, saving progress, handing good rows to `keep`. Returns
    whether the file may be written."""
    checker = RowChecker(batch, batch.source.mapping)
    return _record_check(batch, check_rows(batch, checker, keep, _save_progress(batch.pk)))


def write_batch(batch: ImportBatch, chunks: Iterable[list[ParsedRow]]) -> None:
    """Write every new row of `chunks` in one transaction, so a file is imported whole or not
    at all while memory holds one chunk. Classification is queued after the commit."""
    with transaction.atomic():
        _write_chunks(batch, chunks)
        _finish(batch)


def _write_chunks(batch: ImportBatch, chunks: Iterable[list[ParsedRow]]) -> None:
    source = batch.source
    write = _copy_chunk if connection.vendor == "postgresql" else _write_chunk
    created = total = 0
    # A source's first file cannot repeat earlier rows: no need to look for each one.
    imported_before = Experience.objects.filter(source=source).exists()
    for chunk in chunks:
        existing = _existing_keys(source, [r.key for r in chunk]) if imported_before else set()
        fresh = [r for r in chunk if r.key not in existing]
        comment_ids = write(batch, fresh)
        created += len(fresh)
        total += len(chunk)
        transaction.on_commit(partial(enqueue_comment_tasks, comment_ids))
    batch.created_count = created
    batch.duplicate_count = total - created


def _finish(batch: ImportBatch) -> None:
    batch.status = ImportBatch.Status.DONE
    batch.finished_at = timezone.now()
    batch.save()


def check_and_write_together(batch: ImportBatch) -> None:
    """PostgreSQL: check and write at once. A thread checks the file and hands over good rows a
    chunk at a time while this one writes them in one transaction, so checking runs while the
    server is busy with the previous chunk (about a fifth of a million-row import's time). As
    soon as the checker finds a bad row the transaction is rolled back: a failed file still keeps
    nothing. (Not on SQLite, where the checker's progress updates would wait for the writer.)"""
    handed: queue.Queue[list[ParsedRow] | BaseException | None] = queue.Queue(maxsize=4)
    stop = threading.Event()
    found: list[Checked] = []
    # Built here: the checker thread has its own connection and must not need the database
    # (it could not see rows this transaction or a test's has not committed).
    row_checker = RowChecker(batch, batch.source.mapping)

    def hand(item: list[ParsedRow] | BaseException | None) -> None:
        while not stop.is_set():
            try:
                handed.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def check() -> None:
        pending: list[ParsedRow] = []

        def keep(row: ParsedRow) -> None:
            pending.append(row)
            if len(pending) >= CHUNK:
                hand(pending.copy())
                pending.clear()

        try:
            # Progress goes through the thread's own connection, so it shows while the
            # writer's transaction is open; an update that finds no row changes nothing.
            found.append(check_rows(batch, row_checker, keep, _save_progress(batch.pk)))
            if pending and not found[0].errors:
                hand(pending)
        except BaseException as error:
            hand(error)  # raised again by the writer
        finally:
            hand(None)
            connection.close()  # this thread's own connection

    def received() -> Iterator[list[ParsedRow]]:
        while (item := handed.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item

    checker = threading.Thread(target=check, name=f"check-import-{batch.pk}", daemon=True)
    checker.start()
    try:
        with transaction.atomic():
            _write_chunks(batch, received())
            checker.join()
            if found[0].errors:
                transaction.set_rollback(True)  # keep nothing of a file with bad rows
            else:
                _record_check(batch, found[0])
                _finish(batch)
    finally:
        stop.set()
        checker.join()
    if found and found[0].errors:
        batch.created_count = batch.duplicate_count = 0  # what was written is rolled back
        _record_check(batch, found[0])


def _existing_keys(source: ImportSource, keys: list[str]) -> set[str]:
    if connection.vendor == "postgresql":
        # One array parameter instead of thousands of placeholders.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT external_id FROM feedback_experience "
                "WHERE source_id = %s AND external_id = ANY(%s)",
                [source.pk, keys],
            )
            return {key for (key,) in cursor.fetchall()}
    return set(
        Experience.objects.filter(source=source, external_id__in=keys).values_list(
            "external_id", flat=True
        )
    )


def _write_chunk(batch: ImportBatch, rows: list[ParsedRow]) -> list[int]:
    source = batch.source
    with_equality = [r for r in rows if r.equality]
    equalities = EqualityMonitoring.objects.bulk_create(
        [EqualityMonitoring(**r.equality) for r in with_equality]
    )
    equality_for = {id(r): e for r, e in zip(with_equality, equalities, strict=True)}
    experiences = Experience.objects.bulk_create(
        [
            Experience(
                service_id=r.service_id,
                organisation_id=source.organisation_id,
                rating=r.rating,
                happened_on=r.happened_on,
                respondent=Experience.Respondent.PATIENT,
                channel=Experience.Channel.IMPORT,
                consent_method=Experience.ConsentMethod.SOURCE,
                source=source,
                submitted_at=_when(r.happened_on),
                external_id=r.key,
                equality=equality_for.get(id(r)),
            )
            for r in rows
        ]
    )
    comments = Comment.objects.bulk_create(
        [
            Comment(experience=experience, question=COMMENT_FIELDS[name], text=text)
            for experience, r in zip(experiences, rows, strict=True)
            for name, text in r.comments.items()
        ]
    )
    count_new_experiences(experiences, comments)
    return [c.pk for c in comments]


# The order of the values _copy_chunk gives for each experience.
EXPERIENCE_COLUMNS = [
    "id",
    "reference",
    "service_id",
    "rating",
    "happened_on",
    "submitted_at",
    "external_id",
    "equality_id",
    "organisation_id",
    "source_id",
    "respondent",
    "channel",
    "consent_method",
]


def _copy_chunk(batch: ImportBatch, rows: list[ParsedRow]) -> list[int]:
    """The same rows as _write_chunk, written with PostgreSQL's COPY: building a million model
    instances costs minutes, COPY seconds. Ids are taken from the tables' sequences first, so
    comments and equality answers can point at their experience without a round trip."""
    source = batch.source
    with connection.cursor() as cursor:
        with_equality = [r for r in rows if r.equality]
        equality_ids = _next_ids(cursor, EqualityMonitoring, len(with_equality))
        equality_for = dict(zip(map(id, with_equality), equality_ids, strict=True))
        # Each equality field an import can fill, and what it is when a row leaves it out.
        fields = {
            "age_band": "",
            "sex": "",
            "ethnicity": "",
            "postcode_district": "",
            "deprivation_quintile": None,
        }
        _copy(
            cursor,
            EqualityMonitoring,
            ["id", *fields],
            (
                (pk, *(r.equality.get(f, blank) for f, blank in fields.items()))
                for r, pk in zip(with_equality, equality_ids, strict=True)
            ),
        )
        experience_ids = _next_ids(cursor, Experience, len(rows))
        references = new_references(len(rows))
        # Taken once per row: the summary must count each record in the month it is stored in.
        whens = [_when(r.happened_on) for r in rows]
        same = (
            source.organisation_id,
            source.pk,
            Experience.Respondent.PATIENT.value,
            Experience.Channel.IMPORT.value,
            Experience.ConsentMethod.SOURCE.value,
        )
        _copy(
            cursor,
            Experience,
            EXPERIENCE_COLUMNS,
            (
                (
                    pk,
                    reference,
                    r.service_id,
                    r.rating,
                    r.happened_on,
                    when,
                    r.key,
                    equality_for.get(id(r)),
                    *same,
                )
                for r, pk, reference, when in zip(
                    rows, experience_ids, references, whens, strict=True
                )
            ),
        )
        channel = Experience.Channel.IMPORT.value
        add_responses(
            tally(
                (source.organisation_id, r.service_id, channel, when, r.rating, len(r.comments))
                for r, when in zip(rows, whens, strict=True)
            )
        )
        answers = [
            (experience_id, COMMENT_FIELDS[name].value, text)
            for r, experience_id in zip(rows, experience_ids, strict=True)
            for name, text in r.comments.items()
        ]
        comment_ids = _next_ids(cursor, Comment, len(answers))
        _copy(
            cursor,
            Comment,
            ["id", "experience_id", "question", "text"],
            ((pk, *answer) for pk, answer in zip(comment_ids, answers, strict=True)),
        )
    return comment_ids


def _next_ids(cursor: Any, model: type[models.Model], count: int) -> list[int]:
    if not count:
        return []
    table = model._meta.db_table
    if table not in _SEQUENCES:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        _SEQUENCES[table] = cursor.fetchone()[0]
    # The sequence named once, not looked up again for every id drawn.
    cursor.execute(
        "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [_SEQUENCES[table], count]
    )
    return [pk for (pk,) in cursor.fetchall()]


_SEQUENCES: dict[str, str] = {}


def _copy(
    cursor: Any, model: type[models.Model], columns: list[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """COPY rows of `columns` (attribute names) into the model's table; every other field takes
    its default, which must be a constant: a callable default (a reference, a timestamp) would
    be the same for every row."""
    from psycopg import sql

    fields = {f.attname: f for f in model._meta.concrete_fields}
    rest = [f for name, f in fields.items() if name not in columns]
    varying = [f.name for f in rest if f.has_default() and callable(f.default)]
    if varying:
        raise ValueError(f"COPY into {model.__name__} must be given {', '.join(varying)}")
    tail = tuple(f.get_default() for f in rest)
    names = [str(fields[c].column) for c in columns] + [str(f.column) for f in rest]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table),
        sql.SQL(", ").join([sql.Identifier(n) for n in names]),
    )
    with cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row + tail)


def _when(day: datetime.date | None) -> datetime.datetime:
    if day is None:
        return timezone.now()
    return _noon(day)


@functools.lru_cache(maxsize=4096)
def _noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def run_import(batch_id: int) -> ImportBatch:
    batch = ImportBatch.objects.select_related("source").get(pk=batch_id)
    if batch.status in (ImportBatch.Status.DONE, ImportBatch.Status.FAILED):
        return batch  # a duplicate enqueue of a finished batch does nothing
    batch.status = ImportBatch.Status.CHECKING
    batch.save(update_fields=["status"])
    try:
        if connection.vendor == "postgresql":
            check_and_write_together(batch)
        else:
            with tempfile.TemporaryFile(prefix="patientvoice-import-") as handle:
                spool = Spool(handle)
                if check_batch(batch, spool.add):
                    write_batch(batch, spool.chunks())
    except ImportFileError as error:
        batch.status, batch.errors, batch.error_count = ImportBatch.Status.FAILED, [str(error)], 1
        batch.finished_at = timezone.now()
        batch.save()
    return batch
