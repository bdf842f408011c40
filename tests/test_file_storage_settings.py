"""Uploaded files live under MEDIA_ROOT (var/media unless the environment says otherwise), never
in the working directory, and the storage backend can be named from the environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def settings_in(cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Print where files go, as the real settings module decides, from another directory."""
    clean = {k: v for k, v in os.environ.items() if k not in {"MEDIA_ROOT", "DATABASE_URL"}}
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "from django.core.files.storage import default_storage as s; "
        "print(settings.MEDIA_ROOT); print(s.path('imports/x.csv'))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        env={**clean, "DJANGO_SETTINGS_MODULE": "patientvoice.settings", "DEBUG": "true", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_uploads_go_to_var_media_whatever_the_working_directory(tmp_path: Path) -> None:
    result = settings_in(tmp_path)

    assert result.returncode == 0, result.stderr
    media, path = result.stdout.splitlines()
    assert media == str(ROOT / "var" / "media")
    assert path == str(ROOT / "var" / "media" / "imports" / "x.csv")


def test_media_root_comes_from_the_environment(tmp_path: Path) -> None:
    result = settings_in(ROOT, MEDIA_ROOT=str(tmp_path / "uploads"))

    assert result.stdout.splitlines()[0] == str(tmp_path / "uploads")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"FILE_STORAGE_OPTIONS": "{bucket"}, "FILE_STORAGE_OPTIONS is not JSON"),
        ({"FILE_STORAGE_OPTIONS": "[1]"}, "FILE_STORAGE_OPTIONS must be a JSON object"),
        ({"IMPORT_STUCK_MINUTES": "²"}, "IMPORT_STUCK_MINUTES must be a whole number"),
    ],
)
def test_a_bad_storage_or_import_setting_stops_start_up(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    result = settings_in(ROOT, **env)

    assert result.returncode != 0 and message in result.stderr


def test_the_storage_backend_and_its_options_come_from_the_environment(tmp_path: Path) -> None:
    result = settings_in(
        ROOT,
        FILE_STORAGE_BACKEND="django.core.files.storage.FileSystemStorage",
        FILE_STORAGE_OPTIONS=f'{{"location": "{tmp_path}"}}',
    )

    assert result.stdout.splitlines()[1] == str(tmp_path / "imports" / "x.csv")
