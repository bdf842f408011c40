"""Settings for every deployment, read from environment variables only.

A bad value stops start-up with a message naming the variable: a typo in production must not
silently fall back to a development default.
"""

from __future__ import annotations

import datetime
import json
import os
import re
from pathlib import Path

import dj_database_url
from csp import constants as csp_constants
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


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name, str(default)).strip()
    if not (raw.isascii() and raw.isdigit()) or int(raw) < minimum:
        raise ImproperlyConfigured(
            f"{name} must be a whole number of at least {minimum}, not {raw!r}"
        )
    return int(raw)


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
    "django_ratelimit",  # its system checks look at the cache the counters live in
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "patientvoice.directory",
    "patientvoice.people",
    "patientvoice.feedback",
    "patientvoice.insight",
    "patientvoice.influence",
    "patientvoice.involvement",
    "patientvoice.scheduling",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "patientvoice.middleware.ResponseHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before anything reads the body (the CSRF check does, in its process_view).
    "patientvoice.defences.RequestSizeLimitMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "patientvoice.people.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into our "try again later" page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "patientvoice.urls"
# A failed CSRF check (a form left open too long, cookies refused) explains itself in our layout.
CSRF_FAILURE_VIEW = "patientvoice.errors.csrf_failure"
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
# django-axes first: it refuses a locked-out username or address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
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
# Uploaded files (import files hold patient data) through Django's storage API: on disk outside
# the code and the web root by default; FILE_STORAGE_BACKEND and FILE_STORAGE_OPTIONS (JSON)
# name another backend, such as django-storages' S3 one for S3-compatible storage.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media")).resolve()
try:
    _file_storage_options = json.loads(os.environ.get("FILE_STORAGE_OPTIONS", "{}"))
except ValueError as error:
    raise ImproperlyConfigured(f"FILE_STORAGE_OPTIONS is not JSON: {error}") from error
if not isinstance(_file_storage_options, dict):
    raise ImproperlyConfigured("FILE_STORAGE_OPTIONS must be a JSON object")
STORAGES = {
    "default": {
        "BACKEND": os.environ.get(
            "FILE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": _file_storage_options,
    },
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
# Work that must happen even when a worker dies: `patientvoice scheduler` enqueues each task every
# so many seconds (one copy enqueues, however many run), `patientvoice sweep` runs them all once.
# See docs/decisions/0005-recoverable-work.md.
PATIENTVOICE_PERIODIC_TASKS: list[tuple[str, int]] = [
    ("patientvoice.insight.tasks.classify_missed_comments", 600),
    ("patientvoice.feedback.tasks.recover_stuck_imports", 300),
    ("patientvoice.feedback.tasks.delete_import_files", 3600),
    # Contact details past their organisation's retention period (patientvoice.feedback.retention).
    ("patientvoice.feedback.retention.apply_retention", 86400),
    # Reports' responses: reminders before the due date, escalation once overdue (influence.tasks).
    ("patientvoice.influence.tasks.send_response_reminders", 3600),
    ("patientvoice.influence.tasks.escalate_overdue_responses", 3600),
]
# An import whose run has shown no progress for this long has lost its worker and is run again.
IMPORT_STUCK_MINUTES = env_int("IMPORT_STUCK_MINUTES", 30, minimum=1)
# Uploaded import files are deleted once imported; any other (failed, never started) this many
# days after upload.
IMPORT_FILE_RETENTION_DAYS = env_int("IMPORT_FILE_RETENTION_DAYS", 14, minimum=1)

# Development prints email to the console. Production sends by SMTP once EMAIL_HOST is set, and
# until then refuses to send rather than write messages to the log (patientvoice.mail).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "patientvoice.mail.UnconfiguredEmailBackend"
)
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
# Safeguarding: also read the sentences the fast detector is unsure of with the full sentence
# encoder (needs the encoder package; the model must be trained with the second stage).
PATIENTVOICE_SAFEGUARDING_SECOND_STAGE = env_bool("PATIENTVOICE_SAFEGUARDING_SECOND_STAGE", False)

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

# HTTPS only, on by default in production. Each is named as Django's setting; a plain-HTTP run
# on loopback sets SECURE_SSL_REDIRECT=false. Behind a proxy that ends TLS, name the header it
# sets: SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https (the proxy must overwrite it).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
_proxy_ssl_header = env_list("SECURE_PROXY_SSL_HEADER", "")
if _proxy_ssl_header and len(_proxy_ssl_header) != 2:
    raise ImproperlyConfigured(
        "SECURE_PROXY_SSL_HEADER must be a header and a value, like HTTP_X_FORWARDED_PROTO,https"
    )
SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header) if _proxy_ssl_header else None

# Content Security Policy (django-csp): no inline script or style. The one inline script, NHS.UK
# frontend's "js-enabled" class switch in its page template, carries the per-request nonce.
# data: images are the NHS.UK stylesheet's icons; a logo on another host is allowed by origin.
_image_sources = ["'self'", "data:"]
if PATIENTVOICE_LOGO_URL.startswith(("https://", "http://")):
    _image_sources.append("/".join(PATIENTVOICE_LOGO_URL.split("/", 3)[:3]))
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", csp_constants.NONCE],
        "style-src": ["'self'"],
        "img-src": _image_sources,
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Features no page uses, switched off for this site and anything it might embed.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), browsing-topics=(), camera=(), display-capture=(), "
    "geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), "
    "serial=(), usb=(), xr-spatial-tracking=()"
)

