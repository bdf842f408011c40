"""The product's settings with the bench's own URLconf: same middleware, sessions, CSRF, database
and templates, so the bare view pays the same per-request costs as the share form."""

from patientvoice.settings import *  # noqa: F403 (every product setting, unchanged)

ROOT_URLCONF = "limit_site.urls"
