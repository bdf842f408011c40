"""The rendering shortcuts in patientvoice/jinja.py change how fast a page renders, never what it
shows: the share page is compared, byte for byte, with the same templates rendered by plain Jinja
(its own `indent` filter, every part rendered every time), blank and with errors, for a visitor
and for signed-in staff."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.template import engines
from django.template.backends.jinja2 import Template
from django.test import RequestFactory
from jinja2 import Environment
from jinja2.filters import do_indent
from markupsafe import Markup

from patientvoice.feedback.forms import CaptureExperienceForm, ShareExperienceForm
from patientvoice.jinja import RENDERED_ONCE_MAX, component_html, indent
from tests.conftest import World

PAGE = "feedback/share.jinja"


def plain_jinja() -> Environment:
    """Our environment as Jinja and the NHS.UK macros would run it without the shortcuts."""
    fast = engines["jinja"].env  # type: ignore[attr-defined]
    plain = fast.overlay(cache_size=400)  # its own compiled templates, bound to its own filters
    plain.filters = {**fast.filters, "indent": do_indent}
    plain.globals = {
        **fast.globals,
        "blank_form_part": lambda form, part: part(form),
        "rendered_once": lambda component, params: component(params),
    }
    return plain


def visitor(user: Any = None) -> Any:
    request = RequestFactory().get("/share/services/maternity/")
    request.user = user or AnonymousUser()
    request.session = {}  # type: ignore[assignment]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    return request


def render_both(
    form: forms.Form, world: World, name: str = PAGE, user: Any = None, **extra: Any
) -> tuple[str, str]:
    """The page rendered by our environment and by plain Jinja for one visitor (the CSRF token
    left out: Django masks it afresh each time it is put on a page)."""
    request = visitor(user)
    context = {"form": form, "service": world.maternity, **extra}
    backend = engines["jinja"]
    fast = backend.get_template(name).render(dict(context), request)
    plain = Template(plain_jinja().get_template(name), backend).render(  # type: ignore[arg-type]
        dict(context), request
    )
    return without_csrf(fast), without_csrf(plain)


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', html)


class Structure(HTMLParser):
    """What assistive technology follows: ids, and what points at them (labels, descriptions,
    the error summary's links)."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.pointers: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if found.get("id"):
            self.ids.add(found["id"])
        self.pointers += [found["for"]] if "for" in found else []
        self.pointers += found.get("aria-describedby", "").split()
        if tag == "a" and found.get("href", "").startswith("#"):
            self.links.append(found["href"][1:])


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def structure(html: str) -> Structure:
    parsed = Structure()
    parsed.feed(html)
    return parsed


def token_of(html: str) -> str:
    found = re.search(r'name="submission_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def test_a_blank_share_form_is_the_same_page_plain_jinja_renders(world: World) -> None:
    for _ in range(2):  # the second time from the part rendered once
        form = ShareExperienceForm()
        fast, plain = render_both(form, world)

        assert fast == plain
        assert token_of(fast) == str(form["submission_token"].value())


def test_each_visitor_gets_their_own_submission_token(world: World) -> None:
    first, _ = render_both(ShareExperienceForm(), world)
    second, _ = render_both(ShareExperienceForm(), world)

    assert token_of(first) != token_of(second)
    assert token_of(first) not in second
    assert first.replace(token_of(first), "") == second.replace(token_of(second), "")


def test_a_share_form_with_errors_is_the_same_page_plain_jinja_renders(world: World) -> None:
    render_both(ShareExperienceForm(), world)  # a blank form first: it must not leak
    form = ShareExperienceForm(
        {
            "what_was_good": "The midwife stayed.",
            "happened_on[day]": "31",
            "happened_on[month]": "2",
            "happened_on[year]": "2026",
            "may_contact": "on",
            "contact_email": "not an address",
            "postcode_district": "nowhere",
        }
    )
    assert not form.is_valid()

    fast, plain = render_both(form, world)

    assert fast == plain
    text = text_of(fast)
    assert "The midwife stayed." in fast
    assert 'value="31"' in fast
    assert "When did it happen? For example, 27 3 2026." in text
    assert "Error: Date must be a real date" in text
    assert "Error: Select how your experience was overall" in text
    assert "Error: Enter an email address like name@example.com" in text


def test_every_label_and_error_link_of_the_share_form_points_at_a_control(world: World) -> None:
    form = ShareExperienceForm({"may_contact": "on"})
    form.is_valid()
    for html in (render_both(ShareExperienceForm(), world)[0], render_both(form, world)[0]):
        page = structure(html)

        assert len(page.pointers) > 20
        assert set(page.pointers) <= page.ids
        assert set(page.links) <= page.ids | {"maincontent"}
    assert len(structure(render_both(form, world)[0]).links) >= 3


QUESTIONS = (
    '{% from "pv/experience_fields.jinja" import experience_fields %}{{ experience_fields(form) }}'
)


def test_the_staff_capture_form_gets_its_questions_rendered_for_its_own_class(db: None) -> None:
    engines["jinja"].from_string(QUESTIONS).render({"form": ShareExperienceForm()})
    for form in (CaptureExperienceForm(), CaptureExperienceForm({"rating": "9"})):
        fast = engines["jinja"].from_string(QUESTIONS).render({"form": form})
        plain = plain_jinja().from_string(QUESTIONS).render(form=form)

        assert fast == plain
        assert 'name="rating"' in fast


class TokenInside(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(label="Name")


def render_part(template: str, form: forms.Form) -> str:
    return str(engines["jinja"].from_string(template).render({"form": form}))


PART = (
    "{% macro part(form) %}<input name=t value={{ form.token.value() }}>"
    "<input name=n value={{ form.name.value() or '' }}>{% endmacro %}"
    "{{ blank_form_part(form, part) }}"
)


def test_a_part_that_shows_a_per_visitor_value_is_rendered_for_every_visitor(db: None) -> None:
    first = render_part(PART, TokenInside(initial={"token": "visitor-one-token"}))
    second = render_part(PART, TokenInside(initial={"token": "visitor-two-token"}))

    assert "visitor-one-token" in first
    assert "visitor-two-token" in second


def test_a_form_with_a_visible_initial_value_is_rendered_afresh(db: None) -> None:
    template = PART.replace("form.token.value()", "'fixed'")
    first = render_part(template, TokenInside(initial={"name": "Alex"}))
    second = render_part(template, TokenInside(initial={"name": "Sam"}))
    bound = render_part(template, TokenInside({"name": "Kit"}))

    assert "Alex" in first and "Sam" in second and "Kit" in bound


@pytest.mark.parametrize(
    "text",
    [
        "one line",
        "<p>\n  two\n\n  lines &amp; a blank\n</p>\n",
        "\n\nstarts blank",
        "ends with newline\n",
        "",
        "crlf\r\nand\rcr\x0cform feed\u2028separator",
    ],
)
@pytest.mark.parametrize("safe", [True, False])
@pytest.mark.parametrize(
    "args", [(), (6,), (2, True), (4, False, True), ("\t", True, True), ("> ",)]
)
def test_the_indent_filter_gives_what_jinjas_gives(text: str, safe: bool, args: tuple) -> None:
    value = Markup(text) if safe else text  # noqa: S704 (test input)

    ours, jinjas = indent(value, *args), do_indent(value, *args)

    assert ours == jinjas
    assert type(ours) is type(jinjas)


def test_the_header_changes_with_who_is_signed_in_and_what_they_may_do(world: World) -> None:
    public, _ = render_both(ShareExperienceForm(), world)
    pages = {
        "signed in": render_both(ShareExperienceForm(), world, user=world.alice),
        "alice's staff area": render_both(
            ShareExperienceForm(), world, user=world.alice, staff_area=True
        ),
        "bob's staff area": render_both(
            ShareExperienceForm(), world, user=world.bob, staff_area=True
        ),
    }

    for fast, plain in pages.values():
        assert fast == plain
    assert "Staff sign in" in public and "Staff sign in" not in pages["signed in"][0]
    assert "Concerns" in pages["alice's staff area"][0]
    assert "Concerns" not in pages["bob's staff area"][0]
    assert "Staff sign in" in render_both(ShareExperienceForm(), world)[0]


COMPONENT = "{% macro box(params) %}<p>{{ params.text }}</p>{% endmacro %}"


def rendered_once_by(box: Any, **context: Any) -> str:
    source = '{{ rendered_once(box, {"text": text}) }}'
    return str(engines["jinja"].from_string(source).render({"box": box, **context}))


def a_component() -> Any:
    """One macro, as a page imports it: rendered_once keeps its output per macro."""
    return engines["jinja"].env.from_string(COMPONENT).module.box  # type: ignore[attr-defined]


def test_the_same_parameters_give_the_same_html_from_the_second_time() -> None:
    box = a_component()

    assert rendered_once_by(box, text="Hello") == rendered_once_by(box, text="Hello")
    assert rendered_once_by(box, text="Goodbye") == "<p>Goodbye</p>"


def test_text_and_the_same_text_marked_safe_are_rendered_apart() -> None:
    box = a_component()

    text = rendered_once_by(box, text="<b>bold</b>")
    html = rendered_once_by(box, text=Markup("<b>bold</b>"))

    assert text == "<p>&lt;b&gt;bold&lt;/b&gt;</p>"
    assert html == "<p><b>bold</b></p>"


def test_parameters_that_are_not_plain_data_are_rendered_each_time() -> None:
    class Name:
        def __init__(self, text: str) -> None:
            self.text = text

        def __str__(self) -> str:
            return self.text

    box = a_component()

    assert rendered_once_by(box, text=Name("Alex")) == "<p>Alex</p>"
    assert rendered_once_by(box, text=Name("Sam")) == "<p>Sam</p>"


def test_a_component_keeps_a_bounded_number_of_pages(db: None) -> None:
    box = a_component()

    for n in range(200):
        assert rendered_once_by(box, text=f"message {n}") == f"<p>message {n}</p>"
    assert len(component_html[box]) == RENDERED_ONCE_MAX
