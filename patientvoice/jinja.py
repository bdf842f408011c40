"""The Jinja2 environment for every page: NHS.UK frontend macros plus Django's URL and static."""

from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.template.backends.jinja2 import Jinja2
from django.template.backends.jinja2 import Template as Jinja2Template
from django.templatetags.static import static
from django.test.signals import template_rendered
from django.urls import reverse
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader

from patientvoice.people import rules
from patientvoice.ui import error_summary_items, nhsuk_field


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def can(user: Any, permission: str) -> bool:
    """Whether the user holds `permission` at any organisation (for showing navigation)."""
    return bool(rules.organisations_with(user, getattr(rules, permission)))


def header_logo(href: str) -> dict[str, str]:
    """The header's logo: the NHS one, unless the deployment set its own
    (PATIENTVOICE_LOGO_URL: a full URL, a path from the site root, or a static file)."""
    logo = {"href": href, "ariaLabel": "patientvoice home"}
    src = settings.PATIENTVOICE_LOGO_URL
    if src:
        if not src.startswith(("https://", "http://", "/")):
            src = static(src)
        alt = settings.PATIENTVOICE_LOGO_ALT
        # The link's name keeps the visible service name, "patientvoice" (WCAG 2.5.3).
        logo |= {"src": src, "alt": alt, "ariaLabel": f"{alt}: patientvoice home"}
    return logo


def environment(**options: Any) -> Environment:
    # The NHS.UK macros rely on chained look-ups of optional parameters (params.hint.text).
    options["undefined"] = ChainableUndefined
    options["loader"] = ChoiceLoader([options.pop("loader"), PackageLoader("nhsuk_frontend_jinja")])
    options.setdefault("extensions", []).append("jinja2.ext.do")
    env = Environment(**options)  # noqa: S701 (Django's backend sets autoescape)
    env.globals.update(
        {
            "url": url,
            "static": static,
            "static_url": settings.STATIC_URL,
            "get_messages": get_messages,
            "can": can,
            "header_logo": header_logo,
            "nhsuk_field": nhsuk_field,
            "error_summary_items": error_summary_items,
        }
    )
    return env


class _Template(Jinja2Template):
    def render(self, context: dict[str, Any] | None = None, request: Any = None) -> str:
        html = super().render(context, request)
        # Django's test client collects the context of rendered templates through this signal;
        # its DTL backend sends it and the Jinja2 backend does not. No receivers outside tests.
        template_rendered.send(sender=self, template=self, context=context or {})
        return html


class Jinja2Backend(Jinja2):
    """Django's Jinja2 backend, with templates that tests can inspect like DTL ones."""

    def from_string(self, template_code: str) -> _Template:
        return _Template(self.env.from_string(template_code), self)

    def get_template(self, template_name: str) -> _Template:
        return _Template(super().get_template(template_name).template, self)
