"""`make run` prints every demo login and points email links at the address it serves.

Read from a dry run (`make -n`): nothing is installed, migrated or started.
"""

import os
import subprocess
from pathlib import Path

import pytest

from patientvoice.feedback.demo import STAFF

ROOT = Path(__file__).resolve().parents[1]
# A target added for the test only, run before `run`'s recipe, that prints what `run` exports.
PROBE = ["--eval", "run: probe-base-url", "--eval", "probe-base-url: ; @echo BASE_URL=$(BASE_URL)"]


def dry_run(*arguments: str, base_url: str | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "BASE_URL"}
    if base_url is not None:
        env["BASE_URL"] = base_url
    return subprocess.run(
        ["make", "--no-print-directory", "-n", *PROBE, "run", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@pytest.mark.parametrize("username", [username for username, *_ in STAFF])
def test_every_demo_login_is_printed(username: str) -> None:
    assert f'echo "    {username} ' in dry_run()


def test_email_links_follow_the_host_and_port_it_runs_on() -> None:
    output = dry_run("HOST=0.0.0.0", "PORT=8123")

    assert "BASE_URL=http://0.0.0.0:8123" in output
    assert "runserver --noreload 0.0.0.0:8123" in output


def test_a_base_url_set_by_the_operator_is_kept() -> None:
    assert "BASE_URL=https://voice.example.nhs.uk" in dry_run(
        base_url="https://voice.example.nhs.uk"
    )
