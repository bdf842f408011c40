"""Importing FFT and survey exports: mapping, bad rows, duplicates, CSV and XLSX."""

import io
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from patientvoice.directory.models import Organisation
from patientvoice.feedback.imports import check, write
from patientvoice.feedback.models import Comment, Experience, ImportBatch
from tests.conftest import World

HEADER = "Response ID,Date,Ward,Q1 rating,Q2 why,Age\n"
GOOD = (
    "R1,2026-10-01,Maternity unit,Very good,The midwives were wonderful,35-44\n"
    "R2,02/10/2026,maternity,4,Waited hours for pain relief,\n"
    "R3,2026-10-03,Maternity unit,1,,75+\n"
)
MAPPING = {
    "respondent_id": "Response ID",
    "date": "Date",
    "service": "Ward",
    "rating": "Q1 rating",
    "fft_why": "Q2 why",
    "age_band": "Age",
}


def analyst(world: World) -> Client:
    client = Client()
    client.force_login(world.bob)
    return client


def upload(client: Client, content: bytes, name: str = "fft.csv", source: str = "Ward FFT") -> Any:
    hospital = Organisation.objects.get(slug="northdale-hospitals")
    return client.post(
        "/staff/imports/",
        {
            "organisation": hospital.pk,
            "source": source,
            "file": SimpleUploadedFile(name, content),
        },
    )


def import_file(
    client: Client,
    content: bytes,
    capture: Any,
    mapping: dict[str, str] = MAPPING,
    name: str = "fft.csv",
) -> ImportBatch:
    response = upload(client, content, name)
    assert response.status_code == 302, response.content.decode()[:2000]
    batch = ImportBatch.objects.latest("pk")
    with capture(execute=True):
        client.post(f"/staff/imports/{batch.pk}/columns/", mapping)
    batch.refresh_from_db()
    return batch


