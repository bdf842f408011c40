from typing import Any

from django.core.management.base import BaseCommand

from patientvoice.feedback.demo import DEMO_PASSWORD, STAFF, load_demo


class Command(BaseCommand):
    help = "Load the demo world: organisations, groups, services, staff and feedback (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = load_demo()
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count}")
        users = ", ".join(username for username, *_ in STAFF)
        self.stdout.write(f"Demo staff accounts ({users}) use the password {DEMO_PASSWORD}")
