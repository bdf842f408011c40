from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from patientvoice.directory.models import Organisation

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def run(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import_organisations", str(path), *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_imports_practices_and_trusts_with_their_parents() -> None:
    output = run(FIXTURES / "organisations.csv")

    assert "5 created, 0 updated, 1 inactive rows skipped" in output
    practice = Organisation.objects.get(ods_code="Y99001")
    assert practice.kind == Organisation.Kind.GP_PRACTICE
    assert practice.parent is not None and practice.parent.ods_code == "U99901"
    assert practice.parent.parent is not None and practice.parent.parent.ods_code == "QZ9"
    assert not Organisation.objects.filter(ods_code="Y99009").exists()


@pytest.mark.django_db
def test_importing_twice_updates_instead_of_duplicating() -> None:
    run(FIXTURES / "organisations.csv")
    Organisation.objects.filter(ods_code="Y99001").update(name="Renamed by hand")

    output = run(FIXTURES / "organisations.csv")

    assert "0 created, 5 updated" in output
    assert Organisation.objects.count() == 5
    assert Organisation.objects.get(ods_code="Y99001").name == "Oak Lane Surgery"


@pytest.mark.django_db
def test_a_file_with_bad_rows_reports_each_by_line_and_imports_nothing() -> None:
    with pytest.raises(CommandError) as raised:
        run(FIXTURES / "organisations_bad.csv")

    message = str(raised.value)
    assert "Nothing was imported: 5 problem(s)" in message
    assert "line 3: name is missing" in message
    assert "line 4: kind 'spaceship' is not one of" in message
    assert "line 5: postcode 'NOT A POSTCODE' is not a UK postcode" in message
    assert "line 6: ODS code QZ9 already appears on line 2" in message
    assert "line 7: parent ODS code XX999 is not in the file or the directory" in message
    assert Organisation.objects.count() == 0


@pytest.mark.django_db
def test_a_header_without_the_needed_columns_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "wrong.csv"
    path.write_text("Practice,Town\nOak Lane,Kirkby\n", encoding="utf-8")

    with pytest.raises(CommandError, match="no column for name, ods_code"):
        run(path)


@pytest.mark.django_db
def test_rows_without_a_kind_take_the_kind_option(tmp_path: Path) -> None:
    path = tmp_path / "practices.csv"
    path.write_text("Organisation Code,Organisation Name\nY12345,Hill Surgery\n", encoding="utf-8")

    run(path, "--kind", "gp_practice")

    assert Organisation.objects.get(ods_code="Y12345").kind == "gp_practice"


@pytest.mark.django_db
def test_a_file_that_is_not_utf8_gets_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("ODS code,Name,Kind\nY12345,Caf\xe9 Surgery,gp_practice\n".encode("latin-1"))

    with pytest.raises(CommandError, match="is not UTF-8 text"):
        run(path)
    assert Organisation.objects.count() == 0
