"""Real pen strokes through both drawing paths: as the pad sends them (the strokes themselves,
``Classifier.predict_strokes``) and as a raster sketchpad would have sent them (a picture, the path uploads still
take, ``Classifier.predict``).

The pen test set first: UNIPEN's test contributors (``train.pen.TEST_CONTRIBUTORS``, never trained or chosen on),
per category, 47 classes and with the kind the person would choose (``allowed``: digits or letters), beside the
UJI digits of writers 30-59. Then the UJI digits of all writers at every brush width:

Each trajectory is placed on the 400x400 pad (the character 45-80% of it, anywhere on it) at every brush width
from a thin pen to a fat finger; the same placements go through both paths. The strokes path draws at EMNIST's
width whatever the brush, so only its "too small to be a character" rule sees the brush. Errors are split into a
digit read as its look-alike letter (0/O, 1/I/L, ...) and plain misses. The glyphs' statistics are set against real
EMNIST test digits (the domain gap). A sample also goes through the running app's ``/predict_strokes`` and, drawn
with a mouse in headless Chromium, through the real page.

Data: ``../shared/data/uji-pen-digits`` (1,200 drawings, 60 writers) when present, else the 300-drawing sample
committed in ``tests/data``. Both are CC BY 4.0, F. Prat et al., UJI Pen Characters v2 (UCI 177).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from harness import data
from harness.drawings import pad_value, raster
from model.classifier import Classifier
from model.ink.canvas import CANVAS
from model.ink.orientation import emnist_to_upright
from model.ink.stroke_width import stroke_width
from model.labels import DIGITS, LABELS, LETTERS, allowed_mask, ambiguous_with, index_of, restrict

from .common import table

BRUSHES = (6, 10, 14, 18, 24, 32)  # px on the 400 px canvas: a fine pen to a fat finger
PATHS = ("strokes", "picture")
UNSEEN_FROM = 30  # writers 30-59 are never trained on (train/pen.py takes 0-29 by default)


def lookalike(true_label: str, predicted: str) -> bool:
    """A digit read as one of the letters it can look like in EMNIST Balanced (0/O/D, 1/I/L, 2/Z, 5/S, 9/g/q...)."""
    return predicted in ambiguous_with(true_label) and not predicted.isdigit()


def placements(count: int, seed: int = 0) -> list[tuple[float, np.ndarray]]:
    """Where each drawing goes on the pad: (share of the canvas, position), seeded."""
    rng = np.random.default_rng(seed)
    return [(rng.uniform(0.45, 0.8), rng.uniform(0, 1, 2)) for _ in range(count)]


def predictions(classifier: Classifier, drawings: list[dict], brush: float, path: str, seed: int = 0) -> list:
    places = placements(len(drawings), seed)
    if path == "strokes":
        return [
            classifier.predict_strokes(pad_value(d["strokes"], brush, fraction=f, position=p))
            for d, (f, p) in zip(drawings, places)
        ]
    return [
        classifier.predict(raster(d["strokes"], brush, fraction=f, position=p)) for d, (f, p) in zip(drawings, places)
    ]


def score(classifier: Classifier, drawings: list[dict], brush: float, path: str = "strokes", seed: int = 0) -> dict:
    labels = np.array([index_of(d["label"]) for d in drawings])
    answers = predictions(classifier, drawings, brush, path, seed)
    upright = np.stack([a.glyph for a in answers])
    probabilities = np.stack([a.probabilities for a in answers])
    top = np.argsort(-probabilities, axis=1)
    wrong = top[:, 0] != labels
    alike = sum(lookalike(LABELS[t], LABELS[p]) for t, p, w in zip(labels, top[:, 0], wrong) if w)
    # Writers 30-59: never in any training set of this project (a model may train on writers 0-29, --pen-data).
    unseen = np.array([d.get("writer", -1) >= UNSEEN_FROM for d in drawings])
    return {
        "brush_px": brush,
        "path": path,
        "samples": len(labels),
        "top1": round(float(np.mean(~wrong)), 4),
        "top3": round(float(np.mean((top[:, :3] == labels[:, None]).any(axis=1))), 4),
        "errors_lookalike_letter": int(alike),
        "errors_other": int(wrong.sum() - alike),
        "refused": sum(a.refusal is not None for a in answers),
        "top1_writers_30_59": round(float(np.mean(~wrong[unseen])), 4) if unseen.any() else None,
        "stats": glyph_stats(upright),
    }


def glyph_stats(upright: np.ndarray) -> dict:
    """Medians over upright 28x28 glyphs: stroke width (px), ink mass, long/short side of the ink box, centre."""
    widths = [stroke_width(g) for g in upright]
    ink = upright >= 0.3
    sides = []
    for box in ink:
        rows, cols = np.flatnonzero(box.any(axis=1)), np.flatnonzero(box.any(axis=0))
        sides.append(sorted([rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1]) if len(rows) else [0, 0])
    sides = np.asarray(sides)
    mass = upright.sum(axis=(1, 2))
    grid = np.arange(upright.shape[-1])
    cy = (upright.sum(axis=2) * grid).sum(axis=1) / np.maximum(mass, 1e-6)
    cx = (upright.sum(axis=1) * grid).sum(axis=1) / np.maximum(mass, 1e-6)
    soft = ((upright > 0.1) & (upright < 0.9)).sum(axis=(1, 2)) / np.maximum((upright >= 0.9).sum(axis=(1, 2)), 1)

    def spread(values):
        return [round(float(np.percentile(values, q)), 2) for q in (10, 50, 90)]

    return {
        "stroke_width_px": spread(widths),
        "ink_mass": spread(mass),
        "long_side_px": spread(sides[:, 1]),
        "short_side_px": spread(sides[:, 0]),
        "centre_row": spread(cy),
        "centre_col": spread(cx),
        "soft_to_solid_ratio": spread(soft),
    }


def emnist_reference() -> dict:
    """The same statistics on real EMNIST test digits (the committed sample)."""
    images, labels = data.emnist_sample()
    return glyph_stats(emnist_to_upright(images[labels < 10]).astype(np.float32) / 255)


KIND_OF = {"digits": DIGITS, "uppercase": LETTERS, "lowercase": LETTERS}  # what a person writing it would allow


def test_set(classifier: Classifier, quick: bool = False, brush: float = 18) -> dict:
    """The pen test set, per category, through both paths: top-1 and top-3 over the 47 classes, and top-1 with the
    kind of character allowed (digits, or letters)."""
    characters, name = data.pen_test_characters(full=False if quick else None)
    drawings, uji_name = data.pen_drawings(full=False if quick else None)
    unseen = [d for d in drawings if d.get("writer", -1) >= UNSEEN_FROM]
    groups = [
        (f"UNIPEN {kind}", [{"label": c.label, "strokes": list(c.strokes), "writer": c.writer} for c in theirs], kind)
        for kind in KIND_OF
        if (theirs := [c for c in characters if c.category == kind])
    ]
    groups.append(("UJI digits, writers 30-59", unseen, "digits"))
    rows = []
    for group, items, kind in groups:
        labels = np.array([index_of(d["label"]) for d in items])
        row = {"set": group, "characters": len(items), "writers": len({d["writer"] for d in items})}
        for path in PATHS:
            probabilities = np.stack([a.probabilities for a in predictions(classifier, items, brush, path)])
            top = np.argsort(-probabilities, axis=1)[:, :3]
            kind_top1 = restrict(probabilities, allowed_mask(KIND_OF[kind])).argmax(1)
            row[path] = {
                "top1": round(float(np.mean(top[:, 0] == labels)), 4),
                "top3": round(float(np.mean((top == labels[:, None]).any(axis=1))), 4),
                "top1_kind_allowed": round(float(np.mean(kind_top1 == labels)), 4),
            }
        rows.append(row)
    return {"data": f"{name}; {uji_name}", "brush_px": brush, "rows": rows}


def run(model=None, variant: str | None = None, quick: bool = False, brushes=BRUSHES, app: bool = True) -> dict:
    classifier = Classifier.load(model, variant=variant)
    pen_test = test_set(classifier, quick)
    drawings, name = data.pen_drawings(full=False if quick else None)
    if quick:
        drawings = drawings[::10]
    brushes = (10, 24) if quick else brushes
    rows = [score(classifier, drawings, brush, path) for brush in brushes for path in PATHS]
    result = {
        "model": classifier.source,
        "test_set": pen_test,
        "data": name,
        "emnist_digits": emnist_reference(),
        "brushes": rows,
    }
    if app:  # every 4th drawing: writers differ a lot, so a contiguous slice would be a few writers only
        subset = drawings[:10] if quick else drawings[::4]
        result["app"] = {**through_app(subset), "in_process_top1": score(classifier, subset, 18, "strokes")["top1"]}
        sample = drawings[:5] if quick else drawings[::40]
        result["page"] = through_page(classifier, sample)
    return result


def through_app(drawings: list[dict], brush: float = 18) -> dict:
    """The same pad values sent to the running Space's /predict_strokes endpoint."""
    from gradio_client import Client

    from harness.live_server import start_app

    right = top3 = 0
    with tempfile.TemporaryDirectory() as tmp, start_app(Path(tmp) / "app.log") as server:
        client = Client(server.url, verbose=False)
        for d, (f, p) in zip(drawings, placements(len(drawings))):
            result = client.predict(pad_value(d["strokes"], brush, fraction=f, position=p), api_name="/predict_strokes")
            labels = [c["label"] for c in result["confidences"][:3]]
            right += labels[0] == d["label"]
            top3 += d["label"] in labels
    return {
        "brush_px": brush,
        "samples": len(drawings),
        "top1": round(right / len(drawings), 4),
        "top3": round(top3 / len(drawings), 4),
    }


