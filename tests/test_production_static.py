"""Pages render with the production static storage (hashed names from a manifest)."""

import re
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


def test_the_stylesheet_asks_no_third_party_and_its_images_are_collected(tmp_path: Path) -> None:
    with override_settings(STORAGES=MANIFEST, STATIC_ROOT=tmp_path, DEBUG=False):
        call_command("collectstatic", "--noinput", verbosity=0)
    hashed = next(p for p in (tmp_path / "nhsuk").glob("nhsuk-frontend.min.*.css"))
    css = hashed.read_text()
    urls = set(re.findall(r"url\(\"?([^\")]+)\"?\)", css))

    # No font from assets.nhs.uk (nor anything else off the site) ...
    assert not [u for u in urls if "://" in u or u.startswith("//")]
    # ... and every image the styles use is served beside them (hashed by the manifest).
    assert any("nhsuk-icon-cross" in u for u in urls)
    assert all((hashed.parent / u).is_file() for u in urls if not u.startswith("data:"))
