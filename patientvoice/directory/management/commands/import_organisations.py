from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from patientvoice.directory.imports import ImportFailed, import_organisations
from patientvoice.directory.models import Organisation


class Command(BaseCommand):
    help = (
        "Create or update organisations from an ODS-style CSV with a header row "
        "(ODS code, Name, Kind, Postcode, Address, Parent ODS code, Status). A file with any bad "
        "row imports nothing; every bad row is listed with its line number."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("csv_file", type=Path)
        parser.add_argument(
            "--kind",
            choices=Organisation.Kind.values,
            default="",
            help="Kind for rows without a Kind column, e.g. gp_practice for a practice list",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["csv_file"]
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                result = import_organisations(handle, options["kind"])
        except FileNotFoundError:
            raise CommandError(f"No such file: {path}") from None
        except UnicodeDecodeError as error:
            raise CommandError(f"{path} is not UTF-8 text ({error.reason})") from None
        except ImportFailed as failure:
            lines = "\n".join(f"  {e}" for e in failure.errors)
            raise CommandError(
                f"Nothing was imported: {len(failure.errors)} problem(s) in {path}\n{lines}"
            ) from None
        self.stdout.write(
            f"Imported {path.name}: {result.created} created, {result.updated} updated, "
            f"{result.skipped_inactive} inactive rows skipped"
        )
