import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patientvoice.settings")
application = get_wsgi_application()

from patientvoice.mail import warn_if_unconfigured  # noqa: E402 (needs the settings loaded above)

warn_if_unconfigured()
