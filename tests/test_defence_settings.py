"""The public forms' defences are set from the environment: a bad value stops start-up with a
message naming the variable, and CACHE_URL chooses where the counters live."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

SHOW = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.CACHES['default']['BACKEND'], s.PATIENTVOICE_RATELIMIT, "
    "s.PATIENTVOICE_FORM_MIN_SECONDS, s.DATA_UPLOAD_MAX_MEMORY_SIZE]))"
)


def settings_with(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PATIENTVOICE_", "CACHE_URL", "TASK_BACKEND", "DJANGO_SETTINGS"))
    }
    return subprocess.run(
        [sys.executable, "-c", SHOW],
        env={**clean, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "patientvoice.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"PATIENTVOICE_RATELIMIT_CLIENT_HOLD": "twenty"},
            "PATIENTVOICE_RATELIMIT_CLIENT_HOLD must be a rate like 20/10m",
        ),
        ({"PATIENTVOICE_FORM_MIN_SECONDS": "-1"}, "PATIENTVOICE_FORM_MIN_SECONDS must be a whole"),
        ({"CACHE_URL": "memcached://x"}, "CACHE_URL must be a redis:// URL or 'database'"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(env: dict[str, str], message: str) -> None:
    done = settings_with(**env)

    assert done.returncode != 0
    assert message in done.stderr


def test_the_counters_live_in_the_database_by_default_and_in_redis_when_told() -> None:
    default = json.loads(settings_with().stdout)
    redis = json.loads(settings_with(TASK_BACKEND="redis").stdout)
    raised = json.loads(
        settings_with(
            CACHE_URL="redis://127.0.0.1:6379/3",
            PATIENTVOICE_RATELIMIT_CLIENT_HOLD="1000/m",
            PATIENTVOICE_FORM_MIN_SECONDS="0",
        ).stdout
    )

    assert default[0] == "patientvoice.cache.DatabaseCache"
    assert default[1:] == [
        {"client_hold": "20/10m", "client_refuse": "100/10m", "scope_hold": "60/h"},
        3,
        1_000_000,
    ]
    assert redis[0] == raised[0]
    assert redis[0].endswith(".RedisCache")
    assert raised[1]["client_hold"] == "1000/m" and raised[2] == 0
