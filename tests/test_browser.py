"""A person's view of the Space: headless Debian Chromium driven by Playwright against app.py on 127.0.0.1,
at desktop size with a mouse and at phone size with a finger (touch events).

Screenshots of every state land in test-artifacts/ (kept by CI). Needs /usr/bin/chromium (scripts/test.sh installs
it); outside CI the test is skipped if it is missing, in CI that is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from space.ui import CANVAS, WORD_CANVAS
from tests.conftest import ARTIFACT_DIR
from tests.live_server import start_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
ROOT = Path(__file__).resolve().parents[1]
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}

if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
    pytest.skip("Debian chromium is not installed (bash scripts/test.sh installs it)", allow_module_level=True)


@pytest.fixture(scope="module")
def app():
    ARTIFACT_DIR.mkdir(exist_ok=True)
    with start_app(ARTIFACT_DIR / "app_browser.log") as server:
        yield server


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(params=["desktop", "phone"])
def page(request, app, browser):
    context = browser.new_context(**(DESKTOP if request.param == "desktop" else PHONE))
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(app.url)
    page.wait_for_selector("#sketchpad canvas")
    page.device = request.param
    yield page
    context.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACT_DIR / f"browser_{page.device}_{name}.png"), full_page=True)


def stroke(page, points: list[tuple[float, float]]) -> None:
    """One continuous stroke through ``points`` (page pixels): the mouse on desktop, a finger on the phone."""
    if page.device == "desktop":
        page.mouse.move(*points[0])
        page.mouse.down()
        for x, y in points[1:]:
            page.mouse.move(x, y, steps=12)
        page.mouse.up()
        return
    cdp = page.context.new_cdp_session(page)

    def touch(kind, x, y):
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [] if kind == "touchEnd" else [{"x": x, "y": y}]})

    touch("touchStart", *points[0])
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        for t in range(1, 13):
            touch("touchMove", x0 + (x1 - x0) * t / 12, y0 + (y1 - y0) * t / 12)
    touch("touchEnd", *points[-1])
    cdp.detach()


def canvas_box(page, pad: str = "#sketchpad") -> dict:
    """Where the white drawing area is: centred in the editor, the canvas size times the zoom it shows."""
    canvas = page.locator(f"{pad} canvas").first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    zoom = float(page.locator(f"{pad}").get_by_text("%").first.inner_text().strip("% ")) / 100
    width, height = (WORD_CANVAS if pad == "#wordpad" else CANVAS)
    w, h = width * zoom, height * zoom
    return {"x": box["x"] + (box["width"] - w) / 2, "y": box["y"] + (box["height"] - h) / 2, "width": w, "height": h}


def draw_l(page) -> None:
    box = canvas_box(page)
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    s = min(box["width"], box["height"]) * 0.25
    stroke(page, [(cx - 0.6 * s, cy - s), (cx - 0.6 * s, cy + s), (cx + 0.6 * s, cy + s)])  # an "L"


def top_guess(page) -> str:
    element = page.locator("#guesses h2, #guesses .output-class").first
    return element.inner_text().strip() if element.count() else ""


def wait_for_guess(page, expected: str) -> None:
    page.wait_for_function(
        """expected => { const el = document.querySelector('#guesses h2, #guesses .output-class');
                         return el && el.innerText.trim() === expected; }""", arg=expected)


def in_viewport(page, selector: str) -> bool:
    return page.evaluate("""sel => { const r = document.querySelector(sel).getBoundingClientRect();
                                     return r.top >= 0 && r.top < window.innerHeight; }""", selector)


def test_draw_clear_and_draw_again(page):
    """A first-time visitor draws at once (no tool click), then clears and draws again, again and again:
    "Clear canvas" drops Gradio's tool selection, and the page must pick the brush back up every time."""
    draw_l(page)
    wait_for_guess(page, "L")
    assert page.locator("#glyph img").count() == 1  # the 28x28 the model saw is shown
    shot(page, "draw")
    for _ in range(3):
        page.locator("#sketchpad").get_by_role("button", name="Clear canvas").click()
        page.wait_for_function("() => { const el = document.querySelector('#guesses h2, #guesses .output-class');"
                               " return !el || el.innerText.trim() === ''; }")
        draw_l(page)
        wait_for_guess(page, "L")
    shot(page, "clear_and_redraw")


def test_a_tap_is_not_read_as_a_character(page):
    box = canvas_box(page)
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    stroke(page, [(x, y), (x + 1, y + 1)])
    page.wait_for_function("() => document.querySelector('#note').innerText.includes('dot')")
    assert top_guess(page) == ""
    shot(page, "tap")


def test_click_an_example_shows_the_answer_where_the_visitor_looks(page):
    example = page.locator("button:has(img[src*='R_photo'])").first
    example.scroll_into_view_if_needed()
    example.click()
    wait_for_guess(page, "R")
    page.wait_for_timeout(800)  # the smooth scroll
    assert in_viewport(page, "#guesses"), "the answer to a gallery click is off-screen"
    assert page.get_by_role("tab", name="Upload").get_attribute("aria-selected") == "true"
    shot(page, "example")


def test_upload_then_remove(page):
    page.get_by_role("tab", name="Upload").click()
    page.locator("#upload input[type=file]").set_input_files(str(ROOT / "examples" / "digits" / "7_pen.png"))
    wait_for_guess(page, "7")
    shot(page, "upload")
    page.locator("#upload").get_by_role("button", name="Remove Image").click()
    page.wait_for_function("() => { const el = document.querySelector('#guesses h2, #guesses .output-class');"
                           " return !el || el.innerText.trim() === ''; }")
    shot(page, "upload_removed")


def test_write_a_word(page):
    page.get_by_role("tab", name="Write a word").click()
    page.wait_for_selector("#wordpad canvas")
    box = canvas_box(page, "#wordpad")
    h = box["height"] * 0.5
    x0, top = box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.25
    stroke(page, [(x0, top), (x0, top + h), (x0 + 0.5 * h, top + h)])  # L
    x1 = x0 + 0.9 * h
    stroke(page, [(x1, top), (x1 + 0.7 * h, top)])  # T: the bar ...
    stroke(page, [(x1 + 0.35 * h, top), (x1 + 0.35 * h, top + h)])  # ... and the stem
    page.wait_for_function("() => document.querySelector('#word-text textarea')?.value === 'LT'")
    assert page.locator("#word-boxes img").count() >= 1
    shot(page, "word")


def test_phone_layout_keeps_the_drawing_area_clear(page):
    """No tool floats over the drawing (the side tool column covered its left edge on phones), no colour or
    size popovers to get lost in, and the page does not scroll sideways."""
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    visible = {b.get_attribute("aria-label") for b in page.locator("#sketchpad button").all() if b.is_visible()}
    assert not visible & {"Color", "Brush Size"}
    assert ("Brush" in visible) == (page.device == "desktop")  # the side column: desktop only
    assert {"Undo", "Clear canvas"} <= visible
    shot(page, "layout")
