"""The `patientvoice` console script: Django's manage.py under the product's own name."""

import os
import secrets
import sys

# Commands that read and write files and serve no page: an analyst runs them on a fresh install
# with no web settings. Nothing they do is signed, so a key made for this one process is enough
# when none is configured (the web server and worker still refuse to start without one).
FILE_COMMANDS = {"classify", "evaluate"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patientvoice.settings")
    if len(sys.argv) > 1 and sys.argv[1] in FILE_COMMANDS and not os.environ.get("SECRET_KEY"):
        os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