def through_page(classifier: Classifier, drawings: list[dict]) -> dict:
    """Drawn with a mouse on the real page in headless Chromium; the page's top guess against the in-process
    answer for the same trajectory (the browser rounds and thins the points it records)."""
    from playwright.sync_api import sync_playwright

    from harness import browser
    from harness.drawings import place
    from harness.live_server import start_app

    right = same = 0
    with tempfile.TemporaryDirectory() as tmp, start_app(Path(tmp) / "app.log") as server, sync_playwright() as p:
        chromium = browser.launch(p)
        page = chromium.new_page(**browser.DESKTOP)
        page.goto(server.url)
        browser.wait_until_ready(page)
        for d, (f, position) in zip(drawings, placements(len(drawings))):
            clear = page.locator("#sketchpad").get_by_role("button", name="Clear", exact=True)
            if clear.is_enabled():
                clear.click()
                browser.wait_for_no_guess(page)
            placed = place(d["strokes"], fraction=f, position=position)
            expected = classifier.predict_strokes(pad_value(d["strokes"], fraction=f, position=position)).label
            browser.draw_on(page, "#sketchpad", placed, "desktop", CANVAS)
            browser.wait_for_guess(page)
            page.wait_for_timeout(150)  # the last stroke's answer
            shown = browser.top_guess(page)
            right += shown == d["label"]
            same += shown == expected
        chromium.close()
    return {
        "samples": len(drawings),
        "top1": round(right / len(drawings), 4),
        "same_as_in_process": round(same / len(drawings), 4),
    }


