"""A visitor in headless Chromium (Debian's, driven by Playwright): desktop with a mouse, phone with a finger.

Strokes are sent as real input events (mouse moves, or CDP touch events that the page sees as pointer events of
type "touch"), so what is measured is what a person's browser does.
"""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
#: No background networking: this machine's closed network would otherwise refuse Chromium's own connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}
DEVICES = {"desktop": DESKTOP, "phone": PHONE}
STEP_PX = 6  # a stroke's given points are joined by input events at most this far apart (as a real pen reports)


def chromium_missing() -> str | None:
    """Why no browser can run here (None when it can); in CI a missing browser is a failure, not a skip."""
    if Path(CHROMIUM).exists():
        return None
    return "Debian chromium is not installed (bash scripts/test.sh installs it)"


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


def stroke(page, points: list[tuple[float, float]], device: str) -> None:
    """One continuous stroke through ``points`` (page pixels): the mouse on desktop, a finger on the phone."""
    path = [points[0]]
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        steps = max(1, int(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5 // STEP_PX))
        path += [(x0 + (x1 - x0) * t / steps, y0 + (y1 - y0) * t / steps) for t in range(1, steps + 1)]
    if device == "desktop":
        page.mouse.move(*path[0])
        page.mouse.down()
        for x, y in path[1:]:
            page.mouse.move(x, y)
        page.mouse.up()
        return
    cdp = touch_session(page)

    def touch(kind, x, y):
        cdp.send(
            "Input.dispatchTouchEvent", {"type": kind, "touchPoints": [] if kind == "touchEnd" else [{"x": x, "y": y}]}
        )

    touch("touchStart", *path[0])
    for x, y in path[1:]:
        touch("touchMove", x, y)
    touch("touchEnd", *path[-1])


def touch_session(page):
    """The page's DevTools session for touch input, opened once: opening one resets the page's network emulation
    (an offline page would come back online)."""
    session = getattr(page, "_touch_session", None)
    if session is None:
        session = page._touch_session = page.context.new_cdp_session(page)
    return session


def canvas_box(page, pad: str = "#sketchpad") -> dict:
    """Where the pad's drawing surface is on the page, scrolled into view."""
    canvas = page.locator(f"{pad} canvas").first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    for _ in range(50):  # a page still laying out (fonts, late components) moves the pad: wait until it stays
        page.wait_for_timeout(50)
        again = canvas.bounding_box()
        if again == box:
            return box
        canvas.scroll_into_view_if_needed()
        box = canvas.bounding_box()
    return box


def draw_on(page, pad: str, strokes: list, device: str, canvas_size: tuple[int, int]) -> None:
    """Strokes given in canvas units (as ``harness.drawings.place`` makes them), drawn on the pad: mapped onto the
    largest box of the canvas's proportions centred in the pad's <canvas> element (the whole element for this
    project's pad; a zoomed sketchpad shows its paper in the middle of a larger element)."""
    box = canvas_box(page, pad)
    scale = min(box["width"] / canvas_size[0], box["height"] / canvas_size[1])
    left = box["x"] + (box["width"] - scale * canvas_size[0]) / 2
    top = box["y"] + (box["height"] - scale * canvas_size[1]) / 2
    for s in strokes:
        stroke(page, [(left + x * scale, top + y * scale) for x, y in s], device)


#: The guess a visitor sees: the page's own answer where it shows one (space/pad.py), else the server's.
SHOWN_GUESS = """(() => {
  const panel = document.querySelector('#guesses .local-guess');
  if (panel && !panel.hidden) return panel.querySelector('.local-top')?.innerText.trim() || '';
  const el = document.querySelector('#guesses .output-class');
  return el ? el.innerText.trim() : '';
})()"""


def top_guess(page) -> str:
    return page.evaluate(f"() => {SHOWN_GUESS}")


def wait_for_guess(page, expected: str | None = None) -> None:
    """Until the shown guess is ``expected`` (any guess at all when None)."""
    page.wait_for_function(
        f"expected => {{ const g = {SHOWN_GUESS}; return expected === null ? !!g : g === expected; }}", arg=expected
    )


def wait_for_no_guess(page, timeout_ms: float | None = None) -> None:
    page.wait_for_function(f"() => !{SHOWN_GUESS}", timeout=timeout_ms)


# Pen-up -> answer on screen, timed inside the page (one clock): a capturing pointerup listener stamps the pen-up;
# a MutationObserver sees the watched text change the moment the page changes it, and the stamp is taken at the
# next animation frame, the one that paints it.
TIMER_JS_TEMPLATE = """
() => {
  window.__penUp = null;
  window.addEventListener('pointerup', () => { window.__penUp = performance.now(); }, true);
  window.__watch = (selector) => {
    const read = () => { if (selector === '#guesses') return SHOWN;
                         const el = document.querySelector(selector);
                         return el ? (el.value !== undefined ? el.value : el.innerText).trim() : ''; };
    let before = read();
    window.__shownAt = null;
    window.__penUp = null;
    if (window.__observer) window.__observer.disconnect();
    clearInterval(window.__poll);
    const check = () => {
      if (window.__shownAt !== null || window.__seen) return;
      const now = read();
      if (window.__penUp === null) { before = now; return; }  // an earlier stroke's answer: not this pen-up's
      if (now !== before) {
        window.__seen = true;
        requestAnimationFrame(() => { window.__shownAt = performance.now(); window.__seen = false; });
        window.__observer.disconnect(); clearInterval(window.__poll);
      }
    };
    window.__seen = false;
    window.__observer = new MutationObserver(check);
    window.__observer.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
    window.__poll = setInterval(check, 5);  // a textarea's value changes without a mutation
  };
}
"""
TIMER_JS = TIMER_JS_TEMPLATE.replace("SHOWN", SHOWN_GUESS)
#: Set once Gradio passes the page's events on (space/ui.py APP_READY_JS): a visitor's pen is heard from then on.
READY = "body[data-app-ready]"
GUESS = "#guesses"  # the shown guess (SHOWN_GUESS), whichever answered
WORD_TEXT = "#word-text textarea"


def settle(page, selector: str, quiet_ms: int = 300, timeout_ms: float = 10_000) -> None:
    """Wait until the text at ``selector`` has not changed for ``quiet_ms`` (every answer in flight has landed)."""
    page.wait_for_function(
        """([selector, quiet]) => {
             const el = document.querySelector(selector);
             const text = el ? (el.value !== undefined ? el.value : el.innerText) : '';
             const now = performance.now();
             if (window.__settleText !== text) { window.__settleText = text; window.__settleSince = now; }
             return now - window.__settleSince >= quiet;
           }""",
        arg=[selector, quiet_ms],
        polling=50,
        timeout=timeout_ms,
    )


def watch(page, selector: str) -> None:
    page.evaluate("selector => window.__watch(selector)", selector)


def latency_ms(page, timeout_ms: float = 10_000) -> float | None:
    """Milliseconds from the last pen-up to the watched text changing (call ``watch`` before the last stroke);
    None when nothing changed within ``timeout_ms``."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function("() => window.__shownAt !== null", timeout=timeout_ms)
    except PlaywrightTimeout:
        return None
    return float(page.evaluate("() => window.__shownAt - window.__penUp"))


def wait_until_ready(page) -> None:
    """Until the page listens (READY) and the character pad is drawn on its canvas."""
    page.wait_for_selector(READY, state="attached")
    page.wait_for_selector("#sketchpad .pad[data-ready]")
