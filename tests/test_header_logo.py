"""The header shows the NHS logo only where the deployment has not set its own."""

import pytest
from django.test import Client, override_settings


@pytest.mark.django_db
def test_by_default_the_header_has_the_nhs_logo(client: Client) -> None:
    page = client.get("/groups/").content.decode()

    assert 'class="nhsuk-header__logo"' in page
    assert "nhsuk-header__organisation-logo" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("setting", "src"),
    [
        ("logos/healthwatch.png", "/static/logos/healthwatch.png"),
        ("https://example.org/logo.svg", "https://example.org/logo.svg"),
    ],
)
def test_a_deployment_sets_its_own_logo_instead(client: Client, setting: str, src: str) -> None:
    with override_settings(
        PATIENTVOICE_LOGO_URL=setting, PATIENTVOICE_LOGO_ALT="Healthwatch Anytown"
    ):
        page = client.get("/groups/").content.decode()

    assert f'<img class="nhsuk-header__organisation-logo" src="{src}"' in page
    assert 'alt="Healthwatch Anytown"' in page
    assert 'aria-label="Healthwatch Anytown: patientvoice home"' in page
    assert 'class="nhsuk-header__logo"' not in page
