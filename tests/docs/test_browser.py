"""index.html in a real browser: Debian's Chromium, headless, driven through Playwright's own
driver (its browser download is not used). The page is opened from disk with every request
outside the file blocked and recorded, and from a running sandbox's /docs (only that origin
allowed) for the try-it panels; screenshots go to test-output/docs/."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from spaces_toolkit.server.run.embedded import EmbeddedServer, run_embedded

from ._docs import INDEX, TEST_OUTPUT, load_spec, spec_operations

CHROMIUM = Path(os.environ.get("SPACES_CHROMIUM", "/usr/bin/chromium"))
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--metrics-recording-only",
    "--no-default-browser-check",
]
URL = INDEX.resolve().as_uri()
VIEWPORT = {"width": 1440, "height": 900}

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing: run `make deps-system`", pytrace=False)
    pytest.skip(f"{CHROMIUM} is missing (make deps-system installs it)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=FLAGS
        )
        yield browser
        browser.close()


class Page:
    """A page in a fresh context that records every request and every script error."""

    def __init__(self, browser: Any, **context: Any) -> None:
        self.context = browser.new_context(viewport=VIEWPORT, **context)
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.context.route(re.compile(r"^(?!file:|data:)"), lambda route: route.abort())
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

    def open(self, fragment: str = "") -> Any:
        self.page.goto(URL + fragment, wait_until="load")
        return self.page

    def outside_requests(self) -> list[str]:
        return [u for u in self.requests if u.split("#")[0] != URL and not u.startswith("data:")]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Page]:
    opened = Page(browser, color_scheme="light")
    yield opened
    assert not opened.errors, opened.errors
    assert not opened.outside_requests(), opened.outside_requests()
    opened.close()


def _in_viewport(page: Any, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    return box is not None and -2 <= box["y"] < VIEWPORT["height"] * 0.5


def test_page_loads_nothing_else_and_shows_every_operation(page: Page) -> None:
    p = page.open()
    assert p.title().endswith("reference")
    spec = load_spec()
    for operation_id in spec_operations(spec):
        section = p.locator(f'section[data-operation="{operation_id}"]')
        assert section.count() == 1, operation_id
        assert section.locator("h3").first.is_visible(), operation_id
        assert p.locator(f'#nav a[data-operation="{operation_id}"]').count() == 1, operation_id
    for event in spec["webhooks"]:
        assert p.locator(f'section[data-event="{event}"]').count() == 1, event
    TEST_OUTPUT.mkdir(parents=True, exist_ok=True)
    p.screenshot(path=str(TEST_OUTPUT / "reference.png"))


def test_search_narrows_the_list(page: Page) -> None:
    p = page.open()
    results = p.locator("#search-results > li")
    total = results.count()
    assert total > 20
    p.locator("#search").fill("invoice")
    shown = p.locator("#search-results > li:not([hidden])")
    count = shown.count()
    assert 0 < count < total
    assert p.locator("#nav").is_hidden()
    for text in shown.all_inner_texts():
        assert "invoice" in text.lower() or "Invoices" in text
    # Attributes are found too, by their dotted path.
    p.locator("#search").fill("billing_address zip")
    assert p.locator("#search-results > li:not([hidden])").count() >= 1
    assert p.locator('#search-results > li:not([hidden])[data-kind="attribute"]').count() >= 1
    # Enter follows the first result, which is in view afterwards.
    p.locator("#search").fill("retrieve subscription")
    first = p.locator("#search-results > li:not([hidden]) a").first
    target = first.get_attribute("href")
    p.locator("#search").press("Enter")
    p.wait_for_function(f"location.hash === {target!r}")
    assert _in_viewport(p, target)
    # Parameters, status codes and event types are found too.
    for query, kind in (("limit", "parameter"), ("starting_after", "parameter"), ("401", "status")):
        p.locator("#search").fill(query)
        first = p.locator("#search-results > li:not([hidden])").first
        assert first.get_attribute("data-kind") == kind, query
        assert first.locator(".label").inner_text() == query
    p.locator("#search").fill("invoice.paid")
    assert p.locator('#search-results > li:not([hidden])[data-kind="event"]').count() == 1
    p.locator("#search").fill("no-such-thing-anywhere")
    assert p.locator("#search-empty").is_visible()
    p.locator("#search").fill("")
    assert p.locator("#nav").is_visible()
    p.locator("#search").fill("subscription")
    TEST_OUTPUT.mkdir(parents=True, exist_ok=True)
    p.screenshot(path=str(TEST_OUTPUT / "reference-search.png"))


def test_deep_links_land(page: Page) -> None:
    p = page.open()
    anchors = p.eval_on_selector_all(
        "section[data-operation]", "sections => sections.map(s => s.id)"
    )
    assert anchors
    for anchor in (anchors[0], anchors[len(anchors) // 2], anchors[-1], "webhook-events"):
        p.goto(f"{URL}#{anchor}")
        p.wait_for_function(f"location.hash === '#{anchor}'")
        assert _in_viewport(p, f"#{anchor}"), anchor
        if anchor == anchors[len(anchors) // 2]:
            TEST_OUTPUT.mkdir(parents=True, exist_ok=True)
            p.screenshot(path=str(TEST_OUTPUT / "reference-operation.png"))
    # A nested attribute inside closed "child attributes" is revealed.
    nested = p.eval_on_selector("details.children .field", "field => field.id")
    p.goto(f"{URL}#{nested}")
    p.wait_for_function(f"document.getElementById({nested!r}).offsetParent !== null")
    assert p.locator(f"#{nested}").is_visible()
    assert _in_viewport(p, f"#{nested}")


def test_language_tabs_switch_every_sample(page: Page) -> None:
    p = page.open()
    p.locator('section[data-operation] .tab[data-lang="python"]').first.click()
    panels = p.locator("section[data-operation] [data-tabs]")
    for i in range(panels.count()):
        panel = panels.nth(i)
        assert panel.locator('pre[data-lang="python"]').is_visible()
        assert panel.locator('pre[data-lang="curl"]').is_hidden()


def _background_luminance(p: Any) -> float:
    rgb = p.evaluate("getComputedStyle(document.body).backgroundColor")
    r, g, b = (int(x) for x in re.findall(r"\d+", rgb)[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def test_light_and_dark_colour_schemes(browser: Any) -> None:
    dark = Page(browser, color_scheme="dark")
    try:
        p = dark.open("#list-customers")
        assert _background_luminance(p) < 0.15
        TEST_OUTPUT.mkdir(parents=True, exist_ok=True)
        p.screenshot(path=str(TEST_OUTPUT / "reference-dark.png"))
        # The toggle cycles auto -> light -> dark and wins over the system preference.
        p.locator("#theme").click()
        assert p.evaluate("document.documentElement.dataset.theme") == "light"
        assert _background_luminance(p) > 0.9
        p.locator("#theme").click()
        assert p.evaluate("document.documentElement.dataset.theme") == "dark"
        assert _background_luminance(p) < 0.15
        assert not dark.errors and not dark.outside_requests()
    finally:
        dark.close()
    light = Page(browser, color_scheme="light")
    try:
        assert _background_luminance(light.open()) > 0.9
    finally:
        light.close()


def test_try_it_panels_are_read_only_from_a_file(page: Page) -> None:
    p = page.open("#list-customers")
    panel = p.locator('[data-try="listCustomers"]')
    assert panel.locator(".try-send").is_disabled()
    assert panel.locator(".try-note").is_visible()
    assert p.locator(".base-urls li.sandbox-base").count() == 0


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    with run_embedded(tmp_path_factory.mktemp("try-it") / "spaces.db", accounts=1) as server:
        yield server


def _send(panel: Any) -> str:
    """Click Send and wait for the answer; the status the panel shows."""
    panel.evaluate("node => node.removeAttribute('data-status')")
    panel.locator(".try-send").click()
    panel.page.wait_for_function(
        "node => node.hasAttribute('data-status')", arg=panel.element_handle()
    )
    shown = str(panel.locator(".try-status .status").inner_text())
    assert shown == panel.get_attribute("data-status")
    return shown


def test_try_it_sends_real_requests_to_the_sandbox(browser: Any, sandbox: EmbeddedServer) -> None:
    origin = sandbox.root_url
    context = browser.new_context(viewport=VIEWPORT, color_scheme="light")
    requests: list[str] = []
    errors: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    context.route(
        re.compile(r"^(?!" + re.escape(origin) + r"/|data:)"), lambda route: route.abort()
    )
    try:
        p = context.new_page()
        p.on("pageerror", lambda error: errors.append(str(error)))
        p.goto(f"{origin}/docs#list-customers", wait_until="load")
        # The page names this sandbox's base URL, and its samples use it.
        assert p.locator(".base-urls li.sandbox-base code").inner_text() == sandbox.base_url
        curl = p.locator('section[data-operation="listCustomers"] pre[data-sample="curl"]')
        assert f"curl {sandbox.base_url}/customers" in curl.inner_text()

        panel = p.locator('[data-try="listCustomers"]')
        panel.scroll_into_view_if_needed()
        panel.locator("[data-try-token]").fill(sandbox.tokens[0])
        panel.locator('input[name="limit"]').fill("2")
        assert _send(panel) == "200"
        body = json.loads(panel.locator(".try-body").inner_text())
        assert body["object"] == "list" and len(body["data"]) == 2
        assert f"{sandbox.base_url}/customers?limit=2" in panel.locator(".try-status").inner_text()
        assert "content-type: application/json" in panel.locator(".try-headers").text_content()
        TEST_OUTPUT.mkdir(parents=True, exist_ok=True)
        panel.screenshot(path=str(TEST_OUTPUT / "try-it-200.png"))

        # The token field is shared by every panel; without a token the sandbox answers 401.
        retrieve = p.locator('[data-try="retrieveAccount"]')
        assert retrieve.locator("[data-try-token]").input_value() == sandbox.tokens[0]
        panel.locator("[data-try-token]").fill("")
        assert _send(panel) == "401"
        assert json.loads(panel.locator(".try-body").inner_text())["message"]
        panel.screenshot(path=str(TEST_OUTPUT / "try-it-401.png"))

        # A body filled from the spec, sent form-encoded.
        create = p.locator('[data-try="createResourceSubscription"]')
        create.scroll_into_view_if_needed()
        create.locator("[data-try-token]").fill(sandbox.tokens[0])
        create.locator('input[name="target_url"]').fill("http://127.0.0.1:9/hook")
        assert _send(create) == "200"
        created = json.loads(create.locator(".try-body").inner_text())
        assert created["target_url"] == "http://127.0.0.1:9/hook"
        assert created["event"] == create.locator('select[name="event"]').input_value()
        assert not errors, errors
        assert all(url.startswith(origin + "/") for url in requests), requests
    finally:
        context.close()
