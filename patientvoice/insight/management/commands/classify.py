from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from patientvoice.insight import engine


class Command(BaseCommand):
    help = (
        "Classify the comments in a CSV file: writes every input column plus `themes` "
        "(joined with '; '), `sentiment` (1 very positive … 5 very negative; empty when "
        "there is no text) and the most severe concern: `concern` (safeguarding or complaint), "
        "`concern_category`, `concern_severity` (1 most severe) and `concern_evidence` (the "
        "sentence that raised it). Bad rows are reported on stderr with their line numbers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", type=Path, help="UTF-8 CSV file with a header row")
        parser.add_argument("--text-column", required=True, help="Column holding the comment")
        parser.add_argument("--question-column", help="Column holding the question answered")
        parser.add_argument("--rating-column", help="Column holding the FFT rating (1–5)")
        parser.add_argument("--output", required=True, type=Path, help="CSV file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        if not options["input"].is_file():
            raise CommandError(f"No such file: {options['input']}")
        try:
            model = engine.load_model(settings.PATIENTVOICE_MODEL_DIR)
            report = engine.classify_csv(
                model,
                options["input"],
                options["output"],
                text_column=options["text_column"],
                question_column=options["question_column"],
                rating_column=options["rating_column"],
                errors=self.stderr,
            )
        except (engine.ModelNotFound, engine.MissingColumns, UnicodeDecodeError) as error:
            raise CommandError(str(error)) from None
        self.stderr.write(
            f"Classified {report.rows_written} rows with {model.version} in "
            f"{time.monotonic() - started:.1f}s; {report.bad_rows} bad rows skipped"
        )
