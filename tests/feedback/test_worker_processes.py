"""Tasks enqueued by the web app are run by real worker processes: the database-backed worker
(the embedded default) and the Redis-backed RQ worker (production profile).

The worker is a separate process, so it must see committed rows in a database it can open:
these tests need PostgreSQL (CI's second run). On SQLite's in-memory test database they are
skipped, saying why; with PATIENTVOICE_REQUIRE_SERVICES=1 (set by .ci/run) a missing
service fails the run instead of skipping.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from patientvoice.feedback.tasks import confirm_contact_email
from tests.conftest import World, make_experience

REDIS_URL = "redis://127.0.0.1:6379/15"
BACKENDS = {
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
    "redis": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
}


def unavailable(reason: str) -> None:
    if os.environ.get("PATIENTVOICE_REQUIRE_SERVICES") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def database_url() -> str:
    if connection.vendor != "postgresql":
        unavailable("worker processes need a shared database: run with DATABASE_URL=postgres://…")
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def run_worker(backend: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    if backend == "database":
        command = ["db_worker", "--batch", "--no-startup-delay"]
    else:
        command = ["rqworker", "--burst", "--job-class", "django_tasks_rq.Job", "default"]
    return subprocess.run(
        [sys.executable, "-m", "patientvoice", *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("backend", ["database", "redis"])
def test_a_worker_process_sends_the_confirmation_link_once(
    world: World, backend: str, tmp_path: Path
) -> None:
    url = database_url()
    if backend == "redis":
        if not redis_available():
            unavailable(f"Redis is not answering at {REDIS_URL}")
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "patientvoice.settings",
        "DEBUG": "true",
        "DATABASE_URL": url,
        "TASK_BACKEND": backend,
        "REDIS_URL": REDIS_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path),
    }

    # The worker counts emails per address in the database cache, as a deployment without Redis
    # does; its table is made by `migrate` under those settings, not under the test settings.
    database_cache = {"BACKEND": "patientvoice.cache.DatabaseCache", "LOCATION": "pv_cache"}
    with override_settings(CACHES={"default": database_cache}):
        call_command("createcachetable", verbosity=0)
    queues = {"default": {"URL": REDIS_URL}}
    with override_settings(TASKS={"default": BACKENDS[backend]}, RQ_QUEUES=queues):
        # The submission enqueues the link to confirm the address (nothing else is sent to an
        # address its owner has not confirmed) once its transaction commits.
        experience = make_experience(
            world.maternity, may_contact=True, contact_name="Sam", contact_email="sam@example.org"
        )
        confirm_contact_email.enqueue(experience.pk)  # a duplicate: must not email twice
    result = run_worker(backend, env)

    assert result.returncode == 0, result.stderr
    experience.refresh_from_db()
    assert experience.confirmation_sent_at is not None, result.stderr[-3000:]
    assert experience.acknowledged_at is None  # not before the owner confirms
    emails = list(tmp_path.iterdir())
    assert len(emails) == 1
    assert "sam@example.org" in emails[0].read_text()