def test_set_report(result: dict) -> str:
    pen_test = result["test_set"]
    rows = []
    for r in pen_test["rows"]:
        allowed = "digits" if "digits" in r["set"] else "letters"
        cells = [r["set"], r["characters"], r["writers"]]
        for path in PATHS:
            cells += [f"{100 * r[path][k]:.1f}%" for k in ("top1", "top3", "top1_kind_allowed")]
        rows.append([*cells[:3], *cells[3:], allowed])
    return (
        f"Model `{result['model']}`: the pen test set ({pen_test['data']}), writers no model of this project trains "
        f"or chooses on, placed on the {CANVAS[0]}x{CANVAS[1]} pad as a visitor draws (the character 45-80% of it, "
        f"anywhere), read as the pad's strokes and as a picture of the same drawing (brush {pen_test['brush_px']} px), "
        "47 classes and with the kind of character allowed, no memory.\n\n"
        + table(
            rows,
            [
                "pen test set",
                "characters",
                "writers",
                "top-1 strokes",
                "top-3 strokes",
                "top-1 strokes, kind allowed",
                "top-1 picture",
                "top-3 picture",
                "top-1 picture, kind allowed",
                "kind allowed",
            ],
        )
    )


def report(result: dict) -> str:
    head = test_set_report(result) + "\n\n" if "test_set" in result else ""
    return head + _brush_report(result)


