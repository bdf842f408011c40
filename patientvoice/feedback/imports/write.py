"""Writing checked rows: new experiences, their comments and equality answers, and the monthly
summary counts, a chunk at a time inside the caller's transaction.

Rows whose natural key (source + respondent id, or a fingerprint of the row when the file has
no id column) was imported before are skipped, so re-importing the same or an overlapping file
creates no duplicates. Classification of the new comments is queued when the transaction
commits. On PostgreSQL rows go in with COPY (`_copy_chunk`), elsewhere with bulk_create.
"""

from __future__ import annotations

import datetime
import functools
import pickle
from collections.abc import Iterable, Iterator
from functools import partial
from typing import IO, Any

from django.db import connection, models, transaction
from django.utils import timezone

from patientvoice.feedback.imports import check
from patientvoice.feedback.imports.check import COMMENT_FIELDS, ParsedRow
from patientvoice.feedback.models import (
    Comment,
    Experience,
    ImportBatch,
    ImportSource,
    new_references,
)
from patientvoice.feedback.services import enqueue_comment_tasks
from patientvoice.feedback.summary import add_responses, count_new_experiences, tally
from patientvoice.people.models import EqualityMonitoring


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
        if len(self.pending) >= check.CHUNK:
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


def write_chunks(batch: ImportBatch, chunks: Iterable[list[ParsedRow]]) -> None:
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
