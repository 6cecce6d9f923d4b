"""index.html in a real browser: Debian's Chromium, headless, driven through Playwright's own
driver (its browser download is not used). The page is opened from disk with every request
outside the file blocked and recorded; screenshots go to test-output/docs/."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

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
