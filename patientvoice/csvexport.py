"""Writing CSV that people open in a spreadsheet, without letting a cell run as a formula.

Excel, LibreOffice and Google Sheets treat a cell that starts with `=`, `+`, `-` or `@` (and,
after a tab or carriage return, whatever follows) as a formula, so a comment such as
`=HYPERLINK("http://…")` typed into a public form would become a live link, or worse, in the
analyst's spreadsheet. Every CSV the product writes goes through `writer` here, which puts an
apostrophe before such a cell: spreadsheets then show the text as typed (OWASP "CSV injection").

Plain numbers such as `-3.5` are left alone: they cannot be formulas, and the figures columns
of an export must stay numbers. Plain Python, no Django: the text engine's command uses it too.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def neutralise(value: Any) -> Any:
    """The value, with an apostrophe in front if a spreadsheet would read it as a formula."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer's interface; every cell passes through `neutralise` first."""

    def __init__(self, target: Any, **options: Any) -> None:
        self._writer = csv.writer(target, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutralise(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(target: Any, **options: Any) -> SafeWriter:
    return SafeWriter(target, **options)
