from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from patientvoice.feedback.demo import DEMO_PASSWORD, STAFF, load_demo
from patientvoice.influence.demo import STAFF as REPORT_STAFF
from patientvoice.influence.demo import load_demo_reports
from patientvoice.involvement.demo import CHAIR_USERNAME, load_demo_groups


class Command(BaseCommand):
    help = "Load the demo world: organisations, groups, services, staff and feedback (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load it with DEBUG off too (a demonstration or test deployment); staff "
            "accounts then get no password",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # The published password is printed by `make run` and in the README: with it on a real
        # deployment anyone could sign in as staff.
        development = settings.DEBUG
        if not development and not options["allow_production"]:
            raise CommandError(
                "DEBUG is off: this looks like a real deployment, and the demo world adds "
                "invented organisations, staff and feedback to it. Run with --allow-production "
                "if that is what you want (for a demonstration or test site)."
            )
        counts = load_demo(staff_password=DEMO_PASSWORD if development else None)
        counts |= load_demo_groups(DEMO_PASSWORD if development else None)
        counts |= load_demo_reports(DEMO_PASSWORD if development else None)
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count}")
        users = ", ".join(username for username, *_ in STAFF)
        if development:
            self.stdout.write(f"Demo staff accounts ({users}) use the password {DEMO_PASSWORD}")
            self.stdout.write(
                f"The Oak Lane PPG's chair signs in as {CHAIR_USERNAME} with the same password"
            )
            self.stdout.write(
                "Reports: "
                + ", ".join(
                    f"{first} ({username}, {role.label})"
                    for username, first, _l, _o, role in REPORT_STAFF
                )
                + ", with the same password"
            )
        else:
            self.stdout.write(
                f"Demo staff accounts ({users}) have no password, as DEBUG is off. Set one with "
                "`patientvoice changepassword USERNAME`."
            )
