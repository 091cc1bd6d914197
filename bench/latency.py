"""Pen-up to answer on screen, as a visitor feels it: the running app in headless Chromium, at desktop size with a
mouse and at phone size with a finger, drawing real pen digits (UJI Pen Characters v2) on both pads, with Chromium's
own network emulation putting the app 0, 50 and 150 ms away (round trip).

Character pad: time from lifting the pen to the top guess being shown (the page answers itself: space/web), and
the page's own compute time for a guess, also with the CPU slowed 4x (a mid-range phone). Word pad (the server
answers): a three-digit number, time from the last stroke's pen-up to the text read being shown (single-stroke
digits, so that every stroke changes what is shown: a timer cannot see an answer that does not change); and real
joined-up words (the UNIPEN sample in tests/data, each written JOINED_PASSES times, placed afresh), from the pen-up
that ends the word's last stroke written onwards (not a bar or dot put back over it) to the word's text shown.
Timed inside the page (see ``harness.browser.TIMER_JS``).

The phone's strokes go through one DevTools session for the whole page, and a word waits before its last stroke
only as long as the slowest answer takes, so that the whole run stays within minutes.

``--baseline-url`` also measures an app started elsewhere, side by side, on the nearest network only.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from harness import browser, data, drawings
from harness.live_server import start_app
from model.ink.canvas import CANVAS, WORD_CANVAS, word_placing

from .common import table

#: ms: the in-page answers issue's (character, at any distance), the word model issue's (joined-up word, nearby)
TARGETS = {"character median": 16, "character p95": 33, "word median": 100, "joined-up word median": 100}
#: Round trips to the app, ms: loopback, a nearby region, another continent.
ROUND_TRIPS = (0, 50, 150)
SETTLE_MS = 800  # quiet before a word's last stroke: longer than the slowest answer takes at 150 ms
#: Each committed joined-up word is written this many times a condition: six timings alone moved the median by
#: tens of ms between runs of the same code.
JOINED_PASSES = 2
BASELINE_DRAWINGS = 6  # the Sketchpad takes ~30 s a drawing to drive (its pointer handling), so fewer of them
THROTTLE = 4  # Chromium's CPU slow-down for a mid-range phone


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


def _network(page, round_trip_ms: float, offline: bool = False) -> None:
    """The app ``round_trip_ms`` away (or the network cut): Chromium's emulation, on the page's one DevTools
    session, adds it to every request (the pad's answers too)."""
    session = browser.touch_session(page)
    session.send("Network.enable")
    session.send(
        "Network.emulateNetworkConditions",
        {"offline": offline, "latency": round_trip_ms, "downloadThroughput": -1, "uploadThroughput": -1},
    )


def measure(
    url: str, device: str, count: int, rng: np.random.Generator, joined_up: bool = True, round_trips=ROUND_TRIPS
) -> dict:
    """Every network distance on one page: the character pad's guesses and compute times, the word pad's texts."""
    from playwright.sync_api import sync_playwright

    digits = _single_strokes()
    out: dict = {}
    with sync_playwright() as p:
        chromium = browser.launch(p)
        context = chromium.new_context(**browser.DEVICES[device])
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(url)
        browser.wait_until_ready(page)
        page.evaluate(browser.TIMER_JS)
        local = page.locator("#sketchpad .pad[data-local=ready]").count() > 0 or _local_ready(page)
        for round_trip in round_trips:
            _network(page, round_trip)
            page.get_by_role("tab", name="Draw").click()
            guess, compute = _characters(page, device, digits, count, rng)
            page.get_by_role("tab", name="Write a word").click()
            page.wait_for_selector("#wordpad .pad[data-ready]")
            out[f"{round_trip} ms"] = {
                "character_guess": _stats(guess),
                "character_compute": _stats(compute) if compute else None,
                "word_text": _stats(_numbers(page, device, digits, max(3, count // 4), rng)),
                **({"joined_word_text": _stats(_joined(page, device, rng))} if joined_up else {}),
            }
        if local and device == "desktop" and joined_up:
            _network(page, 0)
            page.get_by_role("tab", name="Draw").click()
            browser.touch_session(page).send("Emulation.setCPUThrottlingRate", {"rate": THROTTLE})
            _, compute = _characters(page, device, digits, count, rng)
            browser.touch_session(page).send("Emulation.setCPUThrottlingRate", {"rate": 1})
            out[f"CPU slowed {THROTTLE}x"] = {"character_compute": _stats(compute)}
        if local and joined_up:  # the network cut: the character pad still answers (the word pad cannot)
            page.get_by_role("tab", name="Draw").click()
            _network(page, 0, offline=True)
            guess, compute = _characters(page, device, digits, count, rng)  # last: back online, Gradio reloads
            out["offline"] = {"character_guess": _stats(guess), "character_compute": _stats(compute)}
        context.close()
        chromium.close()
    return {"local": local, "conditions": out}


def _local_ready(page) -> bool:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_selector("#sketchpad .pad[data-local=ready]", timeout=10_000)
        return True
    except PlaywrightTimeout:
        return False


def _characters(page, device: str, digits: list, count: int, rng) -> tuple[list, list]:
    """(pen-up -> guess shown, the page's compute time) for ``count`` digits on the character pad."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    guess, compute = [], []
    for _ in range(count):
        _clear(page, "#sketchpad")
        try:
            browser.wait_for_no_guess(page, timeout_ms=3_000)
        except PlaywrightTimeout:  # an older answer still shown: the watch then needs a different one
            pass
        d = digits[int(rng.integers(len(digits)))]
        page.evaluate("() => { delete document.querySelector('#sketchpad .pad').dataset.localMs; }")
        browser.watch(page, browser.GUESS)
        placed = drawings.place(d["strokes"], fraction=rng.uniform(0.45, 0.6), position=rng.uniform(0.2, 0.8, 2))
        browser.draw_on(page, "#sketchpad", placed, device, CANVAS)
        guess.append(browser.latency_ms(page))
        spent = page.evaluate("() => document.querySelector('#sketchpad .pad').dataset.localMs")
        if spent is not None:
            compute.append(float(spent))
    return guess, compute


def _numbers(page, device: str, digits: list, count: int, rng) -> list:
    """Pen-up -> text shown for three-digit numbers written apart on the word pad."""
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
    return word


def _joined(page, device: str, rng) -> list:
    """Pen-up -> text shown for each committed joined-up word (UNIPEN word test writers), timed on
    the last stroke that carries the word onwards: one written back over it after that (a t's bar, an i's dot)
    often leaves the text as it was, and a timer cannot see an answer that does not change."""
    joined = []
    for strokes in _words() * JOINED_PASSES:
        _clear(page, "#wordpad")
        page.wait_for_function(f"() => (document.querySelector('{browser.WORD_TEXT}')?.value || '') === ''")
        placed = drawings.place(strokes, canvas=WORD_CANVAS, **word_placing(strokes, rng))
        timed = _last_onwards(placed)
        for i, s in enumerate(placed):
            if i == timed:
                browser.settle(page, browser.WORD_TEXT, quiet_ms=SETTLE_MS)
                browser.watch(page, browser.WORD_TEXT)
            browser.draw_on(page, "#wordpad", [s], device, WORD_CANVAS)
            if i == timed:
                joined.append(browser.latency_ms(page))
    return joined


def _last_onwards(strokes: list) -> int:
    """The last stroke whose middle lies right of all the ink before it."""
    reach, last = -np.inf, 0
    for i, stroke in enumerate(strokes):
        x = np.asarray(stroke, dtype=float).reshape(-1, 2)[:, 0]
        if x.mean() >= reach:
            last = i
        reach = max(reach, float(x.max()))
    return last


def _words() -> list[list]:
    """The strokes of the committed joined-up words (UNIPEN word test writers)."""
    import json

    return [json.loads(line)["strokes"] for line in data.UNIPEN_WORDS_SAMPLE.read_text().splitlines()]


def run(quick: bool = False, baseline_url: str | None = None, count: int | None = None) -> dict:
    count = count or (4 if quick else 15)
    with tempfile.TemporaryDirectory() as tmp, start_app(Path(tmp) / "app.log") as server:
        rng = np.random.default_rng(5)
        result = {
            "devices": {
                device: measure(server.url, device, count, rng, round_trips=(0,) if quick else ROUND_TRIPS)
                for device in browser.DEVICES
            },
            "targets_ms": TARGETS,
        }
    if baseline_url:
        rng = np.random.default_rng(5)  # the same drawings
        count = min(count, BASELINE_DRAWINGS)
        result["baseline"] = {
            "url": baseline_url,
            "devices": {
                device: measure(baseline_url, device, count, rng, False, round_trips=(0,)) for device in browser.DEVICES
            },
        }
    return result


def report(result: dict) -> str:
    rows = []
    for name, measured in [("this app", result), ("baseline", result.get("baseline"))]:
        if not measured:
            continue
        for device, r in measured["devices"].items():
            for condition, c in r["conditions"].items():
                cells = []
                for key in ("character_guess", "character_compute", "word_text", "joined_word_text"):
                    s = c.get(key)
                    cells += [s["median_ms"], s["p95_ms"]] if s else ["–", "–"]
                missed = sum((c.get(k) or {}).get("unanswered", 0) for k in c)
                rows.append([name, device, condition, *cells, missed])
    t = result["targets_ms"]
    return (
        "Pen-up to answer on screen in headless Chromium (desktop 1280x900 with a mouse; phone 390x844 with touch), "
        "the app at each round trip by Chromium's network emulation. The character pad answers in the page; the "
        f"word pad on the server. Targets: a character's guess median <= {t['character median']} ms and p95 <= "
        f"{t['character p95']} ms at any distance; a joined-up word's text median <= "
        f"{t['joined-up word median']} ms nearby.\n\n"
        + table(
            rows,
            [
                "app",
                "device",
                "round trip",
                "guess median ms",
                "guess p95 ms",
                "guess compute median ms",
                "guess compute p95 ms",
                "number text median ms",
                "number text p95 ms",
                "joined-up word median ms",
                "joined-up word p95 ms",
                "no answer within 10 s",
            ],
        )
    )
