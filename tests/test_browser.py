"""A person's view of the Space: headless Debian Chromium driven by Playwright against app.py on 127.0.0.1,
at desktop size with a mouse and at phone size with a finger (touch events).

Screenshots of every state land in test-artifacts/ (kept by CI). Needs /usr/bin/chromium (scripts/test.sh installs
it); outside CI the test is skipped if it is missing, in CI that is a failure.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from harness import browser
from harness.browser import draw_on, stroke, top_guess, wait_for_guess, wait_for_no_guess
from harness.live_server import start_app
from model.ink.canvas import CANVAS, WORD_CANVAS
from tests.conftest import ARTIFACT_DIR

ROOT = Path(__file__).resolve().parents[1]
#: A generous bound on pen-up -> guess shown (the benchmark measures the real figure, tens of ms): the Gradio
#: Sketchpad this pad replaced took ~800 ms, so a return to that behaviour fails here.
MAX_MEDIAN_LATENCY_MS = 300

if browser.chromium_missing() and not browser.in_ci():
    pytest.skip(browser.chromium_missing(), allow_module_level=True)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app():
    ARTIFACT_DIR.mkdir(exist_ok=True)
    with start_app(ARTIFACT_DIR / "app_browser.log") as server:
        yield server


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = browser.launch(p)
        yield launched
        launched.close()


@pytest.fixture(params=list(browser.DEVICES))
def page(request, app, chromium):
    context = chromium.new_context(**browser.DEVICES[request.param])
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(app.url)
    browser.wait_until_ready(page)
    page.device = request.param
    yield page
    context.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACT_DIR / f"browser_{page.device}_{name}.png"), full_page=True)


def draw(page, strokes: list, pad: str = "#sketchpad", size=CANVAS) -> None:
    draw_on(page, pad, strokes, page.device, size)


L = [[(140, 100), (140, 300), (260, 300)]]  # an "L" on the character pad, canvas units
SEVEN = [[(120, 110), (280, 110), (180, 300)]]


def button(page, pad: str, name: str):
    return page.locator(pad).get_by_role("button", name=name, exact=True)


def test_draw_undo_clear_and_draw_again(page):
    """A first-time visitor draws at once (nothing to select), then undoes and clears, and draws again, three times."""
    draw(page, L)
    wait_for_guess(page, "L")
    page.locator("#glyph img").wait_for()  # the 28x28 the model saw is shown, from the server
    shot(page, "draw")
    draw(page, [[(150, 200), (250, 200)]])  # a bar across: no longer an L
    page.wait_for_function(f"() => {browser.SHOWN_GUESS} !== 'L'")
    button(page, "#sketchpad", "Undo").click()  # the bar goes, the L is read again
    wait_for_guess(page, "L")
    for _ in range(3):
        button(page, "#sketchpad", "Clear").click()
        wait_for_no_guess(page)
        assert button(page, "#sketchpad", "Clear").is_disabled()
        draw(page, SEVEN)
        wait_for_guess(page, "7")
    shot(page, "clear_and_redraw")


def test_the_page_says_which_model_answered_and_switches(page):
    """The pad's answer names the model that gave it; choosing the other one under Model reads it again with that
    one, and back."""
    draw(page, SEVEN)
    wait_for_guess(page, "7")
    page.wait_for_function("() => document.querySelector('#note').innerText.includes('Read by the pen-tuned model')")
    page.locator("#model input").click()
    page.get_by_role("option", name="EMNIST Balanced").click()
    page.wait_for_function("() => document.querySelector('#note').innerText.includes('Read by the EMNIST Balanced')")
    shot(page, "model_switched")
    page.locator("#model input").click()
    page.get_by_role("option", name="Best for each input").click()
    page.wait_for_function("() => document.querySelector('#note').innerText.includes('Read by the pen-tuned model')")


def test_the_pad_reads_in_the_page_and_offline(page):
    """Once loaded, the character pad answers in the page: with the network cut it still reads, clears and reads
    again, and says it is offline."""
    page.wait_for_selector("#sketchpad .pad[data-local=ready]")
    browser.touch_session(page)  # before going offline: opening it later would bring the page back online
    draw(page, L)
    page.locator("#glyph img").wait_for()  # the server has answered too
    page.context.set_offline(True)
    try:
        button(page, "#sketchpad", "Clear").click()
        wait_for_no_guess(page)  # the server's L is not left on screen
        draw(page, SEVEN)
        wait_for_guess(page, "7")
        assert page.locator("#sketchpad .offline").is_visible()
        button(page, "#sketchpad", "Clear").click()
        wait_for_no_guess(page)
        draw(page, L)
        wait_for_guess(page, "L")
        shot(page, "offline")
    finally:
        page.context.set_offline(False)


def test_without_the_pages_weights_the_server_answers(chromium, tmp_path):
    """A model folder without the page's weights file (an older repo): the pad reads on the server, as before."""
    import shutil

    from model.network.files import WEB_FILE
    from model.network.loading import DEFAULT_DIR

    folder = tmp_path / "model"
    shutil.copytree(DEFAULT_DIR, folder)
    for web in folder.rglob(WEB_FILE):
        web.unlink()
    with start_app(ARTIFACT_DIR / "app_no_web.log", {"EMNIST_MODEL": str(folder)}) as server:
        context = chromium.new_context(**browser.DESKTOP)
        page = context.new_page()
        page.goto(server.url)
        browser.wait_until_ready(page)
        page.device = "desktop"
        draw(page, L)
        wait_for_guess(page, "L")
        assert page.locator("#sketchpad [data-local]").count() == 0 and page.locator(".local-guess").count() == 0
        context.close()


