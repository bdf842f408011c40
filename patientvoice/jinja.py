"""The Jinja2 environment for every page: NHS.UK frontend macros plus Django's URL and static."""

import functools
import logging
import weakref
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.messages import get_messages
from django.template.backends.jinja2 import Jinja2
from django.template.backends.jinja2 import Template as Jinja2Template
from django.templatetags.static import static
from django.test.signals import template_rendered
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader, Template
from jinja2.environment import TemplateModule
from jinja2.runtime import Context, Macro
from markupsafe import Markup

from patientvoice.directory.identity import site_operator
from patientvoice.people import rules
from patientvoice.ui import error_summary_items, nhsuk_field


def url(name: str, *args: Any, **kwargs: Any) -> str:
    if args or kwargs:
        return reverse(name, args=args or None, kwargs=kwargs or None)
    # Every page names the same dozen links; what they resolve to changes only with these.
    return _url_of(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@functools.lru_cache(maxsize=512)
def _url_of(name: str, script_prefix: str, urlconf: Any) -> str:
    return reverse(name, urlconf=urlconf)


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


logger = logging.getLogger(__name__)


def indent(s: str, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
    """Jinja's `indent` filter, giving the same output, at a fraction of the cost.

    The NHS.UK macros indent every nested component (`| trim | indent(6)`), so a form re-indents
    its HTML many times over. Jinja's filter joins the lines of a Markup string as Markup, which
    runs markupsafe's escaping code for every line; this one joins plain text and marks the
    result safe once (the lines were already safe, and the indent is added unescaped, as Jinja
    does).
    """
    indention = width if isinstance(width, str) else " " * width
    lines = (str(s) + "\n").splitlines()
    if blank:
        rv = ("\n" + indention).join(lines)
    else:
        rv = lines[0]
        if len(lines) > 1:
            rv += "\n" + "\n".join(indention + line if line else line for line in lines[1:])
    if first:
        rv = indention + rv
    # Safe: the lines of a string already safe, and the indent the template itself gives.
    return Markup(rv) if isinstance(s, Markup) else rv  # noqa: S704


# Per macro (dropped with it when a changed template is reloaded): form kind -> its HTML.
_blank_parts: weakref.WeakKeyDictionary[Macro, dict[tuple[Any, ...], str]] = (
    weakref.WeakKeyDictionary()
)


def blank_form_part(form: forms.BaseForm, part: Macro) -> str:
    """`part(form)`; for a blank form, rendered once per process and then reused.

    Rendering a long form through the NHS.UK macros costs tens of milliseconds of CPU, and for
    a blank form the result is the same for every visitor. So `part` must render only what
    depends on the form's class (labels, hints, choices, ids): per-visitor values, such as the
    CSRF token and the signed submission token, are hidden inputs rendered outside it. A bound
    form (the person's answers, errors) is always rendered afresh, and so is a form with an
    initial value in a visible field; if a per-visitor value turns up in the output anyway, the
    output is not kept. (The output is Markup, as every macro's is with autoescape on.)
    """
    if form.is_bound or not _blank_is_shared(form):
        return part(form)
    key = (type(form), form.prefix, form.auto_id, get_language())
    cached = _blank_parts.setdefault(part, {})
    html = cached.get(key)
    if html is None:
        html = part(form)
        per_visitor = [str(form[name].value()) for name in form.initial if name in form.fields]
        if any(len(value) >= 8 and value in html for value in per_visitor):
            logger.warning("%s renders a per-visitor value: not reused", part.name)
            return html
        cached[key] = html
    return html


# Per macro: its parameters, frozen -> its HTML. A macro called with parameters that vary per
# request would fill this without end, so each macro keeps at most this many.
RENDERED_ONCE_MAX = 64
component_html: weakref.WeakKeyDictionary[Macro, dict[Any, str]] = weakref.WeakKeyDictionary()


def rendered_once(component: Macro, params: dict[str, Any]) -> str:
    """`component(params)`, rendered once per process for each distinct `params`.

    For the NHS.UK components every page repeats with the same parameters (the header, the
    footer): their output depends on nothing else, since a macro sees only its arguments and
    the environment's globals. Parameters that are not plain data (numbers, strings, lists,
    dicts) are rendered every time; a string and the same text marked safe are different keys.
    """
    try:
        key = _frozen(params)
    except TypeError:
        return component(params)
    cached = component_html.setdefault(component, {})
    html = cached.get(key)
    if html is None:
        html = component(params)
        if len(cached) < RENDERED_ONCE_MAX:
            cached[key] = html
    return html


def _frozen(value: Any) -> Any:
    if isinstance(value, dict):
        return ("dict", tuple(sorted((str(k), _frozen(v)) for k, v in value.items())))
    if isinstance(value, list | tuple):
        return ("list", tuple(_frozen(v) for v in value))
    if value is None or isinstance(value, str | int | float | bool):
        return (type(value), value)
    raise TypeError(f"not plain data: {type(value).__name__}")


def _blank_is_shared(form: forms.BaseForm) -> bool:
    """Whether a blank `form` looks the same to everyone outside its hidden fields."""
    return not any(
        name in form.initial or callable(field.initial)
        for name, field in form.fields.items()
        if not field.widget.is_hidden
    )


class ImportingTemplate(Template):
    """A Jinja template that answers `{% from ... import ... %}` from its module at once.

    Jinja gives an importing template the cached module of the imported one unless the
    importer's context has globals the imported template lacks; finding that out subtracts a
    chain of dictionaries' keys on every import (a dozen per page). Here the names of this
    template's globals are read once: the module is reused when the context has no other
    globals (always, for our pages, whose globals are the environment's); otherwise Jinja
    decides as it does.
    """

    _global_names: frozenset[str] | None = None

    def _get_default_module(self, ctx: Context | None = None) -> TemplateModule:
        if ctx is not None:
            names = self._global_names
            if names is None:
                names = self._global_names = frozenset(self.globals)
            if not ctx.globals_keys <= names:
                return super()._get_default_module(ctx)
        if self._module is None:
            self._module = self.make_module()
        return self._module


def environment(**options: Any) -> Environment:
    # The NHS.UK macros rely on chained look-ups of optional parameters (params.hint.text).
    options["undefined"] = ChainableUndefined
    options["loader"] = ChoiceLoader([options.pop("loader"), PackageLoader("nhsuk_frontend_jinja")])
    options.setdefault("extensions", []).append("jinja2.ext.do")
    env = Environment(**options)  # noqa: S701 (Django's backend sets autoescape)
    env.template_class = ImportingTemplate
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
            "site_operator": site_operator,
            "blank_form_part": blank_form_part,
            "rendered_once": rendered_once,
        }
    )
    env.filters["indent"] = indent
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
