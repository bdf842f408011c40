"""CSV readers with their own limit on the length of a field, leaving the process's alone.

Python's `csv.field_size_limit` is one setting for the whole interpreter: raising it for one
file raises it for every reader in every thread (an import running in the worker, a command in
the same process). The C engine behind the csv module (`_csv`) keeps that limit in its module
state and supports several instances of itself (PEP 489), so each limit we need gets a private
instance of the engine, loaded once, whose readers honour only their own limit.

Plain Python, no Django: the text engine (`patientvoice.insight.engine`) uses it too.
"""

from __future__ import annotations

import csv
import functools
import importlib.util
import re
from collections.abc import Iterable
from types import ModuleType
from typing import Any


@functools.lru_cache(maxsize=8)
def _engine(field_limit: int) -> ModuleType:
    spec = importlib.util.find_spec("_csv")
    if spec is None or spec.loader is None:  # pragma: no cover - _csv ships with CPython
        raise RuntimeError("Python's _csv module is missing")
    engine = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(engine)
    engine.field_size_limit(field_limit)
    return engine


class CsvError(csv.Error):
    """A CSV file could not be parsed; `line` is the physical line the reader had reached."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


class Reader:
    """Rows of CSV text (excel dialect), refusing a field longer than the reader's limit.

    Raises CsvError (a csv.Error, with the line number) instead of the engine's own error
    class, which is private to each instance of the engine."""

    def __init__(self, lines: Iterable[str], field_limit: int) -> None:
        engine = _engine(field_limit)
        self._rows: Any = engine.reader(lines)
        self._error: type[Exception] = engine.Error

    def __iter__(self) -> Reader:
        return self

    def __next__(self) -> list[str]:
        try:
            return next(self._rows)
        except self._error as error:
            raise CsvError(str(error), self._rows.line_num) from None

    @property
    def line_num(self) -> int:
        return int(self._rows.line_num)


def reader(lines: Iterable[str], *, field_limit: int) -> Reader:
    return Reader(lines, field_limit)


# A whole number as a spreadsheet writes it: ASCII digits, perhaps with ".0" (3 as 3.0).
# str.isdigit is not enough: it accepts "²" and other characters int() refuses.
_WHOLE_NUMBER = re.compile(r"([0-9]{1,18})(?:\.0+)?")


def whole_number(text: str) -> int | None:
    """The whole number a cell holds, or None if it holds anything else."""
    match = _WHOLE_NUMBER.fullmatch(text.strip())
    return int(match.group(1)) if match else None
