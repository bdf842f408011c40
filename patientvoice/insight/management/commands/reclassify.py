from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from patientvoice.insight.reader import ModelMissing
from patientvoice.insight.services import continue_reclassification, start_reclassification


class Command(BaseCommand):
    help = (
        "Reclassify every comment with the model in PATIENTVOICE_MODEL_DIR, in the background "
        "(progress on the staff 'Text model' page). Comments a person has reviewed keep the "
        "person's answer. Run again to resume a run that stopped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", action="store_true", help="Run here and wait, instead of in the worker"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            run = start_reclassification("command line", enqueue=not options["now"])
        except ModelMissing as error:
            raise CommandError(str(error)) from None
        if options["now"]:
            run = continue_reclassification(run.pk)
            self.stdout.write(f"Reclassified with {run.model_version}: {run.done} of {run.total}")
        else:
            self.stdout.write(
                f"Run {run.pk} with {run.model_version} queued for {run.total} comments; "
                "follow it on the staff 'Text model' page"
            )
