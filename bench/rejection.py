"""What the single-character view refuses: real characters must pass, taps, dots, scribbles and doodles must not.

Accepted side: the real EMNIST test sample drawn upright as pictures, the pen digits drawn as sketchpad canvases,
and the gallery. Refused side: generated sketchpad drawings of what visitors try besides a character (seeded).
The bounds in ``model.rejection`` are chosen from these numbers: no real character refused.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from model.classifier import Classifier
from model.orientation import emnist_to_upright
from model.rejection import shape_of

from .common import table
from .pen import SAMPLE, draw

ROOT = Path(__file__).resolve().parents[1]
EMNIST = ROOT / "tests" / "data" / "emnist47_test_sample.npz"
CANVAS = 400


def _canvas() -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGBA", (CANVAS, CANVAS), (0, 0, 0, 0))
    return image, ImageDraw.Draw(image)


def tap(rng) -> np.ndarray:
    image, pen = _canvas()
    x, y, r = rng.uniform(60, 340), rng.uniform(60, 340), rng.uniform(5, 30)
    pen.ellipse([x - r, y - r, x + r, y + r], fill=(26, 26, 26, 255))
    return np.asarray(image)


def scribble(rng) -> np.ndarray:
    """A random back-and-forth scrawl: many direction changes over a small area."""
    steps = rng.integers(25, 60)
    points = np.cumsum(rng.normal(0, 35, (steps, 2)), axis=0)
    points = points - points.mean(axis=0) + CANVAS / 2
    return draw([np.clip(points, 20, CANVAS - 20).tolist()], brush=float(rng.uniform(10, 24)), fraction=rng.uniform(0.4, 0.8),
                position=rng.uniform(0, 1, 2))


def smiley(rng) -> np.ndarray:
    t = np.linspace(0, 2 * np.pi, 60)
    face = np.stack([np.cos(t), np.sin(t)], axis=1) * 100 + 200
    mouth_t = np.linspace(0.2 * np.pi, 0.8 * np.pi, 20)
    mouth = np.stack([np.cos(mouth_t), np.sin(mouth_t)], axis=1) * 55 + [200, 205]
    eyes = [[[165, 170], [166, 171]], [[235, 170], [236, 171]]]
    return draw([face.tolist(), mouth.tolist(), *eyes], brush=float(rng.uniform(10, 24)), fraction=rng.uniform(0.4, 0.8),
                position=rng.uniform(0, 1, 2))


def filled_blob(rng) -> np.ndarray:
    image, pen = _canvas()
    x, y = rng.uniform(120, 280, 2)
    rx, ry = rng.uniform(40, 110, 2)
    pen.ellipse([x - rx, y - ry, x + rx, y + ry], fill=(26, 26, 26, 255))
    return np.asarray(image)


NEGATIVES = {"tap or dot": tap, "scribble": scribble, "smiley": smiley, "filled blob": filled_blob}


def run(model=None, quick: bool = False, per_kind: int | None = None) -> dict:
    classifier = Classifier.load(model)
    per_kind = per_kind or (20 if quick else 200)
    sample = np.load(EMNIST)
    step = 10 if quick else 1
    real = {
        "EMNIST test sample, as upright pictures": [
            255 - np.asarray(Image.fromarray(emnist_to_upright(g)).resize((280, 280), Image.Resampling.BICUBIC))
            for g in sample["images"][::step]],
        "pen digits on the sketchpad (brush 10, 18 and 24)": [
            draw(d["strokes"], float(brush), fraction=f, position=p) for brush in (10, 18, 24) for d, f, p in zip(
                json.loads(SAMPLE.read_text())[::step], np.random.default_rng(brush).uniform(0.45, 0.8, 300),
                np.random.default_rng(brush + 1).uniform(0, 1, (300, 2)))],
        "gallery examples": sorted(str(p) for p in (ROOT / "examples").rglob("*.png")),
    }
    rows, signals = {}, {"real": [], "negative": []}
    for name, pictures in real.items():
        refused = [p for p in (classifier.predict(picture) for picture in pictures) if p.refusal]
        rows[name] = {"kind": "real characters", "count": len(pictures), "refused": len(refused),
                      "reasons": sorted({p.refusal.split(":")[0] for p in refused})}
    for name, make in NEGATIVES.items():
        rng = np.random.default_rng(7)
        predictions = [classifier.predict(make(rng)) for _ in range(per_kind)]
        rows[name] = {"kind": "not a character", "count": per_kind, "refused": sum(p.refusal is not None for p in predictions),
                      "read_as": sorted({p.label for p in predictions if p.refusal is None})}
        signals["negative"] += [_signal(p) for p in predictions]
    for picture in real["pen digits on the sketchpad (brush 10, 18 and 24)"] + real["EMNIST test sample, as upright pictures"]:
        signals["real"].append(_signal(classifier.predict(picture)))
    return {"model": classifier.source, "rows": rows, "signals": signals}


def _signal(prediction) -> dict:
    shape = shape_of(prediction.glyph)
    return {"fill": round(shape.fill, 3), "squareness": round(shape.squareness, 3),
            "top3_mass": round(float(np.sort(prediction.probabilities)[-3:].sum()), 4)}


def report(result: dict) -> str:
    rows = [[name, r["kind"], r["count"], r["refused"], f"{100 * r['refused'] / r['count']:.1f}%"]
            for name, r in result["rows"].items()]
    return (f"Model `{result['model']}`: how often the single-character view answers \"not a character\".\n\n"
            + table(rows, ["pictures", "kind", "count", "refused", "share refused"]))
