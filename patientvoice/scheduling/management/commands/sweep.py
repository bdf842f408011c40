"""`patientvoice sweep`: run every periodic task once, here and now (for cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from patientvoice.scheduling.periodic import run_all_now


class Command(BaseCommand):
    help = (
        "Run every task in PATIENTVOICE_PERIODIC_TASKS once in this process: re-queue comments "
        "left unclassified and imports whose worker died, delete import files past retention. "
        "Safe to run at any time, and beside `patientvoice scheduler`."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for path, result in run_all_now().items():
            self.stdout.write(f"{path}: {result}")