def _brush_report(result: dict) -> str:
    by = {(r["brush_px"], r["path"]): r for r in result["brushes"]}
    rows = []
    for brush in sorted({r["brush_px"] for r in result["brushes"]}):
        s, p = by[(brush, "strokes")], by[(brush, "picture")]
        rows.append(
            [
                brush,
                s["samples"],
                f"{100 * s['top1']:.1f}%",
                f"{100 * p['top1']:.1f}%",
                "–" if s.get("top1_writers_30_59") is None else f"{100 * s['top1_writers_30_59']:.1f}%",
                "–" if p.get("top1_writers_30_59") is None else f"{100 * p['top1_writers_30_59']:.1f}%",
                f"{100 * s['top3']:.1f}%",
                f"{100 * p['top3']:.1f}%",
                s["errors_lookalike_letter"],
                s["errors_other"],
                f"{s['refused']} / {p['refused']}",
            ]
        )
    text = (
        f"Model `{result['model']}`, {result['data']}, placed on the {CANVAS[0]}x{CANVAS[1]} pad (the character 45-80% of "
        "it, anywhere) and read as the pad sends them (`Classifier.predict_strokes`) and as a picture of the same "
        "drawing (`Classifier.predict`, the upload path). Writers 30-59 were never trained on; a model made with "
        "`--pen-data` has seen writers 0-29's drawings, so the all-writers columns flatter it.\n\n"
        + table(
            rows,
            [
                "brush px",
                "drawings",
                "top-1 strokes",
                "top-1 picture",
                "top-1 strokes, writers 30-59",
                "top-1 picture, writers 30-59",
                "top-3 strokes",
                "top-3 picture",
                "strokes errors: digit read as look-alike letter",
                "strokes errors: other",
                "refused as not a character (strokes / picture)",
            ],
        )
    )
    if "app" in result:
        app = result["app"]
        text += (
            f"\n\nThrough the running app's `/predict_strokes` (the same JSON, brush {app['brush_px']} px, "
            f"{app['samples']} drawings, every 4th): top-1 {100 * app['top1']:.1f}%, top-3 {100 * app['top3']:.1f}% "
            f"(in process: top-1 {100 * app['in_process_top1']:.1f}%)."
        )
    if "page" in result:
        page = result["page"]
        text += (
            f" Drawn with a mouse on the page in headless Chromium ({page['samples']} drawings): top-1 "
            f"{100 * page['top1']:.1f}%, the same top guess as in process for {100 * page['same_as_in_process']:.1f}%."
        )
    reference = result["emnist_digits"]
    pictures = [r for r in result["brushes"] if r["path"] == "picture"]
    strokes = next(r for r in result["brushes"] if r["path"] == "strokes")  # the same glyphs at every brush
    stats = [
        [
            name.replace("_", " "),
            " / ".join(map(str, reference[name])),
            *[" / ".join(map(str, r["stats"][name])) for r in [*pictures, strokes]],
        ]
        for name in reference
    ]
    return (
        text + "\n\nThe domain gap: statistics of the 28x28 glyphs (10th / 50th / 90th percentile), real EMNIST "
        "test digits against the drawings as pictures at each brush, and as strokes (any brush).\n\n"
        + table(
            stats, ["statistic", "EMNIST digits", *[f"picture, brush {r['brush_px']}" for r in pictures], "strokes"]
        )
    )
