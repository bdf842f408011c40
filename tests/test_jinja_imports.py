"""Pages import NHS.UK macros with `{% from ... import ... %}`; patientvoice.jinja reuses the
imported template's module, and must still give a macro the globals its importer was given."""

from jinja2 import DictLoader

from patientvoice.jinja import environment

TEMPLATES = {
    "greeting.jinja": "{% macro hello() %}Hello {{ who | default('nobody') }}{% endmacro %}",
    "page.jinja": '{% from "greeting.jinja" import hello %}<p>{{ hello() }}</p>',
}


def test_a_macro_imported_twice_renders_the_same() -> None:
    env = environment(loader=DictLoader(TEMPLATES), autoescape=True)

    first = env.get_template("page.jinja").render()
    second = env.get_template("page.jinja").render()

    assert first == second == "<p>Hello nobody</p>"


def test_an_imported_macro_sees_the_globals_given_to_the_page_importing_it() -> None:
    env = environment(loader=DictLoader(TEMPLATES), autoescape=True)
    env.get_template("page.jinja").render()  # the module without extra globals, kept

    alice = env.from_string(TEMPLATES["page.jinja"], globals={"who": "Alice"}).render()
    bob = env.from_string(TEMPLATES["page.jinja"], globals={"who": "Bob"}).render()

    assert alice == "<p>Hello Alice</p>"
    assert bob == "<p>Hello Bob</p>"
    assert env.get_template("page.jinja").render() == "<p>Hello nobody</p>"
