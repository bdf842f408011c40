from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from patientvoice.insight import engine
from patientvoice.insight.engine import safeguarding
from patientvoice.insight.services import reviewed_examples


class Command(BaseCommand):
    help = (
        "Train the text model from the shipped labelled comments, and the safeguarding "
        "detector from the labelled sentences, into PATIENTVOICE_MODEL_DIR. Takes a minute or "
        "two on two cores."
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
        parser.add_argument(
            "--safeguarding-only",
            action="store_true",
            help="Retrain only the safeguarding detector and attach it to the current model",
        )
        parser.add_argument(
            "--safeguarding-second-stage",
            action="store_true",
            help="Also train the detector's slower second stage on the full sentence encoder "
            "(used when PATIENTVOICE_SAFEGUARDING_SECOND_STAGE is on)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        directory = settings.PATIENTVOICE_MODEL_DIR
        if options["safeguarding_only"]:
            try:
                model = engine.load_model(directory)
            except engine.ModelNotFound as error:
                raise CommandError(str(error)) from None
            extra = []
        else:
            extra = reviewed_examples() if options["include_reviewed"] else []
            evaluation = None
            if options["evaluate"]:
                self.stdout.write(f"Cross-validating ({options['folds']} folds)…")
                report = engine.evaluate(options["folds"], baseline=False)
                evaluation = report.as_dict()
                self.stdout.write(engine.format_report(report))
            model = engine.train(extra, evaluation=evaluation)
        detector = safeguarding.train(second_stage=options["safeguarding_second_stage"])
        safeguarding.attach(model, detector)
        engine.save_model(model, directory)
        figures = detector.metadata["cross_validation"]
        self.stdout.write(
            f"Safeguarding detector {detector.metadata['version']}: "
            f"{detector.metadata['labelled_sentences']} labelled sentences; grouped "
            f"cross-validation recall {figures['recall']}, false alarms on near-misses "
            f"{figures['false_alarms_near_misses']} at threshold {detector.threshold:.3f}"
        )
        if detector.second_stage is not None:
            second = detector.second_stage.metadata["cross_validation"]
            self.stdout.write(
                f"Second stage: recall {second['recall']}, false alarms on near-misses "
                f"{second['false_alarms_near_misses']}"
            )
        self.stdout.write(
            f"Trained {model.version} on {model.metadata['training_examples']} comments"
            f" and {len(extra)} reviewed ones in {time.monotonic() - started:.0f}s;"
            f" saved to {directory}"
        )
