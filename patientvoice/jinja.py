"""The Jinja2 environment for every page: NHS.UK frontend macros plus Django's URL and static."""

from typing import Any

from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader

from patientvoice.ui import error_summary_items, nhsuk_field


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


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
            "get_messages": get_messages,
            "nhsuk_field": nhsuk_field,
            "error_summary_items": error_summary_items,
        }
    )
    return env
