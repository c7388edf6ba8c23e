"""End to end in a real headless Chromium (Debian's ``chromium``) driven by Playwright.

The app runs in a thread on 127.0.0.1 (werkzeug ``make_server``, port 0). No test here is
skipped when Chromium is missing: ``make test`` installs it, and CI must prove the loop.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from werkzeug.serving import make_server

from cnnquiz import practice_core as core
from cnnquiz.web import create_app
from generator.problem import catalogue_values

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PROBLEM = re.compile(r"/p/([a-z0-9-]+)/(easy|medium|hard)/(\d+)")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app = create_app(tmp_path_factory.mktemp("web") / "progress.json", seed=3)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    try:
        yield pg
    finally:
        context.close()


def current_problem(page: Page):
    m = PROBLEM.search(page.url)
    assert m, page.url
    topic, difficulty, seed = m.groups()
    return core.build(topic, difficulty, int(seed), "layers=1" in page.url)


def test_full_loop(page: Page, base_url: str):
    page.goto(f"{base_url}/p/color/easy/5")
    p = current_problem(page)
    expect(page.get_by_role("img", name=re.compile("Architecture diagram"))).to_be_visible()

    # a wrong answer with a catalogued mistake: the feedback names it and its step
    page.get_by_role("textbox", name=re.compile("Your answer")).fill(str(catalogue_values(p.network())["color_as_gray"]))
    page.get_by_role("button", name="Check answer").click()
    finding = page.locator('[data-misconception="color_as_gray"]')
    expect(finding).to_be_visible()
    expect(finding).to_contain_text("Step: input channels")

    # one hint: the first formula step of the worked solution
    page.get_by_role("link", name="Next hint").click()
    expect(page.locator("#hints li")).to_have_count(1)
    expect(page.locator("#hints li").first).to_have_text(core.hints(p)[0])

    # the right answer, then the next problem
    page.get_by_role("textbox", name=re.compile("Your answer")).fill(f"{p.answers['total']:,}")
    page.get_by_role("button", name="Check answer").click()
    expect(page.locator('.feedback[data-status="correct"]')).to_be_visible()
    page.get_by_role("link", name="Next problem").click()
    expect(page.get_by_role("textbox", name=re.compile("Your answer"))).to_be_focused()
    assert PROBLEM.search(page.url) and current_problem(page).id != p.id

    page.goto(f"{base_url}/progress")
    expect(page.get_by_text("multi-channel input taken as one channel")).to_be_visible()


def test_keyboard_only(page: Page, base_url: str):
    page.goto(base_url + "/")
    expect(page.locator("#topic")).to_be_focused()  # autofocus on the picker
    page.keyboard.press("Tab")
    expect(page.locator("#difficulty")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#layers")).to_be_focused()
    page.keyboard.press("Space")  # ask for the per-layer table too
    page.keyboard.press("Tab")
    submit = page.get_by_role("button", name="Start practising")
    expect(submit).to_be_focused()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    page.keyboard.press("Enter")

    page.wait_for_url(PROBLEM)
    p = current_problem(page)
    assert "per_layer" in p.parts
    answer = page.locator("#total")
    expect(answer).to_be_focused()
    page.keyboard.type("1")
    page.keyboard.press("Enter")  # submits the form; the table is incomplete
    expect(page.locator("#feedback")).to_contain_text("not yet")
    expect(answer).to_be_focused()

    page.keyboard.press("Control+A")
    page.keyboard.type(str(p.answers["total"]))
    for value in p.answers["per_layer"].values():
        page.keyboard.press("Tab")
        page.keyboard.type(str(value))
    page.keyboard.press("Enter")
    expect(page.locator('.feedback[data-status="correct"]')).to_have_count(2)
    expect(page.locator("#next")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: PROBLEM.search(url) is not None and p.id.split("-")[-1] not in url)
    expect(page.locator("#total")).to_be_focused()


@pytest.mark.parametrize("path", ["/p/padding/medium/4?layers=1&hints=3", "/"])
def test_phone_screen(browser: Browser, base_url: str, tmp_path, path: str):
    context = browser.new_context(viewport={"width": 375, "height": 667}, device_scale_factor=1)
    try:
        page = context.new_page()
        page.goto(base_url + path)
        shot = tmp_path / "phone-375x667.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 5_000
        # nothing wider than the screen: no sideways scrolling of the page itself
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        font = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        assert font >= 16
    finally:
        context.close()
