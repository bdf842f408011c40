"""Cells that used to crash an import are reported by line, and files that would unpack to far
more than they weigh are refused before anything reads them. Run on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import tracemalloc
import zipfile
from typing import Any

import openpyxl.xml
import pytest

from patientvoice.feedback.forms import MAX_COMMENT
from patientvoice.feedback.imports.read import MAX_CELL_CHARS
from patientvoice.feedback.models import Experience, ImportBatch
from tests.conftest import World
from tests.feedback.test_imports import HEADER, analyst, import_file, upload, workbook

GOOD_ROW = "R1,2026-10-01,Maternity unit,Very good,Kind midwives,35-44\n"


def rows_after_header(*rows: str) -> bytes:
    return (HEADER + GOOD_ROW + "".join(rows)).encode()


@pytest.mark.parametrize("rating", ["²", "1.0.0", "٣", "7.0", "-1"])
def test_a_rating_that_is_not_a_plain_number_is_a_line_numbered_error(
    world: World, django_capture_on_commit_callbacks: Any, rating: str
) -> None:
    content = rows_after_header(f"R2,2026-10-02,Maternity unit,{rating},Fine,\n")

    batch = import_file(analyst(world), content, django_capture_on_commit_callbacks)

    assert batch.status == "failed" and not batch.failure
    assert batch.errors == [f"line 3: rating {rating!r} is not 1 to 6 or an FFT answer"]
    assert Experience.objects.count() == 0


def test_a_rating_written_as_a_spreadsheet_number_still_counts(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    content = rows_after_header("R2,2026-10-02,Maternity unit,4.0,Fine,\n")

    batch = import_file(analyst(world), content, django_capture_on_commit_callbacks)

    assert batch.status == "done"
    assert Experience.objects.get(external_id="R2").rating == 4


def test_a_deprivation_decile_of_a_superscript_digit_is_a_line_numbered_error(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    content = (
        "Response ID,Date,Ward,Q1 rating,IMD decile\n"
        "R1,2026-10-01,Maternity unit,1,²\n"
        "R2,2026-10-01,Maternity unit,1,3\n"
    ).encode()
    mapping = {"respondent_id": "Response ID", "date": "Date", "service": "Ward"}
    mapping |= {"rating": "Q1 rating", "imd_decile": "IMD decile"}

    batch = import_file(analyst(world), content, django_capture_on_commit_callbacks, mapping)

    assert batch.errors == ["line 2: IMD decile '²' is not a whole number from 1 to 10"]


@pytest.mark.parametrize("column", ["comment", "id", "ward"])
def test_a_nul_character_in_a_cell_is_a_line_numbered_error(
    world: World, django_capture_on_commit_callbacks: Any, column: str
) -> None:
    cells = {"id": "R2", "ward": "Maternity unit", "comment": "Fine"}
    cells[column] = cells[column][:2] + "\x00" + cells[column][2:]
    content = rows_after_header(f"{cells['id']},2026-10-02,{cells['ward']},2,{cells['comment']},\n")

    batch = import_file(analyst(world), content, django_capture_on_commit_callbacks)

    assert batch.status == "failed" and not batch.failure
    assert batch.errors == ["line 3: a cell holds a NUL character (is the file damaged?)"]
    assert Experience.objects.count() == 0


def test_a_nul_character_in_the_header_is_refused_at_upload(world: World) -> None:
    response = upload(analyst(world), b"Ward,Rat\x00ing\nMaternity unit,1\n")

    assert "NUL character" in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_a_comment_longer_than_the_public_form_allows_is_reported_by_line_and_checking_goes_on(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    long = "a" * (MAX_COMMENT + 1)
    content = rows_after_header(
        f"R2,2026-10-02,Maternity unit,2,{long},\n",
        "R3,2026-10-03,Ward 99,2,Fine,\n",
        f"R4,2026-10-04,Maternity unit,2,{'b' * MAX_COMMENT},\n",
    )

    batch = import_file(analyst(world), content, django_capture_on_commit_callbacks)

    assert batch.errors == [
        f"line 3: the comment in 'Q2 why' is {MAX_COMMENT + 1:,} characters long; the most a "
        f"comment may have is {MAX_COMMENT:,}",
        "line 4: service 'Ward 99' is not one of this organisation's services",
    ]


def test_a_cell_too_long_for_the_reader_names_its_line_and_the_process_limit_is_untouched(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    before = csv.field_size_limit()
    content = rows_after_header(f"R2,2026-10-02,Maternity unit,2,{'a' * (MAX_CELL_CHARS + 1)},\n")

    batch = import_file(analyst(world), content, django_capture_on_commit_callbacks)

    assert batch.status == "failed"
    assert batch.errors == [
        f"line 3: a cell is longer than {MAX_CELL_CHARS:,} characters; the rest of the file "
        "was not checked and nothing was imported"
    ]
    assert csv.field_size_limit() == before
    # The process's own readers still refuse what they refused before.
    with pytest.raises(csv.Error):
        next(csv.reader(io.StringIO("x" * (before + 1))))


def test_a_cell_longer_than_the_process_limit_but_within_ours_is_a_comment_error_by_line(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    content = rows_after_header(
        f"R2,2026-10-02,Maternity unit,2,{'a' * (csv.field_size_limit() + 1)},\n",
        "R3,2026-10-03,Maternity unit,9,Fine,\n",
    )

    batch = import_file(analyst(world), content, django_capture_on_commit_callbacks)

    assert [error.split(":")[0] for error in batch.errors] == ["line 3", "line 4"]


def test_openpyxl_reads_workbooks_through_defusedxml() -> None:
    assert openpyxl.xml.DEFUSEDXML is True


def zip_bomb(unpacked_mb: int) -> bytes:
    """A workbook-shaped archive whose sheet unpacks to `unpacked_mb` MiB (of XML whitespace)."""
    buffer = io.BytesIO()
    blank = b" " * (1 << 20)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for _ in range(unpacked_mb):
                sheet.write(blank)
    return buffer.getvalue()


def test_an_xlsx_that_would_unpack_to_500_mb_is_refused_at_upload_without_unpacking_it(
    world: World,
) -> None:
    bomb = zip_bomb(500)
    assert len(bomb) < 600_000  # about 500 KB

    tracemalloc.start()
    try:
        response = upload(analyst(world), bomb, name="fft.xlsx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    page = response.content.decode()
    assert "The workbook would unpack to 524 MB" in page
    assert ImportBatch.objects.count() == 0
    assert peak < 50 * (1 << 20), f"{peak / 1e6:.0f} MB traced while refusing the file"


def test_an_ordinary_workbook_passes_the_size_check(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    rows = [
        [f"X{n}", "2026-09-01", "Maternity unit", 2, "Kind staff " * 5, None] for n in range(2000)
    ]

    batch = import_file(
        analyst(world), workbook(rows), django_capture_on_commit_callbacks, name="fft.xlsx"
    )

    assert (batch.status, batch.created_count) == ("done", 2000)


def test_a_file_named_xlsx_that_is_not_a_workbook_is_refused_at_upload(world: World) -> None:
    response = upload(analyst(world), b"Ward,Rating\n", name="fft.xlsx")

    assert "The file is not a readable XLSX workbook" in response.content.decode()
