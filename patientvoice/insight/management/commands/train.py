from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from patientvoice.insight import engine
from patientvoice.insight.services import reviewed_examples


class Command(BaseCommand):
    help = (
        "Train the text model from the shipped labelled comments into PATIENTVOICE_MODEL_DIR. "
        "Takes a minute or two on two cores."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--include-reviewed",
            action="store_true",
            help="Also learn from themes and sentiment that staff reviewed or corrected",
        )
        parser.add_argument(
            "--evaluate",
            action="store_true",
            help="Also run grouped cross-validation and record the figures with the model",
        )
        parser.add_argument("--folds", type=int, default=5, help="Folds for --evaluate")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        extra = reviewed_examples() if options["include_reviewed"] else []
        evaluation = None
        if options["evaluate"]:
            self.stdout.write(f"Cross-validating ({options['folds']} folds)…")
            report = engine.evaluate(options["folds"], baseline=False)
            evaluation = report.as_dict()
            self.stdout.write(engine.format_report(report))
        model = engine.train(extra, evaluation=evaluation)
        directory = engine.save_model(model, settings.PATIENTVOICE_MODEL_DIR)
        self.stdout.write(
            f"Trained {model.version} on {model.metadata['training_examples']} comments"
            f" and {len(extra)} reviewed ones in {time.monotonic() - started:.0f}s;"
            f" saved to {directory}"
        )
