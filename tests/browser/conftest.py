"""Journeys in real Chromium: Debian's browser driven by Playwright, every page checked by axe.

The browser is the `chromium` Debian package, never one Playwright downloads (there is no network
for that). Where it is not installed, every test here is skipped with a notice saying how to get
it, so a machine without it never reports a browser journey as passed.
"""

from __future__ import annotations

import textwrap
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.urls import get_resolver
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    Response,
    Route,
    sync_playwright,
)

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# The NHS.UK header's blue (#005eb8): seeing it computed proves the stylesheet loaded.
NHS_BLUE = "rgb(0, 94, 184)"

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # At collection, not inside a fixture, so that the notice appears once per test in the `-rs`
    # summary and no journey can forget to ask for it.
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(
        reason=f"Chromium is not installed at {CHROMIUM}: run `make chromium` (needs root) "
        "to run the browser journeys"
    )
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    # Lets the page fixture's teardown stay quiet about unchecked pages when the test has
    # already failed: the first failure is the one worth reading.
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


_CALL_FAILED = pytest.StashKey[bool]()


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for the whole package, started after the first journey asks for it.

    Package-scoped, not session-scoped: while Playwright's sync API is started it keeps an
    asyncio loop running on this thread, and Django then refuses database calls from it
    (SynchronousOnlyOperation). Stopping Playwright when the last browser test has run keeps
    the rest of the suite out of that state; until then the check is switched off, which is
    safe because nothing here is asynchronous - the loop only ferries messages to Chromium.
    """
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="package")
def axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture
def javascript() -> bool:
    """Whether pages may run scripts; a test parametrises this to walk a journey without."""
    return True


@pytest.fixture
def quiet_tasks(settings: Any) -> None:
    """Enqueue follow-up tasks without running them, as production does (a worker runs them).

    The test settings run tasks at once, which inside the live server would make the thank-you
    page wait for the text model; classification has its own tests in tests/insight.
    """
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@dataclass
class PageLog:
    """What happened in one tab: pages loaded, which of them axe checked, and breakages."""

    origin: str
    javascript: bool
    axe_source: str
    loads: list[str] = field(default_factory=list)
    checked: set[float] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    copy: Page | None = None  # where axe checks pages of a tab without JavaScript


_logs: weakref.WeakKeyDictionary[Page, PageLog] = weakref.WeakKeyDictionary()


@pytest.fixture(scope="session")
def warm_live_server(live_server: Any) -> Any:
    """The live server, with the URL configuration and the statistics libraries its views
    import already loaded in this process (the server thread shares it). Loading them takes
    several seconds on a busy machine: without this the first journey's first page would spend
    its whole timeout waiting for imports, not for our page."""
    get_resolver().url_patterns  # noqa: B018 (imports every view module)
    return live_server


@pytest.fixture
def page(
    request: pytest.FixtureRequest,
    browser: Browser,
    warm_live_server: Any,
    javascript: bool,
    axe_source: str,
    quiet_tasks: None,
) -> Iterator[Page]:
    """A fresh tab on the live server that fails the test for any page axe was not run on, any
    script error and any asset that did not load."""
    live_server = warm_live_server
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=javascript, locale="en-GB"
    )
    context.set_default_timeout(5_000)
    _refuse_other_sites(context, live_server.url)
    tab = context.new_page()
    log = PageLog(origin=live_server.url, javascript=javascript, axe_source=axe_source)
    _logs[tab] = log
    tab.on("load", lambda loaded: log.loads.append(loaded.url))
    tab.on("pageerror", lambda error: log.problems.append(f"script error: {error}"))
    tab.on("requestfailed", lambda failed: _record_failure(failed, log))
    tab.on("response", lambda response: _check_response(response, log))
    tab.on("console", lambda message: _check_console(message, log))
    yield tab
    context.close()
    if log.copy is not None:
        log.copy.context.close()
    if request.node.stash.get(_CALL_FAILED, True):
        return
    assert not log.problems, "\n".join(log.problems)
    unchecked = len(log.loads) - len(log.checked)
    assert unchecked <= 0, (
        f"{unchecked} page(s) loaded without an axe check; pages loaded, in order:\n"
        + "\n".join(log.loads)
    )


def _refuse_other_sites(context: BrowserContext, origin: str) -> None:
    # Tests use no network. The NHS.UK stylesheet asks for its Frutiger fonts from
    # assets.nhs.uk; refusing them leaves the fallback font, which changes no axe result.
    context.route(lambda url: not url.startswith(origin), lambda route: route.abort())


def _record_failure(request: Request, log: PageLog) -> None:
    # Third-party requests are refused on purpose (above); leaving a page cuts requests short.
    if not request.url.startswith(log.origin) or request.failure == "net::ERR_ABORTED":
        return
    log.problems.append(f"request failed: {request.method} {request.url} ({request.failure})")


def _check_response(response: Response, log: PageLog) -> None:
    # Pages may answer 4xx on purpose; the files a page pulls in (CSS, scripts, icons) may not.
    if response.status >= 400 and not response.request.is_navigation_request():
        log.problems.append(f"HTTP {response.status} for {response.url}")


def _check_console(message: ConsoleMessage, log: PageLog) -> None:
    # The Content Security Policy has no 'unsafe-inline': anything inline it blocks is a bug.
    if "Content Security Policy" in message.text:
        log.problems.append(f"blocked by the Content Security Policy: {message.text}")


def assert_accessible(page: Page) -> None:
    """Run axe (WCAG 2.0-2.2, levels A and AA) on the page as it is now; fail listing each
    violation with its rule, impact, help text and the elements it found."""
    page.wait_for_load_state("load")
    log = _logs[page]
    # Colour contrast means nothing on an unstyled page, so check the stylesheet applied first.
    header_colour = page.locator(".nhsuk-header").evaluate(
        "e => getComputedStyle(e).backgroundColor"
    )
    assert header_colour == NHS_BLUE, f"the NHS.UK stylesheet did not load on {page.url}"
    violations = _run_axe(page, log.axe_source) if log.javascript else _run_axe_on_copy(page, log)
    log.checked.add(page.evaluate("performance.timeOrigin"))
    assert not violations, _describe(violations, page.url, page.title())


def _run_axe(page: Page, axe_source: str) -> list[dict[str, Any]]:
    # Evaluated rather than added as a <script> element so that it also runs on the copy below,
    # whose Content-Security-Policy forbids script elements.
    page.evaluate(axe_source)
    return page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
        ".then(results => results.violations)",
        WCAG_TAGS,
    )


def _run_axe_on_copy(page: Page, log: PageLog) -> list[dict[str, Any]]:
    """axe needs timers, which a tab with JavaScript switched off never fires. So the page as
    the server sent it is served again at the same address to a scripting tab whose
    Content-Security-Policy blocks the page's own scripts: the same DOM and styles that a
    browser without JavaScript shows, with axe able to run."""
    html = page.content()
    if log.copy is None:
        assert page.context.browser is not None
        auditor = page.context.browser.new_context()
        _refuse_other_sites(auditor, log.origin)
        log.copy = auditor.new_page()

    def serve_copy(route: Route) -> None:
        if not route.request.is_navigation_request():
            route.fallback()
            return
        route.fulfill(
            body=html,
            content_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": "script-src 'none'"},
        )

    # Every navigation, not just page.url: a URL with a #fragment would not match a request.
    log.copy.route("**/*", serve_copy)
    try:
        log.copy.goto(page.url)
    finally:
        log.copy.unroute("**/*", serve_copy)
    assert log.copy.title() == page.title(), "the copy for axe is not the page"
    return _run_axe(log.copy, log.axe_source)


def _describe(violations: list[dict[str, Any]], url: str, title: str) -> str:
    lines = [f"axe found {len(violations)} WCAG 2.2 AA violation(s) on {url} ({title!r}):"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            f" <{violation['helpUrl']}>"
        )
        for node in violation["nodes"][:5]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}")
            lines.append(textwrap.indent(node["failureSummary"], "      "))
        if len(violation["nodes"]) > 5:
            lines.append(f"    and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)