def test_a_tap_is_not_read_as_a_character(page):
    stroke_at = [(200, 200), (201, 201)]
    draw(page, [stroke_at])
    page.wait_for_function("() => document.querySelector('#note').innerText.includes('dot')")
    assert top_guess(page) == ""
    shot(page, "tap")


def test_the_page_does_not_scroll_while_a_finger_draws(page):
    if page.device != "phone":
        pytest.skip("touch scrolling is a phone's")
    browser.canvas_box(page)
    page.evaluate("() => window.scrollBy(0, 60)")  # the pad partly scrolled, as a visitor leaves it
    before = page.evaluate("() => window.scrollY")
    box = browser.canvas_box(page)
    x = box["x"] + box["width"] / 2
    stroke(
        page, [(x, box["y"] + 0.2 * box["height"]), (x, box["y"] + 0.8 * box["height"])], "phone"
    )  # a downward swipe
    wait_for_guess(page)  # read ...
    assert page.evaluate("() => window.scrollY") == before  # ... and the page stayed where it was


def test_click_an_example_shows_the_answer_where_the_visitor_looks(page):
    example = page.locator("button:has(img[src*='R_photo'])").first
    example.scroll_into_view_if_needed()
    example.click()
    wait_for_guess(page, "R")
    page.wait_for_timeout(800)  # the smooth scroll
    assert page.evaluate("""() => { const r = document.querySelector('#guesses').getBoundingClientRect();
                                    return r.top >= 0 && r.top < window.innerHeight; }"""), "the answer is off-screen"
    assert page.get_by_role("tab", name="Upload").get_attribute("aria-selected") == "true"
    shot(page, "example")


def test_an_uploaded_picture_of_a_word_is_read_whole(page, tmp_path):
    """A photo-like picture of a joined-up word (a committed UNIPEN test writer's "hotel", dark ink on white) on
    the Upload tab: the note says the word."""
    from PIL import Image

    from harness import data
    from harness.drawings import raster, word_placing

    word = next(w for w in data.pen_words("test", full=False)[0] if w.text == "hotel")
    ink = raster(list(word.strokes), 6, canvas=WORD_CANVAS, **word_placing(list(word.strokes)))
    paper = Image.new("RGB", WORD_CANVAS, "white")
    paper.paste(Image.fromarray(ink, "RGBA"), (0, 0), Image.fromarray(ink, "RGBA"))
    paper.save(tmp_path / "hotel.png")
    page.get_by_role("tab", name="Upload").click()
    page.locator("#upload input[type=file]").set_input_files(str(tmp_path / "hotel.png"))
    page.wait_for_function("() => document.querySelector('#note').innerText.includes('read as hotel')")
    shot(page, "upload_word")


def test_upload_then_remove(page):
    page.get_by_role("tab", name="Upload").click()
    page.locator("#upload input[type=file]").set_input_files(str(ROOT / "examples" / "digits" / "7_pen.png"))
    wait_for_guess(page, "7")
    shot(page, "upload")
    page.locator("#upload").get_by_role("button", name="Remove Image").click()
    wait_for_no_guess(page)
    shot(page, "upload_removed")