def test_an_analyst_imports_a_file_and_sees_what_was_created(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    batch = import_file(
        analyst(world), (HEADER + GOOD).encode(), django_capture_on_commit_callbacks
    )

    assert (batch.status, batch.created_count, batch.duplicate_count) == ("done", 3, 0)
    r2 = Experience.objects.get(external_id="R2")
    assert (r2.rating, str(r2.happened_on), r2.channel) == (4, "2026-10-02", "import")
    assert r2.service == world.maternity
    assert Comment.objects.get(experience=r2).text == "Waited hours for pain relief"
    assert Experience.objects.get(external_id="R1").equality.age_band == "35-44"
    assert Experience.objects.get(external_id="R3").comments.count() == 0
    page = analyst(world).get(f"/staff/imports/{batch.pk}/").content.decode()
    assert "Records created" in page


def test_the_mapping_is_saved_for_the_next_file_from_the_source(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    import_file(analyst(world), (HEADER + GOOD).encode(), django_capture_on_commit_callbacks)
    upload(analyst(world), (HEADER + GOOD).encode())
    batch = ImportBatch.objects.latest("pk")

    page = analyst(world).get(f"/staff/imports/{batch.pk}/columns/").content.decode()

    assert re.search(r'<option value="Q1 rating" selected\s*>', page)


def test_reimporting_the_same_or_an_overlapping_file_creates_no_duplicates(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = analyst(world)
    import_file(client, (HEADER + GOOD).encode(), django_capture_on_commit_callbacks)
    again = import_file(client, (HEADER + GOOD).encode(), django_capture_on_commit_callbacks)
    overlap = import_file(
        client,
        (HEADER + GOOD + "R4,2026-10-04,Maternity unit,2,Good,\n").encode(),
        django_capture_on_commit_callbacks,
    )

    assert (again.created_count, again.duplicate_count) == (0, 3)
    assert (overlap.created_count, overlap.duplicate_count) == (1, 3)
    assert Experience.objects.count() == 4


def test_rows_without_an_id_are_recognised_when_imported_again(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    content = b"Ward,Rating\nMaternity unit,1\nMaternity unit,1\nMaternity unit,2\n"
    mapping = {"service": "Ward", "rating": "Rating"}

    first = import_file(analyst(world), content, django_capture_on_commit_callbacks, mapping)
    second = import_file(analyst(world), content, django_capture_on_commit_callbacks, mapping)

    assert first.created_count == 3  # the two identical rows are two people
    assert (second.created_count, second.duplicate_count) == (0, 3)


def test_a_file_with_bad_rows_imports_nothing_and_lists_each_by_line(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    bad = HEADER + GOOD + "R5,31/02/2026,Maternity unit,1,ok,\nR6,2026-10-05,Ward 99,9,,\n"

    batch = import_file(analyst(world), bad.encode(), django_capture_on_commit_callbacks)

    assert batch.status == "failed"
    assert batch.errors == [
        "line 5: date '31/02/2026' is not a date like 2026-03-27 or 27/03/2026",
        "line 6: rating '9' is not 1 to 6 or an FFT answer; service 'Ward 99' is not one of "
        "this organisation's services",
    ]
    assert Experience.objects.count() == 0
    page = analyst(world).get(f"/staff/imports/{batch.pk}/").content.decode()
    assert "Nothing from this file was imported" in page and "line 6:" in page


def test_a_failed_batch_can_be_remapped_and_retried(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = analyst(world)
    wrong = dict(MAPPING, rating="Q2 why")  # the comment column mapped as the rating
    batch = import_file(client, (HEADER + GOOD).encode(), django_capture_on_commit_callbacks, wrong)
    assert batch.status == "failed"

    assert client.post(f"/staff/imports/{batch.pk}/")["Location"] == (
        f"/staff/imports/{batch.pk}/columns/"
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/staff/imports/{batch.pk}/columns/", MAPPING)

    batch.refresh_from_db()
    assert (batch.status, batch.created_count) == ("done", 3)


def workbook(rows: list[list[Any]]) -> bytes:
    """An XLSX file with the columns of HEADER and these rows."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Response ID", "Date", "Ward", "Q1 rating", "Q2 why", "Age"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_files_are_read_like_csv(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    import datetime

    # Excel cells carry no time zone, so the test writes a naive datetime as Excel would.
    when = datetime.datetime(2026, 9, 1, 10)  # noqa: DTZ001
    content = workbook([["X1", when, "Maternity unit", 2, "Kind staff", None]])

    batch = import_file(
        analyst(world), content, django_capture_on_commit_callbacks, name="fft.xlsx"
    )

    assert batch.status == "done"
    assert str(Experience.objects.get(external_id="X1").happened_on) == "2026-09-01"


def test_a_file_that_is_not_utf8_is_refused_at_upload(world: World) -> None:
    response = upload(analyst(world), "Ward,Rating\nCaf\xe9,1\n".encode("latin-1"))

    assert "The file is not UTF-8 text" in response.content.decode()
    assert ImportBatch.objects.count() == 0


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 403), ("bob", 200), ("charlie", 200), ("dana", 403), ("erin", 403)],
)
def test_importing_is_for_analysts_and_organisation_admins(
    world: World, persona: str, status: int
) -> None:
    client = Client()
    client.force_login(getattr(world, persona))

    assert client.get("/staff/imports/").status_code == status


def test_another_organisations_batch_is_not_found(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    from patientvoice.people.models import Membership

    batch = import_file(
        analyst(world), (HEADER + GOOD).encode(), django_capture_on_commit_callbacks
    )
    # Dana becomes an organisation admin at the practice: she may import, but not see
    # the hospital's batches.
    Membership.objects.filter(user=world.dana).update(role="org_admin")
    outsider = Client()
    outsider.force_login(world.dana)

    assert outsider.get(f"/staff/imports/{batch.pk}/").status_code == 404


def many_rows(count: int, bad_line: int | None = None) -> bytes:
    lines = [HEADER]
    for n in range(count):
        rating = "9" if n + 2 == bad_line else "Good"
        lines.append(f"R{n},2026-10-01,Maternity unit,{rating},Comment {n},\n")
    return "".join(lines).encode()


def test_a_bad_row_late_in_a_long_file_imports_nothing(
    world: World, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(check, "CHUNK", 5)

    batch = import_file(
        analyst(world), many_rows(23, bad_line=23), django_capture_on_commit_callbacks
    )

    assert (batch.status, batch.total_rows, batch.error_count) == ("failed", 23, 1)
    assert batch.errors == ["line 23: rating '9' is not 1 to 6 or an FFT answer"]
    assert Experience.objects.count() == 0


def test_a_failure_while_writing_late_chunks_keeps_none_of_the_earlier_ones(
    world: World, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(check, "CHUNK", 5)
    written: list[int] = []

    def fail_on_the_fourth_chunk(real: Any) -> Any:
        def write(batch: ImportBatch, rows: list[Any]) -> list[int]:
            written.append(len(rows))
            if len(written) == 4:
                raise RuntimeError("the database went away")
            return real(batch, rows)

        return write

    monkeypatch.setattr(write, "_write_chunk", fail_on_the_fourth_chunk(write._write_chunk))
    monkeypatch.setattr(write, "_copy_chunk", fail_on_the_fourth_chunk(write._copy_chunk))

    batch = import_file(analyst(world), many_rows(23), django_capture_on_commit_callbacks)

    assert written == [5, 5, 5, 5]
    assert batch.status != "done"
    assert Experience.objects.count() == Comment.objects.count() == 0


def test_a_long_file_is_written_in_chunks_with_every_comment(
    world: World, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(check, "CHUNK", 5)

    batch = import_file(analyst(world), many_rows(23), django_capture_on_commit_callbacks)
    again = import_file(analyst(world), many_rows(23), django_capture_on_commit_callbacks)

    assert (batch.status, batch.created_count) == ("done", 23)
    assert (again.created_count, again.duplicate_count) == (0, 23)
    assert Comment.objects.filter(experience__source=batch.source).count() == 23
    assert len(set(Experience.objects.values_list("reference", flat=True))) == 23
    assert Experience.objects.get(external_id="R22").comments.get().text == "Comment 22"


def test_deprivation_comes_from_a_quintile_or_a_decile_column_and_bad_values_are_listed(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    header = "Response ID,Date,Ward,Q1 rating,IMD decile\n"
    rows = (
        "R1,2026-10-01,Maternity unit,1,1\n"
        "R2,2026-10-01,Maternity unit,2,10\n"
        "R3,2026-10-01,Maternity unit,2,6.0\n"
    )
    mapping = {
        k: v for k, v in MAPPING.items() if k in {"respondent_id", "date", "service", "rating"}
    }

    bad = import_file(
        analyst(world),
        (header + rows + "R4,2026-10-01,Maternity unit,1,11\n").encode(),
        django_capture_on_commit_callbacks,
        mapping | {"imd_decile": "IMD decile"},
    )
    good = import_file(
        analyst(world),
        (header + rows).encode(),
        django_capture_on_commit_callbacks,
        mapping | {"imd_decile": "IMD decile"},
    )

    assert bad.errors == ["line 5: IMD decile '11' is not a whole number from 1 to 10"]
    assert good.status == "done"
    quintiles = dict(
        Experience.objects.values_list("external_id", "equality__deprivation_quintile")
    )
    assert quintiles == {"R1": 1, "R2": 5, "R3": 3}