# Staff sessions end after this long without a request (patientvoice.people.middleware).
STAFF_IDLE_TIMEOUT_MINUTES = env_int("STAFF_IDLE_TIMEOUT_MINUTES", 30, minimum=1)

# Sign-in lockout (django-axes): after AXES_FAILURE_LIMIT failures for one username, or
# AXES_ADDRESS_FAILURE_LIMIT from one address (many staff share one), within
# AXES_COOLOFF_MINUTES, that username or address is refused until that long has passed since
# the last failure, even with the right password. Attempts are kept in the database, so every
# web process sees the same counts (patientvoice.people.lockout).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10, minimum=1)
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 50, minimum=1)
AXES_HANDLER = "patientvoice.people.lockout.AccountAndAddressHandler"
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "patientvoice.people.sign_in_views.locked_out"
# REMOTE_ADDR only, as the audit log does (patientvoice.people.audit.client_address).
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
AXES_RESET_ON_SUCCESS = False  # a success elsewhere must not wipe an attacker's count
AXES_VERBOSE = False  # no banner on every command; patientvoice.people.accounts logs failures

# The name authenticator apps show beside the code (django-otp).
OTP_TOTP_ISSUER = "patientvoice"

# Password reset and invitation links stay valid for three days.
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600

# Summaries other apps keep over counted experiences, kept right when a held-back submission is
# released (feedback.services.counting_changing): context managers taking experience ids.
FEEDBACK_COUNTING_HOOKS = ["patientvoice.insight.summary.counting_changing"]

# Counters shared by every process: the public forms' rate limits and the cap on emails to one
# address. Redis when CACHE_URL names it (the production profile: with TASK_BACKEND=redis it
# defaults to REDIS_URL); otherwise a table in the database, made by migrate (feedback 0011).
CACHE_URL = os.environ.get("CACHE_URL", REDIS_URL if TASK_BACKEND == "redis" else "database")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {"default": {"BACKEND": "patientvoice.cache.RedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL == "database":
    CACHES = {"default": {"BACKEND": "patientvoice.cache.DatabaseCache", "LOCATION": "pv_cache"}}
else:
    raise ImproperlyConfigured(f"CACHE_URL must be a redis:// URL or 'database', not {CACHE_URL!r}")
# django-ratelimit warns about any backend it has not listed; both of ours increment atomically
# (Django's RedisCache with INCR, patientvoice.cache.DatabaseCache with a row lock).
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
RATELIMIT_FAIL_OPEN = True  # see patientvoice.defences._count


def _env_rate(name: str, default: str) -> str:
    value = os.environ.get(name, default).strip()
    if not re.fullmatch(r"[0-9]+/[0-9]*[smhd]", value):
        raise ImproperlyConfigured(
            f"{name} must be a rate like 20/10m (count/period), not {value!r}"
        )
    return value


def _env_count(name: str, default: int) -> int:
    raw = os.environ.get(name, str(default)).strip()
    if not raw.isdigit():
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}")
    return int(raw)


# Defences of the public forms (patientvoice.defences). Posts above a HOLD rate are stored but
# held back for staff review; only above the REFUSE rate is a client turned away (429), until
# the window ends. A load test from one address raises these (bench/README.md).
PATIENTVOICE_RATELIMIT = {
    "client_hold": _env_rate("PATIENTVOICE_RATELIMIT_CLIENT_HOLD", "20/10m"),
    "client_refuse": _env_rate("PATIENTVOICE_RATELIMIT_CLIENT_REFUSE", "100/10m"),
    "scope_hold": _env_rate("PATIENTVOICE_RATELIMIT_SERVICE_HOLD", "60/h"),
}
# A post sent sooner than this after its form was shown is held back (0 turns the check off).
PATIENTVOICE_FORM_MIN_SECONDS = _env_count("PATIENTVOICE_FORM_MIN_SECONDS", 3)
# Nearly the same words about the same service within this many hours are held back (0: off).
PATIENTVOICE_DUPLICATE_HOURS = _env_count("PATIENTVOICE_DUPLICATE_HOURS", 24)
# Emails (confirmation links and acknowledgements) to one address in a day.
PATIENTVOICE_EMAILS_PER_ADDRESS = _env_count("PATIENTVOICE_EMAILS_PER_ADDRESS", 3)
# Request bodies: every form fits in the first; signed-in staff may send the second to the
# upload pages. Bigger declared bodies are refused with 413 before they are read.
PATIENTVOICE_MAX_POST_BYTES = _env_count("PATIENTVOICE_MAX_POST_BYTES", 1_000_000)
PATIENTVOICE_MAX_UPLOAD_BYTES = _env_count("PATIENTVOICE_MAX_UPLOAD_BYTES", 200_000_000)
PATIENTVOICE_UPLOAD_PATHS = ["/staff/imports/", "/staff/population/", "/staff/groups/"]
DATA_UPLOAD_MAX_MEMORY_SIZE = PATIENTVOICE_MAX_POST_BYTES

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
