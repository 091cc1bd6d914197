"""What the single-character view refuses: real characters must pass, taps, dots, scribbles and doodles must not.

Accepted side: the real EMNIST test sample drawn upright as pictures, the pen digits (all 1,200 where
../shared/data has them) drawn as sketchpad canvases at every brush width, and the gallery. Refused side:
generated sketchpad drawings of what visitors try besides a character (seeded).
The bounds in ``model.rejection`` are chosen from these numbers: no real character refused.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from model.classifier import Classifier
from model.orientation import emnist_to_upright
from model.rejection import LOOPY_MIN_TOP3_MASS, MAX_LOOPS, MIN_TOP3_MASS, shape_of

from .common import table
from .pen import BRUSHES, SAMPLE, draw, load_drawings

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
    step = 10 if quick else 1
    drawings, pen_name = load_drawings(SAMPLE if quick else None)
    drawings, brushes = (drawings[::step], (10, 24)) if quick else (drawings, BRUSHES)

    def emnist_pictures():
        for glyph in np.load(EMNIST)["images"][::step]:
            yield 255 - np.asarray(Image.fromarray(emnist_to_upright(glyph)).resize((280, 280), Image.Resampling.BICUBIC))

    def pen_canvases():  # drawn one at a time: 7,200 canvases would not fit in memory together
        for brush in brushes:
            sizes = np.random.default_rng(brush).uniform(0.45, 0.8, len(drawings))
            places = np.random.default_rng(brush + 1).uniform(0, 1, (len(drawings), 2))
            for d, size, place in zip(drawings, sizes, places):
                yield draw(d["strokes"], float(brush), fraction=size, position=place)

    real = {"EMNIST test sample, as upright pictures": emnist_pictures(),
            f"pen digits on the sketchpad ({pen_name}, brushes {'/'.join(map(str, brushes))} px)": pen_canvases(),
            "gallery examples": iter(sorted(str(p) for p in (ROOT / "examples").rglob("*.png")))}
    rows = {}
    for name, pictures in real.items():
        predictions = [classifier.predict(picture) for picture in pictures]
        rows[name] = {"kind": "real characters", **_summary(predictions),
                      "reasons": sorted({p.refusal.split(":")[0] for p in predictions if p.refusal})}
    for name, make in NEGATIVES.items():
        rng = np.random.default_rng(7)
        predictions = [classifier.predict(make(rng)) for _ in range(per_kind)]
        rows[name] = {"kind": "not a character", **_summary(predictions),
                      "read_as": sorted({p.label for p in predictions if p.refusal is None})}
    return {"model": classifier.source, "rows": rows}


def _summary(predictions: list) -> dict:
    """Counts, and the signals the bounds in model.rejection are set from (so a new model's margins show)."""
    mass = [float(np.sort(p.probabilities)[-3:].sum()) for p in predictions]
    loops = [shape_of(p.glyph).loops for p in predictions]
    return {"count": len(predictions), "refused": sum(p.refusal is not None for p in predictions),
            "lowest_top3_mass": round(min(mass), 4), "median_top3_mass": round(float(np.median(mass)), 4),
            "most_loops": max(loops)}


def report(result: dict) -> str:
    rows = [[name, r["kind"], r["count"], r["refused"], f"{100 * r['refused'] / r['count']:.1f}%",
             r.get("lowest_top3_mass", "-"), r.get("median_top3_mass", "-"), r.get("most_loops", "-")]
            for name, r in result["rows"].items()]
    return (f"Model `{result['model']}`: how often the single-character view answers \"not a character\" "
            f"(bounds in `model/rejection.py`: top-3 mass below {MIN_TOP3_MASS}, or more than {MAX_LOOPS} loops "
            f"below {LOOPY_MIN_TOP3_MASS}; dots, blobs and faces by shape).\n\n"
            + table(rows, ["pictures", "kind", "count", "refused", "share refused", "lowest top-3 mass",
                           "median top-3 mass", "most loops"]))
