"""Every CSV the product writes keeps spreadsheet formulas from running."""

import csv
import io
import re
from pathlib import Path

import pytest

from patientvoice import csvexport


@pytest.mark.parametrize(
    "cell",
    [
        '=HYPERLINK("http://example.com","Click")',
        "+44 113 496 0123",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_a_cell_a_spreadsheet_would_run_gets_a_leading_apostrophe(cell: str) -> None:
    assert csvexport.neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["-3.5", "+2", "-0.0120", "1e-5", "The staff were kind", "", 7])
def test_plain_numbers_and_text_are_left_as_they_are(cell: object) -> None:
    assert csvexport.neutralise(cell) == cell


def test_the_writer_neutralises_every_cell_of_every_row() -> None:
    buffer = io.StringIO()
    writer = csvexport.writer(buffer)

    writer.writerow(["=1+1", "fine", -4])
    writer.writerows([["@me", "-7.5"]])

    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert rows == [["'=1+1", "fine", "-4"], ["'@me", "-7.5"]]


def test_no_module_writes_csv_except_through_the_safe_writer() -> None:
    package = Path(csvexport.__file__).parent
    writers = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if path.name != "csvexport.py"
        and re.search(r"csv\.(writer|DictWriter)\(", path.read_text(encoding="utf-8"))
    ]

    assert writers == [], "use patientvoice.csvexport.writer so no cell runs as a formula"
