from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from patientvoice import csvexport
from patientvoice.insight import triage
from patientvoice.insight.models import ConcernDecision


class Command(BaseCommand):
    help = (
        "Write staff decisions on safeguarding concerns as labelled sentences (columns "
        f"{','.join(triage.EXPORT_COLUMNS)}) for `patientvoice evaluate --decisions FILE` and the "
        "next training run: confirmed → the concern's category, regraded → the new category, "
        "dismissed → none. Every organisation's decisions; recorded in the audit log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, type=Path, help="CSV file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        written = 0
        with options["output"].open("w", newline="", encoding="utf-8") as out:
            writer = csvexport.writer(out)
            writer.writerow(triage.EXPORT_COLUMNS)
            for row in triage.labelled_sentences(ConcernDecision.objects.all()):
                writer.writerow(row)
                written += 1
        with transaction.atomic():
            triage.record_export(None, [None], sentences=written)
        # A count only: the sentences are people's words and stay out of the terminal's log.
        self.stderr.write(f"Wrote {written} labelled sentences to {options['output']}")
