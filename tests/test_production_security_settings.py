"""The production profile is secure with nothing but DEBUG=false, SECRET_KEY and ALLOWED_HOSTS:
HTTPS redirect and HSTS on, `check --deploy` clean, and email refused rather than logged until
it is configured. Each runs the real settings module in a fresh process."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys

import pytest

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50)[:50],
    "ALLOWED_HOSTS": "example.org",
}
# Variables the parent test run or a developer's shell may set, which production would not.
UNSET = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "TASK_BACKEND", "SECURE_COOKIES"}
UNSET |= {k for k in os.environ if k.startswith(("SECURE_", "EMAIL_", "DJANGO_"))}


def run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in UNSET}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "patientvoice.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def production_settings(*names: str, **env: str) -> dict[str, object]:
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}))"
    )
    result = run(code, **PRODUCTION, **env)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_https_redirect_and_hsts_are_on_by_default_in_production() -> None:
    values = production_settings(
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
    )

    assert values == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
    }


def test_each_is_settable_by_the_variable_named_as_djangos_setting() -> None:
    values = production_settings(
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_PROXY_SSL_HEADER",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="3600",
        SECURE_HSTS_PRELOAD="false",
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
    )

    assert values == {
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 3600,
        "SECURE_HSTS_PRELOAD": False,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
    }


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SECURE_HSTS_SECONDS": "a year"}, "SECURE_HSTS_SECONDS must be a whole number"),
        ({"SECURE_HSTS_SECONDS": "²"}, "SECURE_HSTS_SECONDS must be a whole number"),
        ({"SECURE_SSL_REDIRECT": "perhaps"}, "SECURE_SSL_REDIRECT must be true or false"),
        ({"SECURE_PROXY_SSL_HEADER": "https"}, "SECURE_PROXY_SSL_HEADER must be a header"),
        ({"STAFF_IDLE_TIMEOUT_MINUTES": "0"}, "STAFF_IDLE_TIMEOUT_MINUTES must be a whole number"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(env: dict[str, str], message: str) -> None:
    result = run("import django; django.setup()", **PRODUCTION, **env)

    assert result.returncode != 0
    assert message in result.stderr


def test_check_deploy_reports_no_issues() -> None:
    result = run(
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['patientvoice', 'check', '--deploy'])",
        **PRODUCTION,
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_without_an_email_backend_production_refuses_email_and_logs_no_content() -> None:
    result = run(
        "import django; django.setup(); from django.core.mail import send_mail; "
        "from django.conf import settings; print(settings.EMAIL_BACKEND); "
        "print(send_mail('Your feedback PV-123', 'Dear Jo Bloggs, about your stay', None, "
        "['jo@example.org']))",
        **PRODUCTION,
    )

    backend, sent = result.stdout.split()
    assert backend == "patientvoice.mail.UnconfiguredEmailBackend"
    assert sent == "0"
    assert "Email not configured, not sent: 1 message(s) to 1 recipient(s)" in result.stderr
    assert "Jo Bloggs" not in result.stderr
    assert "jo@example.org" not in result.stderr


def test_the_web_process_says_at_start_up_that_email_is_not_configured() -> None:
    result = run("import patientvoice.wsgi", **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "Email is not configured: set EMAIL_BACKEND" in result.stderr


@pytest.mark.parametrize(
    ("env", "backend"),
    [
        ({"EMAIL_HOST": "smtp.example.org"}, "django.core.mail.backends.smtp.EmailBackend"),
        (
            {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend"},
            "django.core.mail.backends.filebased.EmailBackend",
        ),
    ],
)
def test_a_configured_email_backend_is_used(env: dict[str, str], backend: str) -> None:
    assert production_settings("EMAIL_BACKEND", **env)["EMAIL_BACKEND"] == backend
