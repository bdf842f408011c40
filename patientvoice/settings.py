"""Settings for every deployment, read from environment variables only.

A bad value stops start-up with a message naming the variable: a typo in production must not
silently fall back to a development default.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_choice(name: str, default: str, choices: set[str]) -> str:
    value = os.environ.get(name, default).strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {sorted(choices)}, not {value!r}")
    return value


DEBUG = env_bool("DEBUG", False)

# The development key only ever works with DEBUG on; production must set its own.
_DEV_SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", _DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "django_tasks_rq",
    "django_rq",  # provides the rqworker command for the Redis-backed workers
    "patientvoice.directory",
    "patientvoice.people",
    "patientvoice.feedback",
    "patientvoice.insight",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "patientvoice.urls"
WSGI_APPLICATION = "patientvoice.wsgi.application"

TEMPLATES = [
    {
        # Our pages: Jinja2 with the NHS.UK frontend macros.
        "BACKEND": "patientvoice.jinja.Jinja2Backend",
        "DIRS": [BASE_DIR / "patientvoice" / "jinja2"],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "patientvoice.jinja.environment"},
    },
    {
        # Django's admin only (platform administrators).
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    },
]

# SQLite by default so a newcomer needs nothing installed; PostgreSQL when DATABASE_URL says so.
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'patientvoice.db'}")
try:
    _database = dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {error}") from error
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker write while web requests read; IMMEDIATE transactions take the write
    # lock up front so concurrent writers queue instead of failing with "database is locked".
    _database["CONN_MAX_AGE"] = 0
    _database["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "people.User"
LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "staff:feedback_list"
LOGOUT_REDIRECT_URL = "directory:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
# `make frontend` copies the few NHS.UK frontend files we serve out of node_modules (its dist
# folder also holds 19 MB of module sources we never serve).
STATICFILES_DIRS = [BASE_DIR / "var" / "frontend", BASE_DIR / "patientvoice" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Background work: the database-backed worker by default (no extra server), Redis to scale out.
TASK_BACKEND = env_choice("TASK_BACKEND", "database", {"database", "redis", "immediate"})
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "redis": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASK_BACKEND], "QUEUES": ["default"]}}
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
# Tasks that receive the ids of newly stored comments, enqueued after the storing transaction
# commits (docs/decisions/0001-comment-follow-up-tasks.md).
FEEDBACK_COMMENT_TASKS = ["patientvoice.insight.tasks.classify_comments"]

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "patientvoice@localhost")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
if "EMAIL_FILE_PATH" in os.environ:
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]

SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# The address people reach the site at, for links in emails sent by background tasks.
BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Where `patientvoice train` writes the text model and the web app and worker read it.
PATIENTVOICE_MODEL_DIR = Path(os.environ.get("PATIENTVOICE_MODEL_DIR", BASE_DIR / "var" / "models"))

# The logo in every page's header. NHS identity rules reserve the NHS logo for NHS
# organisations: a Healthwatch, council or voluntary deployment sets its own image here (a URL,
# or a path under the static files) and the text people hear for it.
PATIENTVOICE_LOGO_URL = os.environ.get("PATIENTVOICE_LOGO_URL", "")
PATIENTVOICE_LOGO_ALT = os.environ.get("PATIENTVOICE_LOGO_ALT", "")
if PATIENTVOICE_LOGO_URL and not PATIENTVOICE_LOGO_ALT:
    raise ImproperlyConfigured(
        "PATIENTVOICE_LOGO_ALT is required with PATIENTVOICE_LOGO_URL: the logo's text alternative"
    )

# Who runs this deployment, for the privacy notice, accessibility statement and emails. Name an
# organisation in the directory (its slug) to use the identity recorded there (data controller,
# data protection officer, lawful basis); the name and contact variables fill any gaps.
PATIENTVOICE_OPERATOR_ORGANISATION = os.environ.get("PATIENTVOICE_OPERATOR_ORGANISATION", "")
PATIENTVOICE_OPERATOR_NAME = os.environ.get("PATIENTVOICE_OPERATOR_NAME", "")
PATIENTVOICE_OPERATOR_EMAIL = os.environ.get("PATIENTVOICE_OPERATOR_EMAIL", "")
PATIENTVOICE_OPERATOR_PHONE = os.environ.get("PATIENTVOICE_OPERATOR_PHONE", "")
# How long to keep the contact details of someone who signed up to get involved without choosing
# any group (no organisation's own period applies to them), counted from their last activity.
_retention = os.environ.get("PATIENTVOICE_CONTACT_RETENTION_MONTHS", "24").strip()
if not (_retention.isascii() and _retention.isdigit() and 1 <= int(_retention) <= 120):
    raise ImproperlyConfigured(
        "PATIENTVOICE_CONTACT_RETENTION_MONTHS must be a whole number from 1 to 120, "
        f"not {_retention!r}"
    )
PATIENTVOICE_CONTACT_RETENTION_MONTHS = int(_retention)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
