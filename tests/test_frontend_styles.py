"""The NHS.UK stylesheet we compile (`make frontend`) sets Arial and fetches no font."""

import re
from pathlib import Path

from django.conf import settings

COMPILED = Path(settings.BASE_DIR) / "var" / "frontend" / "nhsuk" / "nhsuk-frontend.min.css"


def _css() -> str:
    assert COMPILED.is_file(), f"{COMPILED} is missing: run `make frontend`"
    return COMPILED.read_text(encoding="utf-8")


def test_the_page_font_is_arial_with_a_sans_serif_fallback() -> None:
    # Without this rule every page falls back to the browser's default serif (Times New Roman).
    families = re.findall(r"html\{[^}]*font-family:([^;}]+)", _css())

    assert families == ["arial,sans-serif"]


def test_no_font_face_fetches_a_font_from_assets_nhs_uk() -> None:
    css = _css()

    assert "@font-face" not in css
    assert "assets.nhs.uk" not in css
    assert "Frutiger" not in css


def test_the_compiled_stylesheet_is_newer_than_our_sass_settings() -> None:
    # A stale var/ copy would let the two tests above pass against an old build.
    source = Path(settings.BASE_DIR) / "patientvoice" / "frontend" / "nhsuk.scss"

    assert COMPILED.stat().st_mtime >= source.stat().st_mtime, "run `make frontend`"
