"""Settings come from the environment and a bad value stops start-up with a clear message."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


def check_with(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "TASK_BACKEND"}
    }
    return subprocess.run(
        [sys.executable, "-m", "patientvoice", "check", "--deploy", "--fail-level", "ERROR"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG must be true or false, not 'maybe'"),
        ({"DEBUG": "false"}, "SECRET_KEY must be set when DEBUG is off"),
        ({"DEBUG": "true", "TASK_BACKEND": "celery"}, "TASK_BACKEND must be one of"),
        ({"DEBUG": "true", "DATABASE_URL": "nonsense://x"}, "DATABASE_URL is not a database URL"),
        (
            {"DEBUG": "true", "PATIENTVOICE_LOGO_URL": "logo.png"},
            "PATIENTVOICE_LOGO_ALT is required with PATIENTVOICE_LOGO_URL",
        ),
        (
            {"DEBUG": "true", "PATIENTVOICE_CONTACT_RETENTION_MONTHS": "²"},
            "PATIENTVOICE_CONTACT_RETENTION_MONTHS must be a whole number from 1 to 120",
        ),
    ],
)
def test_a_bad_setting_stops_start_up_naming_the_variable(
    env: dict[str, str], message: str
) -> None:
    result = check_with(**env)

    assert result.returncode != 0
    assert message in result.stderr


def test_production_settings_pass_with_a_secret_key_and_hosts() -> None:
    result = check_with(DEBUG="false", SECRET_KEY="x" * 60, ALLOWED_HOSTS="example.org")

    assert result.returncode == 0, result.stderr


def test_postgresql_is_chosen_by_database_url() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']="
            "'patientvoice.settings'; from django.conf import settings; "
            "print(settings.DATABASES['default']['ENGINE'])",
        ],
        env={**os.environ, "DEBUG": "true", "DATABASE_URL": "postgres://u@127.0.0.1:5432/pv"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert result.stdout.strip() == "django.db.backends.postgresql"


def test_a_sqlite_database_is_created_in_wal_mode(tmp_path: Path) -> None:
    database = tmp_path / "pv.db"
    subprocess.run(
        [sys.executable, "-m", "patientvoice", "migrate", "--noinput", "-v0"],
        env={**os.environ, "DEBUG": "true", "DATABASE_URL": f"sqlite:///{database}"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    with sqlite3.connect(database) as connection:
        mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
