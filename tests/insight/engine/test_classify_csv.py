import csv
import io
from pathlib import Path

import pytest

from patientvoice.insight.engine import LABELLING_NOT_POSSIBLE, MissingColumns, TextModel
from patientvoice.insight.engine import classify_csv as classify
from patientvoice.insight.engine.classify_csv import CONCERN_COLUMNS

HEADER = ["Comment ID", "FFT question", "FFT categorical answer", "FFT answer"]


def write(path: Path, rows: list[list[str]], header: list[str] = HEADER, bom: bool = False) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def run(model: TextModel, source: Path, target: Path, **kwargs: str) -> tuple[int, str]:
    errors = io.StringIO()
    report = classify(
        model,
        source,
        target,
        text_column="FFT answer",
        question_column="FFT question",
        errors=errors,
        **kwargs,
    )
    return report.bad_rows, errors.getvalue()


def test_it_keeps_every_column_and_adds_themes_and_sentiment(
    model: TextModel, tmp_path: Path
) -> None:
    source = write(
        tmp_path / "in.csv",
        [
            ["1", "FFT Why?", "1", "The nurses were so kind and caring"],
            ["2", "How could we improve?", "5", "waited 3 hours for the ambulance"],
            ["3", "FFT Why?", "", ""],
            ["4", "FFT Why?", "1", "Did not answer"],
        ],
    )
    bad, _ = run(model, source, tmp_path / "out.csv", rating_column="FFT categorical answer")
    rows = read(tmp_path / "out.csv")
    assert bad == 0
    assert list(rows[0]) == [*HEADER, "themes", "sentiment", *CONCERN_COLUMNS]
    assert [r["Comment ID"] for r in rows] == ["1", "2", "3", "4"]
    assert "Staff manner & personal attributes" in rows[0]["themes"].split("; ")
    assert "Timeliness of care" in rows[1]["themes"].split("; ")
    assert rows[0]["sentiment"] in {"1", "2"}
    assert rows[2]["themes"] == LABELLING_NOT_POSSIBLE
    assert rows[2]["sentiment"] == ""
    assert rows[3]["themes"] == LABELLING_NOT_POSSIBLE
    assert rows[3]["sentiment"] == ""


def test_a_byte_order_mark_does_not_hide_the_first_column(model: TextModel, tmp_path: Path) -> None:
    header = ["FFT answer", "FFT question"]
    source = write(tmp_path / "in.csv", [["Lovely staff", "What was good?"]], header, bom=True)
    run(model, source, tmp_path / "out.csv")
    assert list(read(tmp_path / "out.csv")[0]) == [
        "FFT answer",
        "FFT question",
        "themes",
        "sentiment",
        *CONCERN_COLUMNS,
    ]


def test_rows_with_the_wrong_number_of_fields_are_reported_with_line_numbers(
    model: TextModel, tmp_path: Path
) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        "Comment ID,FFT question,FFT categorical answer,FFT answer\n"
        "1,FFT Why?,1,Great care\n"
        "2,FFT Why?,1\n"
        '3,FFT Why?,2,"Kind staff, quick service"\n'
        "4,FFT Why?,1,too,many,fields\n",
        encoding="utf-8",
    )
    bad, errors = run(model, source, tmp_path / "out.csv")
    assert bad == 2
    assert "line 3: expected 4 fields, found 3" in errors
    assert "line 5: expected 4 fields, found 6" in errors
    assert [r["Comment ID"] for r in read(tmp_path / "out.csv")] == ["1", "3"]


def test_a_missing_column_is_named_in_the_error(model: TextModel, tmp_path: Path) -> None:
    source = write(tmp_path / "in.csv", [["1", "x", "1", "ok"]])
    with pytest.raises(MissingColumns, match=r"'Comment text'.*The file has: 'Comment ID'"):
        classify(model, source, tmp_path / "out.csv", text_column="Comment text")


def test_quoted_newlines_and_non_english_text_survive(model: TextModel, tmp_path: Path) -> None:
    source = write(
        tmp_path / "in.csv",
        [["1", "FFT Why?", "1", "Line one\nline two, with a comma"], ["2", "", "", "Très bien"]],
    )
    run(model, source, tmp_path / "out.csv")
    rows = read(tmp_path / "out.csv")
    assert rows[0]["FFT answer"] == "Line one\nline two, with a comma"
    assert rows[1]["FFT answer"] == "Très bien"
    assert rows[1]["themes"] and rows[1]["sentiment"]


def test_a_large_file_is_read_in_chunks(model: TextModel, tmp_path: Path) -> None:
    rows = [[str(i), "FFT Why?", "1", f"Comment number {i} about kind staff"] for i in range(250)]
    source = write(tmp_path / "in.csv", rows)
    errors = io.StringIO()
    report = classify(
        model, source, tmp_path / "out.csv", text_column="FFT answer", errors=errors, chunk_rows=64
    )
    assert report.rows_written == 250
    assert len(read(tmp_path / "out.csv")) == 250
