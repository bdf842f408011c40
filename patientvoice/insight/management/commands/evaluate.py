from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from patientvoice.insight import engine
from patientvoice.insight.engine.model import METADATA_FILE

QUICK_SUBSET = 600


class Command(BaseCommand):
    help = (
        "Cross-validate the text model on the training data (identical texts kept in the same "
        "fold) beside a reproduction of pxtextmining's TF-IDF + SVC, and print the figures. "
        "The full run takes a quarter of an hour on two cores; --quick takes seconds."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--folds", type=int, default=5)
        parser.add_argument(
            "--quick",
            action="store_true",
            help=f"{QUICK_SUBSET} sampled comments, 2 folds: checks it runs; figures indicative",
        )
        parser.add_argument("--no-baseline", action="store_true", help="Skip the baseline")
        parser.add_argument("--jobs", type=int, default=2, help="Processes for the baseline")
        parser.add_argument(
            "--record",
            action="store_true",
            help="Write the figures into the current model's metadata.json for staff to see",
        )
        parser.add_argument("--json", action="store_true", help="Print the figures as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        report = engine.evaluate(
            2 if options["quick"] else options["folds"],
            subset=QUICK_SUBSET if options["quick"] else None,
            baseline=not options["no_baseline"],
            n_jobs=options["jobs"],
            progress=lambda message: self.stderr.write(message),
        )
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
        else:
            self.stdout.write(engine.format_report(report))
        if options["record"]:
            path = settings.PATIENTVOICE_MODEL_DIR / METADATA_FILE
            metadata = json.loads(path.read_text())
            metadata["evaluation"] = report.as_dict()
            path.write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n")
            self.stderr.write(f"Recorded the figures in {path}")
