"""Pages render with the production static storage (hashed names from a manifest)."""

from pathlib import Path

from django.core.management import call_command
from django.test import Client, override_settings

from tests.conftest import World

MANIFEST = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def test_public_pages_render_after_collectstatic_with_the_manifest(
    tmp_path: Path, world: World
) -> None:
    with override_settings(STORAGES=MANIFEST, STATIC_ROOT=tmp_path, DEBUG=False):
        call_command("collectstatic", "--noinput", verbosity=0)
        client = Client()
        home = client.get("/")
        share = client.get("/share/services/maternity/")

    assert home.status_code == share.status_code == 200
    html = home.content.decode()
    assert "/static/nhsuk/nhsuk-frontend.min." in html and ".css" in html
    assert 'href="/static/nhsuk/assets/images/favicon.ico"' in html
