"""Reading an uploaded CSV or XLSX file as rows of cells, without holding it in memory.

Everything that can go wrong with the file as a whole (not UTF-8, not a workbook, a workbook
that would unpack to far more than it weighs) is an ImportFileError with a message for the
person who uploaded it. An XLSX file is a zip archive: its entries' sizes are checked before
openpyxl opens it, because opening it reads whole parts (the shared strings) into memory.
openpyxl parses the XML with defusedxml, which is installed with the project.
"""

from __future__ import annotations

import codecs
import io
import zipfile
from collections.abc import Iterator
from typing import IO, Any

from patientvoice import csvfiles

# Longer than any comment we keep (the public form's cap), so that a long comment is reported
# by line while the rest of the file is still checked; a longer cell stops the file.
MAX_CELL_CHARS = 1 << 20
# An XLSX file may unpack to this much at most, and to at most this many times its packed size.
# Spreadsheets compress 5 to 20 times; a zip bomb a thousand times.
MAX_XLSX_UNPACKED = 1 << 30
MAX_XLSX_RATIO = 100
MAX_XLSX_ENTRIES = 10_000


class ImportFileError(Exception):
    """The file as a whole cannot be read (not CSV/XLSX, not UTF-8, no header, too large)."""


NOT_UTF8 = "The file is not UTF-8 text ({}): save it as 'CSV UTF-8' and upload it again"


def is_xlsx(name: str) -> bool:
    return name.lower().endswith(".xlsx")


def read_rows(handle: IO[bytes], name: str) -> Iterator[list[Any]]:
    """Rows of a CSV or XLSX file as lists of cell values, header first."""
    if is_xlsx(name):
        yield from _xlsx_rows(handle)
        return
    try:
        text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
        yield from csvfiles.reader(text, field_limit=MAX_CELL_CHARS)
    except UnicodeDecodeError as error:
        raise ImportFileError(NOT_UTF8.format(error.reason)) from None
    except csvfiles.CsvError as error:
        raise ImportFileError(_csv_problem(error)) from None


def _csv_problem(error: csvfiles.CsvError) -> str:
    if "field larger than field limit" in str(error):
        return (
            f"line {error.line}: a cell is longer than {MAX_CELL_CHARS:,} characters; "
            "the rest of the file was not checked and nothing was imported"
        )
    return f"The file is not valid CSV (line {error.line}: {error})"


def check_xlsx_size(handle: IO[bytes]) -> None:
    """Refuse a workbook whose entries would unpack to too much, before anything unpacks them.

    The sizes come from the archive's directory; Python's zipfile stops an entry at its
    declared size (and fails its checksum), so an archive cannot unpack to more than it says."""
    start = handle.tell()
    try:
        with zipfile.ZipFile(handle) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ImportFileError(
            "The file is not a readable XLSX workbook: save it from your spreadsheet as "
            "'Excel Workbook (.xlsx)' or 'CSV UTF-8' and upload it again"
        ) from None
    finally:
        handle.seek(start)
    if len(entries) > MAX_XLSX_ENTRIES:
        raise ImportFileError(f"The workbook has more than {MAX_XLSX_ENTRIES:,} parts")
    unpacked = sum(entry.file_size for entry in entries)
    packed = sum(entry.compress_size for entry in entries)
    if unpacked > MAX_XLSX_UNPACKED or unpacked > MAX_XLSX_RATIO * max(packed, 1):
        raise ImportFileError(
            f"The workbook would unpack to {unpacked / 1e6:,.0f} MB from "
            f"{packed / 1e6:,.1f} MB, more than a spreadsheet of feedback needs (at most "
            f"{MAX_XLSX_UNPACKED / 1e9:.0f} GB and {MAX_XLSX_RATIO} times its size): nothing "
            "was read. Save it as 'CSV UTF-8' and upload that instead"
        )


def _xlsx_rows(handle: IO[bytes]) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    check_xlsx_size(handle)
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
        if is_xlsx(name):
            first = next(_xlsx_rows(handle), [])
        else:
            first = _first_csv_row(handle.read(1 << 20))
    finally:
        handle.seek(start)
    header = [str(cell or "").strip() for cell in first]
    if not any(header):
        raise ImportFileError("The file is empty: the first row must name the columns")
    if any("\x00" in column for column in header):
        raise ImportFileError("The first row holds a NUL character: is this a text file?")
    return header


def _first_csv_row(head: bytes) -> list[str]:
    # An incremental decoder, because the first megabyte may end inside a character.
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        text = decoder.decode(head, final=False)
    except UnicodeDecodeError as error:
        raise ImportFileError(NOT_UTF8.format(error.reason)) from None
    try:
        return next(csvfiles.reader(io.StringIO(text), field_limit=MAX_CELL_CHARS), [])
    except csvfiles.CsvError as error:
        raise ImportFileError(_csv_problem(error)) from None
