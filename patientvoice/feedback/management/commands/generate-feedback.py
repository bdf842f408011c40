from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from patientvoice.feedback.generate import generate_feedback


class Command(BaseCommand):
    help = (
        "Write realistic synthetic feedback for the demo organisations (seasonality, services "
        "of different sizes, a few real deteriorations), for benchmarks and demos. Idempotent: "
        "the first N rows for a seed are always the same and are only written once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rows", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--months", type=int, default=24)
        parser.add_argument(
            "--no-classify", action="store_true", help="Do not queue the comments for the model"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rows"] < 1:
            raise CommandError("--rows must be at least 1")
        try:
            added = generate_feedback(
                options["rows"], options["seed"], options["months"], not options["no_classify"]
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Added {added} synthetic feedback records")
