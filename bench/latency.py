"""Pen-up to answer on screen, as a visitor feels it: the running app in headless Chromium, at desktop size with a
mouse and at phone size with a finger, drawing real pen digits (UJI Pen Characters v2) on both pads.

Character pad: time from lifting the pen to the top guess being shown, and to the 28x28 "what the model saw".
Word pad: a three-digit number, time from the last stroke's pen-up to the text read being shown (single-stroke
digits, so that every stroke changes what is shown: a timer cannot see an answer that does not change); and real
joined-up words (the UNIPEN sample in tests/data), from the last pen-up to the word's text shown.
Timed inside the page (see ``harness.browser.TIMER_JS``).

``--baseline-url`` also measures an app started elsewhere, side by side: the Gradio Sketchpad this pad replaced is
commit 94eeda3 (``git worktree add /tmp/before 94eeda3 && cd /tmp/before && python app.py --port 7870``, then
``--baseline-url http://127.0.0.1:7870/``). The script only needs ``#sketchpad``/``#wordpad`` canvases, a "Clear"
or "Clear canvas" button, ``#guesses`` and ``#word-text``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from harness import browser, data, drawings
from harness.live_server import start_app
from model.pad import CANVAS, WORD_CANVAS, word_placing

from .common import table

#: ms: the stroke-native pad issue's, and the joined-up words issue's
TARGETS = {"character median": 60, "character p95": 150, "word median": 100, "joined-up word median": 150}
SETTLE_MS = 1500  # quiet before a word's last stroke: longer than the slowest pad takes to answer
BASELINE_DRAWINGS = 6  # the Sketchpad takes ~30 s a drawing to drive (its pointer handling), so fewer of them


def _single_strokes() -> list[dict]:
    pen, _ = data.pen_drawings(full=False)
    return [d for d in pen if len(d["strokes"]) == 1]


def _clear(page, pad: str) -> None:
    exact = page.locator(pad).get_by_role("button", name="Clear", exact=True)
    button = exact if exact.count() else page.locator(pad).get_by_role("button", name="Clear canvas")
    if button.is_enabled():
        button.click()


def _stats(values: list[float | None]) -> dict:
    """Median, p95 and max over the drawings answered; ``unanswered``: no change on screen within the timeout."""
    answered = [v for v in values if v is not None]
    return {
        "median_ms": round(float(np.median(answered)), 1),
        "p95_ms": round(float(np.percentile(answered, 95)), 1),
        "max_ms": round(float(np.max(answered)), 1),
        "drawings": len(values),
        "unanswered": len(values) - len(answered),
    }


def measure(url: str, device: str, count: int, rng: np.random.Generator, joined_up: bool = True) -> dict:
    from playwright.sync_api import sync_playwright

    digits = _single_strokes()
    with sync_playwright() as p:
        chromium = browser.launch(p)
        context = chromium.new_context(**browser.DEVICES[device])
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(url)
        browser.wait_until_ready(page)
        page.evaluate(browser.TIMER_JS)
        guess, glyph = [], []
        for _ in range(count):
            _clear(page, "#sketchpad")
            browser.wait_for_no_guess(page)
            page.wait_for_timeout(200)  # a sketchpad re-selects its brush after a clear
            d = digits[int(rng.integers(len(digits)))]
            browser.watch(page, browser.GUESS)
            page.evaluate("() => { window.__glyphBefore = document.querySelector('#glyph img')?.src || ''; }")
            placed = drawings.place(d["strokes"], fraction=rng.uniform(0.45, 0.6), position=rng.uniform(0.2, 0.8, 2))
            browser.draw_on(page, "#sketchpad", placed, device, CANVAS)
            guess.append(browser.latency_ms(page))
            if guess[-1] is not None:
                page.wait_for_function(
                    "() => { const img = document.querySelector('#glyph img');"
                    " return img && img.src !== window.__glyphBefore && img.complete; }"
                )
                glyph.append(float(page.evaluate("() => performance.now() - window.__penUp")))
        page.get_by_role("tab", name="Write a word").click()
        page.wait_for_selector("#wordpad .pad[data-ready]")
        word = []
        for _ in range(count):
            _clear(page, "#wordpad")
            page.wait_for_function(f"() => (document.querySelector('{browser.WORD_TEXT}')?.value || '') === ''")
            chosen = [digits[int(rng.integers(len(digits)))] for _ in range(3)]
            for i, d in enumerate(chosen):  # each digit about a third of the pad's height, side by side, apart
                placed = drawings.place(d["strokes"], fraction=0.5, position=(0.5, 0.5), canvas=(150, 288))
                placed = [s + [60 + 150 * i, 0] for s in placed]
                if i == len(chosen) - 1:
                    browser.settle(page, browser.WORD_TEXT, quiet_ms=SETTLE_MS)  # the earlier digits' answers are in
                    browser.watch(page, browser.WORD_TEXT)
                browser.draw_on(page, "#wordpad", placed, device, WORD_CANVAS)
            word.append(browser.latency_ms(page))
        joined = []
        for k in range(count if joined_up else 0):  # real joined-up words (UNIPEN, tests/data), one after another
            _clear(page, "#wordpad")
            page.wait_for_function(f"() => (document.querySelector('{browser.WORD_TEXT}')?.value || '') === ''")
            strokes = _words()[k % len(_words())]
            placed = drawings.place(strokes, canvas=WORD_CANVAS, **word_placing(strokes, rng))
            for i, s in enumerate(placed):
                if i == len(placed) - 1:
                    browser.settle(page, browser.WORD_TEXT, quiet_ms=SETTLE_MS)
                    browser.watch(page, browser.WORD_TEXT)
                browser.draw_on(page, "#wordpad", [s], device, WORD_CANVAS)
            joined.append(browser.latency_ms(page))
        context.close()
        chromium.close()
    return {
        "character_guess": _stats(guess),
        "character_glyph": _stats(glyph),
        "word_text": _stats(word),
        **({"joined_word_text": _stats(joined)} if joined else {}),
    }


def _words() -> list[list]:
    """The strokes of the committed joined-up words (UNIPEN word test writers)."""
    import json

    return [json.loads(line)["strokes"] for line in data.UNIPEN_WORDS_SAMPLE.read_text().splitlines()]


def run(quick: bool = False, baseline_url: str | None = None, count: int | None = None) -> dict:
    count = count or (5 if quick else 30)
    with tempfile.TemporaryDirectory() as tmp, start_app(Path(tmp) / "app.log") as server:
        rng = np.random.default_rng(5)
        result = {
            "devices": {device: measure(server.url, device, count, rng) for device in browser.DEVICES},
            "targets_ms": TARGETS,
        }
    if baseline_url:
        rng = np.random.default_rng(5)  # the same drawings
        count = min(count, BASELINE_DRAWINGS)
        result["baseline"] = {
            "url": baseline_url,
            "devices": {device: measure(baseline_url, device, count, rng, False) for device in browser.DEVICES},
        }
    return result


def report(result: dict) -> str:
    rows = []
    for name, measured in [
        ("stroke-native pad", result),
        ("Gradio Sketchpad (commit 94eeda3)", result.get("baseline")),
    ]:
        if not measured:
            continue
        for device, r in measured["devices"].items():
            g, s, w = r["character_guess"], r["character_glyph"], r["word_text"]
            j = r.get("joined_word_text") or {"median_ms": "–", "p95_ms": "–", "unanswered": 0}
            missed = g["unanswered"] + w["unanswered"] + j["unanswered"]
            rows.append(
                [
                    name,
                    device,
                    g["drawings"],
                    g["median_ms"],
                    g["p95_ms"],
                    s["median_ms"],
                    w["median_ms"],
                    w["p95_ms"],
                    j["median_ms"],
                    j["p95_ms"],
                    missed,
                ]
            )
    t = result["targets_ms"]
    return (
        "Pen-up to answer on screen in headless Chromium, local server (desktop 1280x900 with a mouse; phone "
        f"390x844 with touch). Targets: a character's guess median <= {t['character median']} ms and p95 <= "
        f"{t['character p95']} ms, a number's text median <= {t['word median']} ms, a joined-up word's "
        f"<= {t.get('joined-up word median', '–')} ms.\n\n"
        + table(
            rows,
            [
                "pad",
                "device",
                "drawings",
                "guess median ms",
                "guess p95 ms",
                "28x28 median ms",
                "number text median ms",
                "number text p95 ms",
                "joined-up word text median ms",
                "joined-up word text p95 ms",
                "no answer within 10 s",
            ],
        )
    )
