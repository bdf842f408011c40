"""`patientvoice scheduler`: enqueue the periodic tasks when they are due, until stopped."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from patientvoice.scheduling.periodic import enqueue_due, periodic_tasks


class Command(BaseCommand):
    help = (
        "Enqueue the tasks in PATIENTVOICE_PERIODIC_TASKS when each is due, for the workers to "
        "run. Several copies may run: each task is enqueued once per period."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=15.0,
            help="Seconds between looks at what is due (default 15)",
        )
        parser.add_argument(
            "--once", action="store_true", help="Enqueue what is due now, then stop"
        )

    def handle(self, *args: Any, interval: float, once: bool, **options: Any) -> None:
        tasks = periodic_tasks()
        stopping = threading.Event()

        def stop(signum: int, frame: FrameType | None) -> None:
            stopping.set()

        if not once:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
            names = ", ".join(f"{t.path} every {int(t.every.total_seconds())} s" for t in tasks)
            self.stdout.write(f"Scheduler started: {names}")
        while True:
            for path in enqueue_due(tasks):
                self.stdout.write(f"Enqueued {path}")
            if once or stopping.wait(interval):
                break
        if not once:
            self.stdout.write("Scheduler stopped")
