"""Classifying a CSV file of comments, streamed in chunks so memory stays bounded."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from patientvoice import csvexport, csvfiles
from patientvoice.insight.engine.data import parse_int
from patientvoice.insight.engine.model import TextModel
from patientvoice.insight.engine.predict import screen
from patientvoice.insight.engine.signals import SAFEGUARDING, Signal

THEMES_COLUMN = "themes"
SENTIMENT_COLUMN = "sentiment"
# The most severe concern the comment raises (predict.screen): its kind (safeguarding or
# complaint), category (the safeguarding detector's kind of concern), severity (1 most severe)
# and the sentence that raised it. Empty when there is none.
CONCERN_COLUMNS = ["concern", "concern_category", "concern_severity", "concern_evidence"]
THEME_SEPARATOR = "; "
CHUNK_ROWS = 4000
# Python's csv module refuses fields over 128 KiB by default and a pasted letter can be longer:
# this reader's own limit, leaving the process's alone (patientvoice.csvfiles).
MAX_FIELD_CHARS = 2**31 - 1


class Writable(Protocol):
    """Where bad rows are reported: a text stream, or Django's command OutputWrapper."""

    def write(self, text: str) -> object: ...


class MissingColumns(ValueError):
    """The input file lacks a column the command was told to read."""


@dataclass
class CsvReport:
    rows_read: int = 0
    rows_written: int = 0
    bad_rows: int = 0


def classify_csv(
    model: TextModel,
    input_path: Path,
    output_path: Path,
    *,
    text_column: str,
    question_column: str | None = None,
    rating_column: str | None = None,
    errors: Writable | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> CsvReport:
    """Write every input column plus `themes`, `sentiment` and the concern columns. A row with
    the wrong number of fields is reported to `errors` (with its line number) and left out; the
    file carries on.
    Raises MissingColumns, naming them, when a named column is not in the header."""
    errors = errors if errors is not None else sys.stderr
    report = CsvReport()
    # utf-8-sig: spreadsheets save UTF-8 CSV with a byte-order mark, which must not end up
    # in the first column's name.
    with (
        input_path.open(encoding="utf-8-sig", newline="") as source,
        output_path.open("w", encoding="utf-8", newline="") as target,
    ):
        reader = csvfiles.reader(source, field_limit=MAX_FIELD_CHARS)
        header = next(reader, None)
        if header is None:
            raise MissingColumns(f"{input_path} is empty: it has no header row")
        wanted = [c for c in (text_column, question_column, rating_column) if c]
        missing = [c for c in wanted if c not in header]
        if missing:
            raise MissingColumns(
                "Column(s) not found: "
                + ", ".join(repr(c) for c in missing)
                + ". The file has: "
                + ", ".join(repr(c) for c in header)
            )
        writer = csvexport.writer(target)
        writer.writerow([*header, THEMES_COLUMN, SENTIMENT_COLUMN, *CONCERN_COLUMNS])
        columns = _Columns(header, text_column, question_column, rating_column)
        for chunk in _chunks(reader, len(header), chunk_rows, errors, report):
            writer.writerows(_classified(model, chunk, columns))
            report.rows_written += len(chunk)
    return report


@dataclass(frozen=True)
class _Columns:
    header: list[str]
    text: str
    question: str | None
    rating: str | None

    def index(self, name: str | None) -> int | None:
        return self.header.index(name) if name else None


def _chunks(
    reader: Iterator[list[str]],
    width: int,
    size: int,
    errors: Writable,
    report: CsvReport,
) -> Iterator[list[list[str]]]:
    chunk: list[list[str]] = []
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            # e.g. a NUL byte or an unterminated quote: report it and stop reading here,
            # because the parser cannot know where the next row starts.
            report.bad_rows += 1
            line = getattr(reader, "line_num", "?")
            errors.write(f"line {line}: unreadable CSV ({error}); stopped reading\n")
            break
        report.rows_read += 1
        if not row:
            continue  # a blank line is not a comment
        if len(row) != width:
            report.bad_rows += 1
            line = getattr(reader, "line_num", "?")
            errors.write(f"line {line}: expected {width} fields, found {len(row)}; row skipped\n")
            continue
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _classified(model: TextModel, rows: list[list[str]], columns: _Columns) -> list[list[str]]:
    text_at = columns.index(columns.text)
    question_at = columns.index(columns.question)
    rating_at = columns.index(columns.rating)
    assert text_at is not None
    texts = [row[text_at] for row in rows]
    questions = [row[question_at] for row in rows] if question_at is not None else None
    ratings = [parse_int(row[rating_at], 1, 7) for row in rows] if rating_at is not None else None
    screened = screen(model, texts)  # first, as in the product
    result = model.predict_batch(texts, questions, ratings)
    labels = result.labels
    out = []
    for i, row in enumerate(rows):
        themes = THEME_SEPARATOR.join(labels[j] for j in result.chosen[i].nonzero()[0])
        sentiment = int(result.sentiment[i])
        out.append([*row, themes, str(sentiment) if sentiment else "", *_concern(screened[i])])
    return out


def _concern(signals: list[Signal]) -> list[str]:
    if not signals:
        return ["", "", "", ""]
    first = min(signals, key=lambda s: (s.severity, s.kind != SAFEGUARDING, -(s.score or 0)))
    return [first.kind, first.category, str(first.severity), first.evidence]