def test_write_a_word(page):
    page.get_by_role("tab", name="Write a word").click()
    page.wait_for_selector("#wordpad .pad[data-ready]")
    size = WORD_CANVAS
    draw(page, [[(150, 70), (110, 170), (200, 170)], [(170, 110), (170, 230)]], "#wordpad", size)  # 4, two strokes
    draw(page, [[(260, 70), (350, 70), (290, 230)]], "#wordpad", size)  # 7
    page.wait_for_function("() => document.querySelector('#word-text textarea')?.value === '47'")
    picture = page.locator("#word-boxes img").first
    picture.wait_for()  # the boxes picture follows the text
    shot(page, "word")
    picture.scroll_into_view_if_needed()
    shown = picture.bounding_box()  # a click on the 7 in the picture offers what else it might be
    page.mouse.click(shown["x"] + shown["width"] * 305 / size[0], shown["y"] + shown["height"] * 150 / size[1])
    choices = page.locator("#word-fix label")
    choices.first.wait_for()
    assert "2" in page.locator("#word-fix").inner_text()  # the second character's
    other = choices.first.inner_text().strip()
    choices.first.click()
    page.wait_for_function(f"() => document.querySelector('#word-text textarea')?.value === '4{other}'")
    button(page, "#wordpad", "Undo").click()  # the 7
    page.wait_for_function("() => document.querySelector('#word-text textarea')?.value === '4'")
    button(page, "#wordpad", "Clear").click()
    page.wait_for_function("() => document.querySelector('#word-text textarea')?.value === ''")


def test_write_a_joined_up_word_pick_another_reading_and_type_one(page):
    """A real cursive word (UNIPEN, tests/data) written on the word pad: read, boxed, other readings offered;
    picking one makes it the text and the memory keeps it; a longer word typed becomes the text too."""
    import json

    from harness import data
    from model.ink.canvas import place, word_placing

    row = json.loads(data.UNIPEN_WORDS_SAMPLE.read_text().splitlines()[0])
    page.get_by_role("tab", name="Write a word").click()
    page.wait_for_selector("#wordpad .pad[data-ready]")
    draw(page, place(row["strokes"], canvas=WORD_CANVAS, **word_placing(row["strokes"])), "#wordpad", WORD_CANVAS)
    page.wait_for_function("() => document.querySelector('#word-text textarea')?.value.length > 0")
    suggestions = page.locator("#word-suggestions label")
    suggestions.first.wait_for()
    read = page.locator("#word-text textarea").input_value()
    offered = [label.inner_text().strip() for label in suggestions.all()]
    assert offered and read not in offered
    page.locator("#word-boxes img").first.wait_for()
    shot(page, "word_joined_up")
    picked = offered[0]
    suggestions.first.click()
    page.wait_for_function("() => document.querySelector('#memory-status').innerText.includes('I remember')")
    page.wait_for_function("() => document.querySelector('#word-note').innerText.includes('Learnt from')")
    assert page.locator("#word-text textarea").input_value() == picked  # the picked reading is the text now
    assert "another model" not in page.locator("#word-note").inner_text()  # the memory is this model's
    shot(page, "word_suggestion_picked")
    longer = read + "s"
    page.locator("#word-typed input, #word-typed textarea").first.fill(longer)
    page.locator("#word-typed input, #word-typed textarea").first.press("Enter")
    page.wait_for_function(f"() => document.querySelector('#word-text textarea')?.value === {longer!r}", timeout=15_000)
    assert "⚠️" not in page.locator("#word-note").inner_text()
    shot(page, "word_typed")


def test_phone_layout_keeps_the_drawing_area_clear(page):
    """The pad spans the screen without sideways scrolling, shows only undo and clear, and no zoom or pan."""
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    visible = {b.get_attribute("aria-label") for b in page.locator("#sketchpad button").all() if b.is_visible()}
    assert visible == {"Undo", "Clear"}
    box = browser.canvas_box(page)
    width = page.evaluate("() => window.innerWidth")
    assert box["width"] >= (0.7 * width if page.device == "phone" else 0.9 * CANVAS[0])
    assert abs(box["width"] - box["height"]) <= 2  # square, as the model's frame is
    shot(page, "layout")


