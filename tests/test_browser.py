"""End to end in a real headless Chromium (Debian's ``chromium``) driven by Playwright.

The app runs in a thread on 127.0.0.1 under waitress (as ``cnnquiz serve`` runs it), port 0,
on a real SQLite store; class mode too. No test here is
skipped when Chromium is missing: ``make test`` installs it, and CI must prove the loop.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from waitress import create_server

from cnnquiz import practice_core as core
from cnnquiz.classmode import ClassConfig, hash_password
from cnnquiz.store import open_store
from cnnquiz.web import create_app
from generator.problem import catalogue_values

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PROBLEM = re.compile(r"/p/([a-z0-9-]+)/(easy|medium|hard)/(\d+)")




def serve(app) -> tuple[str, object]:
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{server.effective_port}", server


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory):
    return tmp_path_factory.mktemp("web") / "progress.db"


@pytest.fixture(scope="module")
def base_url(store_path) -> Iterator[str]:
    url, server = serve(create_app(store_path, seed=3))
    try:
        yield url
    finally:
        server.close()


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
    mode = re.search(r"mode=(\w+)", page.url)
    return core.build(topic, difficulty, int(seed), mode.group(1) if mode else "total")


def record(store_path, problem_id: str, student: str = "local") -> dict:
    return open_store(store_path).problem_state(student, problem_id)


def answer_box(page: Page):
    return page.get_by_role("textbox", name=re.compile("Your answer"))


def test_full_loop(page: Page, base_url: str, store_path):
    page.goto(f"{base_url}/p/color/easy/5")
    p = current_problem(page)
    expect(page.get_by_role("img", name=re.compile("Architecture diagram")).last).to_be_visible()
    assert page.evaluate("window.scrollY") == 0  # no jump past the statement on load

    # a wrong answer with a confident catalogued mistake: the feedback names it and its step
    answer_box(page).fill(str(catalogue_values(p.network())["conv_no_bias"]))
    page.get_by_role("button", name="Check answer").click()
    finding = page.locator('[data-misconception="conv_no_bias"]')
    expect(finding).to_be_visible()
    expect(finding).to_contain_text("Step: bias")
    expect(page.locator("#verdict")).to_be_focused()  # focus moves to the verdict

    # "Next hint" keeps the feedback and what was typed
    answer_box(page).fill("4321")
    page.get_by_role("button", name="Next hint").click()
    expect(page.locator("#hints li")).to_have_count(1)
    expect(finding).to_be_visible()
    expect(answer_box(page)).to_have_value("4321")

    # the right answer, then the next problem
    answer_box(page).fill(f"{p.answers['total']:,}")
    page.get_by_role("button", name="Check answer").click()
    expect(page.locator('.feedback[data-status="correct"]')).to_be_visible()
    expect(page.locator("#record")).to_contain_text("not at the first try")
    page.get_by_role("link", name="Next problem").click()
    assert PROBLEM.search(page.url) and current_problem(page).id != p.id

    page.goto(f"{base_url}/progress")
    expect(page.get_by_text("conv bias left out")).to_be_visible()


def test_reload_and_back_after_answering_resend_nothing(page: Page, base_url: str, store_path):
    url = f"{base_url}/p/basic/easy/101"
    page.goto(url)
    answer_box(page).fill("1")
    page.get_by_role("button", name="Check answer").click()
    expect(page.locator('.feedback[data-status="incorrect"]')).to_be_visible()
    pid = current_problem(page).id
    assert record(store_path, pid)["attempts"] == 1
    page.reload()
    expect(page.locator('.feedback[data-status="incorrect"]')).to_be_visible()
    page.go_back()
    page.wait_for_load_state()
    expect(answer_box(page)).to_be_visible()
    page.go_forward()
    page.reload()
    assert record(store_path, pid)["attempts"] == 1  # no resubmission, no double count


def test_two_tabs_one_first_try(browser: Browser, base_url: str, store_path):
    context = browser.new_context()
    try:
        one, two = context.new_page(), context.new_page()
        url = f"{base_url}/p/padding/easy/77"
        one.goto(url)
        two.goto(url)  # opened before the first answer
        p = current_problem(one)
        answer_box(one).fill("1")
        one.get_by_role("button", name="Check answer").click()
        answer_box(two).fill(str(p.answers["total"]))
        two.get_by_role("button", name="Check answer").click()
        expect(two.locator('.feedback[data-status="correct"]')).to_be_visible()
        expect(two.locator("#record")).to_contain_text("not at the first try")
        state = record(store_path, p.id)
        assert state["attempts"] == 2 and state["solved"] == 1 and state["first_try"] == 0
    finally:
        context.close()


def test_hints_then_answer_is_not_a_first_try(page: Page, base_url: str, store_path):
    page.goto(f"{base_url}/p/groups/easy/31")
    p = current_problem(page)
    for n in range(1, 4):
        page.get_by_role("button", name="Next hint").click()
        expect(page.locator("#hints li")).to_have_count(n)
    levels = page.locator("#hints li").evaluate_all("els => els.map(e => e.dataset.level)")
    assert levels == ["concept", "formula", "numbers"]
    answer_box(page).fill(str(p.answers["total"]))
    page.get_by_role("button", name="Check answer").click()
    expect(page.locator("#record")).to_contain_text("not at the first try")
    assert record(store_path, p.id)["first_try"] == 0


def test_keyboard_only(page: Page, base_url: str):
    page.goto(base_url + "/")
    expect(page.locator("#topic")).to_be_focused()  # autofocus on the picker (top of the page)
    page.keyboard.press("Tab")
    expect(page.locator("#difficulty")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#mode-total")).to_be_focused()
    page.keyboard.press("ArrowDown")  # the per-layer table too
    expect(page.locator("#mode-layers")).to_be_checked()
    page.keyboard.press("Tab")
    submit = page.get_by_role("button", name="Start practising")
    expect(submit).to_be_focused()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    page.keyboard.press("Enter")

    page.wait_for_url(PROBLEM)
    p = current_problem(page)
    assert "per_layer" in p.parts
    page.locator("#total").focus()
    page.keyboard.type(str(p.answers["total"]))
    for value in p.answers["per_layer"].values():
        page.keyboard.press("Tab")
        page.keyboard.type(str(value))
    page.keyboard.press("Enter")
    expect(page.locator('.feedback[data-status="correct"]')).to_have_count(2)
    expect(page.locator("#verdict")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#next")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: PROBLEM.search(url) is not None and p.id.split("-")[-1] not in url)


def test_per_layer_cells_marked_in_the_page(page: Page, base_url: str):
    page.goto(f"{base_url}/p/basic/easy/42?mode=layers")
    p = current_problem(page)
    answer_box(page).fill(str(p.answers["total"]))
    values = list(p.answers["per_layer"].values())
    for i, v in enumerate(values):
        page.locator(f"#layer-{i}").fill(str(v + 1 if i == 0 else v))
    page.get_by_role("button", name="Check answer").click()
    expect(page.locator('tr[data-cell="wrong"]')).to_have_count(1)
    expect(page.locator('tr[data-cell="right"]')).to_have_count(len(values) - 1)


PHONE_PAGES = ["/p/padding/medium/4?mode=layers", "/p/sharing/hard/8?mode=layers", "/",
               "/progress", "/p/basic/hard/12?mode=shape"]  # the width is appended to the seed


@pytest.mark.parametrize("width", [320, 375])
def test_phone_screen_never_wider_than_the_viewport(browser: Browser, base_url: str, tmp_path,
                                                    width: int):
    context = browser.new_context(viewport={"width": width, "height": 667}, device_scale_factor=1)
    try:
        page = context.new_page()
        for path in PHONE_PAGES:
            page.goto(base_url + path.replace("?", f"{width}?"))
            if "mode=" in path:  # feedback, hints and the worked solution on the page too
                page.locator("#total").fill("1")
                page.get_by_role("button", name="Check answer").click()
                page.get_by_role("button", name="Next hint").click()
                expect(page.locator("#hints li")).to_have_count(1)
                page.get_by_role("button", name="Worked solution").click()
                expect(page.locator("#solution")).to_be_visible()
            shot = tmp_path / f"phone-{width}.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 5_000
            # nothing wider than the screen: tables scroll inside their own box
            assert page.evaluate("document.documentElement.scrollWidth") <= width, path
            font = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
            assert font >= 16
    finally:
        context.close()


def _rgb(css: str) -> tuple[float, ...]:
    return tuple(float(x) for x in re.findall(r"[\d.]+", css)[:3])


def contrast(a: str, b: str) -> float:
    def lum(c: tuple[float, ...]) -> float:
        ch = [x / 255 for x in c]
        ch = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in ch]
        return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2]

    hi, lo = sorted((lum(_rgb(a)), lum(_rgb(b))), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_colour_schemes_and_focus_ring_contrast(browser: Browser, base_url: str, scheme: str):
    context = browser.new_context(color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(f"{base_url}/p/color/easy/{500 + len(scheme)}")
        bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
        fg = page.evaluate("getComputedStyle(document.body).color")
        assert (sum(_rgb(bg)) < 150) == (scheme == "dark")
        assert contrast(fg, bg) >= 7
        page.locator("#total").focus()
        page.keyboard.press("Tab")
        ring = page.evaluate("getComputedStyle(document.activeElement).outlineColor")
        assert page.evaluate("getComputedStyle(document.activeElement).outlineWidth") == "3px"
        assert contrast(ring, bg) >= 3
    finally:
        context.close()


def test_print_layout(page: Page, base_url: str):
    page.goto(f"{base_url}/p/color/easy/5")
    page.emulate_media(media="print")
    assert page.evaluate("getComputedStyle(document.querySelector('header.top')).display") == "none"
    assert page.evaluate("getComputedStyle(document.querySelector('#answer-form')).display") == "none"


# -- class mode -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def class_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    klass = ClassConfig(code="owl-7", password_hash=hash_password("teach"),
                        roster=frozenset({"s001", "s002"}), name="CNN 101")
    url, server = serve(create_app(tmp_path_factory.mktemp("class") / "class.db", seed=5,
                                   klass=klass))
    try:
        yield url
    finally:
        server.close()


def sign_in(page: Page, class_url: str, student: str, code: str = "owl-7") -> None:
    page.goto(class_url + "/")
    page.get_by_label("Your student id").fill(student)
    page.get_by_label("Class code").fill(code)
    page.get_by_role("button", name="Sign in").click()


def test_class_sign_in_progress_and_instructor_page(browser: Browser, class_url: str):
    context = browser.new_context()
    try:
        page = context.new_page()
        sign_in(page, class_url, "s001", "wrong-code")
        expect(page.locator("#signin-error")).to_be_visible()
        sign_in(page, class_url, "s999")  # not on the roster
        expect(page.locator("#signin-error")).to_be_visible()
        sign_in(page, class_url, "s001")
        expect(page.get_by_text("Signed in as s001")).to_be_visible()
        page.goto(class_url + "/p/color/easy/5")
        p = current_problem(page)
        answer_box(page).fill(str(catalogue_values(p.network())["conv_no_bias"]))
        page.get_by_role("button", name="Check answer").click()
        expect(page.locator('[data-misconception="conv_no_bias"]')).to_be_visible()
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_label("Class code")).to_be_visible()

        page.goto(class_url + "/instructor/signin")
        page.get_by_label("Instructor password").fill("teach")
        page.get_by_role("button", name="Sign in").click()
        row = page.locator('table[data-topic="color"] tr[data-misconception="conv_no_bias"]')
        expect(row).to_contain_text("conv bias left out")
        with page.expect_download() as dl:
            page.get_by_role("link", name="Export as CSV").click()
        text = Path(dl.value.path()).read_text(encoding="utf-8")
        assert "color,conv_no_bias,conv bias left out,bias,1,1" in text
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    finally:
        context.close()
