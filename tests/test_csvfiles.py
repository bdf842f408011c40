"""CSV readers with their own field limit leave the process's csv module as it was."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from patientvoice import csvfiles


def test_a_reader_with_a_higher_limit_reads_a_long_field_and_the_process_limit_is_unchanged() -> (
    None
):
    before = csv.field_size_limit()
    long = "x" * (before + 10)

    rows = list(csvfiles.reader(io.StringIO(f"a,{long}\nb,c\n"), field_limit=before * 4))

    assert rows == [["a", long], ["b", "c"]]
    assert csv.field_size_limit() == before
    with pytest.raises(csv.Error):
        next(csv.reader(io.StringIO(long)))


def test_a_field_over_the_readers_limit_is_a_csv_error_naming_its_line() -> None:
    reader = csvfiles.reader(io.StringIO("a\nb\n" + "x" * 20 + "\n"), field_limit=10)

    with pytest.raises(csv.Error) as raised:
        list(reader)

    assert isinstance(raised.value, csvfiles.CsvError) and raised.value.line == 3


def test_loading_the_classify_command_leaves_the_process_limit_alone() -> None:
    # In a fresh interpreter: reloading the module here would replace classes others hold.
    code = (
        "import csv; before = csv.field_size_limit(); "
        "import patientvoice.insight.engine.classify_csv; "
        "print(before, csv.field_size_limit())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )

    before, after = result.stdout.split()
    assert before == after


def test_the_classify_reader_takes_a_comment_longer_than_the_process_limit(tmp_path: Path) -> None:
    from patientvoice.insight.engine.classify_csv import MAX_FIELD_CHARS

    long = "y" * (csv.field_size_limit() * 2)
    source = tmp_path / "in.csv"
    source.write_text(f"FFT answer\n{long}\n")

    with source.open(newline="") as handle:
        rows = list(csvfiles.reader(handle, field_limit=MAX_FIELD_CHARS))

    assert rows == [["FFT answer"], [long]]
