import time
from typing import Any

from django.core.management.base import BaseCommand

from patientvoice.insight.summary import rebuild_insight_summary


class Command(BaseCommand):
    help = (
        "Rebuild the insight summaries (responses and themes per service, channel and month) "
        "from the records. Every write keeps them up to date (and migrating fills them on an "
        "upgraded database); run this after changing records outside the product (the platform "
        "admin, SQL). Running it twice changes nothing; writers wait while it runs."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        rows = rebuild_insight_summary()
        self.stdout.write(
            f"Rebuilt the insight summary: {rows['responses']:,} response rows, "
            f"{rows['themes']:,} theme rows in {time.perf_counter() - started:.1f} s"
        )