COVERED = """pad => {
  const canvas = document.querySelector(pad + ' canvas'), r = canvas.getBoundingClientRect(), out = [];
  for (const fx of [0.05, 0.5, 0.95]) for (const fy of [0.1, 0.5, 0.9]) {
    const hit = document.elementFromPoint(r.left + fx * r.width, r.top + fy * r.height);
    if (hit !== canvas) out.push([fx, fy, hit ? hit.outerHTML.slice(0, 80) : null]);
  }
  return out;
}"""


def test_nothing_covers_the_pads_where_the_pen_writes(page):
    """Corners, edges and middle of both pads take the pen: undo and clear sit above the canvas, not on it (on a
    phone the word pad is a short strip, and a button on it swallowed the end of a number)."""
    for pad in ("#sketchpad", "#wordpad"):
        if pad == "#wordpad":
            page.get_by_role("tab", name="Write a word").click()
            page.wait_for_selector("#wordpad .pad[data-ready]")
        page.locator(f"{pad} canvas").scroll_into_view_if_needed()
        assert page.evaluate(COVERED, pad) == []
        assert page.locator(f"{pad} button[aria-label=Clear]").is_visible()


def test_an_answer_arrives_quickly_after_the_pen_lifts(page):
    page.evaluate(browser.TIMER_JS)
    times = []
    for i in range(5):
        if i:
            button(page, "#sketchpad", "Clear").click()
            wait_for_no_guess(page)
        browser.watch(page, browser.GUESS)
        draw(page, L if i % 2 else SEVEN)
        times.append(browser.latency_ms(page))
    assert float(np.median(times)) < MAX_MEDIAN_LATENCY_MS, times


@pytest.fixture(scope="module")
def misread_digit(app):
    """A real pen digit (UJI writers sample) the bundled model reads wrong even among digits only: as drawn, or
    else slanted as some hands slant (the model reads most of the sample right as drawn)."""
    import json

    import numpy as np

    from harness import data
    from harness.drawings import pad_value, place
    from model import Classifier

    classifier = Classifier.load(variant="pen")  # what the pad reads with

    def slanted(strokes, degrees):
        points = np.concatenate([np.asarray(s, float) for s in strokes])
        centre, a = points.mean(axis=0), np.deg2rad(degrees)
        turn = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        return [((np.asarray(s, float) - centre) @ turn.T + centre).tolist() for s in strokes]

    drawings = json.loads(data.PEN_WRITERS_SAMPLE.read_text())
    for degrees in (0, 20, -20, 35, -35):
        for d in drawings:
            strokes = slanted(d["strokes"], degrees)
            if classifier.predict_strokes(pad_value(strokes), allowed="0123456789").label != d["label"]:
                return d["label"], place(strokes)
    pytest.fail("every sample digit is read right among digits, even slanted: pick another drawing")


def test_it_learns_my_handwriting_and_forgets_it(page, misread_digit):
    """Choose Digits, draw, say what it was, draw the same again: read right at once. Then forget it."""
    truth, strokes = misread_digit
    page.locator("#kind").get_by_text("Digits", exact=True).click()
    draw(page, strokes)
    wait_for_guess(page)
    wrong = top_guess(page)
    assert wrong != truth and wrong.isdigit()
    shot(page, "learn_before")
    page.locator("#typed textarea, #typed input").first.fill(truth)
    page.locator("#typed textarea, #typed input").first.press("Enter")
    wait_for_guess(page, truth)  # the same drawing, read again with the correction
    page.wait_for_function("() => document.querySelector('#memory-status').innerText.includes('remember 1 ')")
    button(page, "#sketchpad", "Clear").click()
    wait_for_no_guess(page)
    draw(page, strokes)  # drawn again: read as the visitor said
    wait_for_guess(page, truth)
    shot(page, "learn_after")
    page.locator("#forget").click()
    page.wait_for_function(
        "() => document.querySelector('#memory-status').innerText.includes('Forgotten')"
        " || document.querySelector('#memory-status').innerText.includes('forgotten')"
    )
    button(page, "#sketchpad", "Clear").click()
    wait_for_no_guess(page)
    draw(page, strokes)
    wait_for_guess(page, wrong)  # as a stranger's drawing again
