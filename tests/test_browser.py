"""A person's view of the Space: headless Debian Chromium driven by Playwright against app.py on 127.0.0.1.

Screenshots land in test-artifacts/ (kept by CI). Needs /usr/bin/chromium (scripts/test.sh installs it);
outside CI the test is skipped if it is missing, in CI that is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench.server import start_app
from tests.conftest import ARTIFACT_DIR

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
ROOT = Path(__file__).resolve().parents[1]

if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
    pytest.skip("Debian chromium is not installed (bash scripts/test.sh installs it)", allow_module_level=True)


@pytest.fixture(scope="module")
def page():
    from playwright.sync_api import sync_playwright

    ARTIFACT_DIR.mkdir(exist_ok=True)
    app = start_app(ARTIFACT_DIR / "app_browser.log")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.set_default_timeout(30_000)
        page.goto(app.url)
        page.wait_for_selector("#sketchpad canvas")
        yield page
        browser.close()
    app.stop()


def top_guess(page) -> str:
    return page.locator("#guesses h2, #guesses .output-class").first.inner_text().strip()


def wait_for_guess(page, expected: str):
    page.wait_for_function(
        """expected => { const el = document.querySelector('#guesses h2, #guesses .output-class');
                         return el && el.innerText.trim() === expected; }""", arg=expected)


def draw_l(page):
    canvas = page.locator("#sketchpad canvas").first
    box = canvas.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    s = min(box["width"], box["height"]) * 0.25
    page.mouse.move(cx - 0.6 * s, cy - s)
    page.mouse.down()
    for x, y in [(cx - 0.6 * s, cy + s), (cx + 0.6 * s, cy + s)]:  # an "L": down, then right
        page.mouse.move(x, y, steps=15)
    page.mouse.up()


def test_draw_without_choosing_a_tool(page):
    """A first-time visitor draws at once: the brush must already be active (no tool click here)."""
    draw_l(page)
    wait_for_guess(page, "L")
    assert page.locator("#glyph img").count() == 1  # the 28x28 the model saw is shown
    page.screenshot(path=str(ARTIFACT_DIR / "browser_draw.png"), full_page=True)


def test_clear_then_draw_again(page):
    """"Clear canvas" drops Gradio's tool selection; drawing must keep working however often a visitor clears."""
    for round_ in range(3):
        page.get_by_role("button", name="Clear canvas").click()
        page.wait_for_function("() => !document.querySelector('#guesses h2, #guesses .output-class')"
                               " || document.querySelector('#guesses h2, #guesses .output-class').innerText.trim() === ''")
        draw_l(page)
        wait_for_guess(page, "L")
    page.screenshot(path=str(ARTIFACT_DIR / "browser_clear_and_redraw.png"), full_page=True)


def test_click_an_example(page):
    example = page.locator("button:has(img[src*='R_photo'])").first
    if example.count() == 0:
        example = page.locator("img[src*='R_photo']").first
    example.click()
    wait_for_guess(page, "R")
    page.screenshot(path=str(ARTIFACT_DIR / "browser_example.png"), full_page=True)


def test_upload_a_file(page):
    page.get_by_role("tab", name="Upload").click()
    page.locator("#upload input[type=file]").set_input_files(str(ROOT / "examples" / "digits" / "7_digits.png"))
    wait_for_guess(page, "7")
    page.screenshot(path=str(ARTIFACT_DIR / "browser_upload.png"), full_page=True)
