"""Settings for the test suite: the real settings with the slow or external parts swapped."""

import os

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("SECURE_COOKIES", "false")

from patientvoice.settings import *  # noqa: F403

# Tasks run at once in tests, but still through django-tasks' JSON normalisation of arguments.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# One process runs the tests: a local-memory cache holds the rate-limit counters well enough
# (django-ratelimit rejects it only because it is not shared between processes). Tests of the
# shared database cache configure it themselves.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "django_ratelimit.E003"]  # noqa: F405
