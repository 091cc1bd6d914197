"""What the single-character view refuses: real characters must pass, taps, dots, scribbles and doodles must not.

Accepted side: the real EMNIST test sample drawn upright as pictures, the pen digits (all 1,200 where
../shared/data has them) at every brush width both as pictures and as the pad's strokes, and the gallery. Refused
side: drawings of what visitors try besides a character (seeded), as pictures and, where a pen can draw them in
strokes, as strokes.
The bounds in ``model.ink.rejection`` are chosen from these numbers: no real character refused.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from harness import data
from harness.drawings import NEGATIVE_PICTURES, NEGATIVE_STROKES, pad_value, raster
from model.classifier import Classifier
from model.ink.orientation import emnist_to_upright
from model.ink.rejection import LOOPY_MIN_TOP3_MASS, MAX_LOOPS, MIN_TOP3_MASS, shape_of

from .common import table
from .pen import BRUSHES

ROOT = Path(__file__).resolve().parents[1]


def run(model=None, variant: str | None = None, quick: bool = False, per_kind: int | None = None) -> dict:
    classifier = Classifier.load(model, variant=variant)
    per_kind = per_kind or (20 if quick else 200)
    step = 10 if quick else 1
    drawings, pen_name = data.pen_drawings(full=False if quick else None)
    drawings, brushes = (drawings[::step], (10, 24)) if quick else (drawings, BRUSHES)

    def emnist_pictures():
        for glyph in data.emnist_sample()[0][::step]:
            yield 255 - np.asarray(
                Image.fromarray(emnist_to_upright(glyph)).resize((280, 280), Image.Resampling.BICUBIC)
            )

    def pen(as_strokes: bool):  # drawn one at a time: 7,200 canvases would not fit in memory together
        for brush in brushes:
            sizes = np.random.default_rng(brush).uniform(0.45, 0.8, len(drawings))
            places = np.random.default_rng(brush + 1).uniform(0, 1, (len(drawings), 2))
            for d, size, place in zip(drawings, sizes, places):
                if as_strokes:
                    yield pad_value(d["strokes"], float(brush), fraction=size, position=place)
                else:
                    yield raster(d["strokes"], float(brush), fraction=size, position=place)

    brush_names = "/".join(map(str, brushes))
    real = {
        "EMNIST test sample, as upright pictures": (classifier.predict, emnist_pictures()),
        f"pen digits as pictures ({pen_name}, brushes {brush_names} px)": (classifier.predict, pen(False)),
        f"pen digits as pad strokes ({pen_name}, brushes {brush_names} px)": (classifier.predict_strokes, pen(True)),
        "gallery examples": (classifier.predict, iter(sorted(str(p) for p in (ROOT / "examples").rglob("*.png")))),
    }
    rows = {}
    for name, (read, inputs) in real.items():
        predictions = [read(x) for x in inputs]
        rows[name] = {
            "kind": "real characters",
            **_summary(predictions),
            "reasons": sorted({p.refusal for p in predictions if p.refusal}),
        }
    negatives = {
        **{f"{k} (picture)": (classifier.predict, make) for k, make in NEGATIVE_PICTURES.items()},
        **{f"{k} (pad strokes)": (classifier.predict_strokes, make) for k, make in NEGATIVE_STROKES.items()},
    }
    for name, (read, make) in negatives.items():
        rng = np.random.default_rng(7)
        predictions = [read(make(rng)) for _ in range(per_kind)]
        rows[name] = {
            "kind": "not a character",
            **_summary(predictions),
            "read_as": sorted({p.label for p in predictions if p.refusal is None}),
        }
    return {"model": classifier.source, "rows": rows}


def _summary(predictions: list) -> dict:
    """Counts, and the signals the bounds in model.ink.rejection are set from (so a new model's margins show)."""
    mass = [float(np.sort(p.probabilities)[-3:].sum()) for p in predictions]
    loops = [shape_of(p.glyph).loops for p in predictions]
    return {
        "count": len(predictions),
        "refused": sum(p.refusal is not None for p in predictions),
        "lowest_top3_mass": round(min(mass), 4),
        "median_top3_mass": round(float(np.median(mass)), 4),
        "most_loops": max(loops),
    }


def report(result: dict) -> str:
    rows = [
        [
            name,
            r["kind"],
            r["count"],
            r["refused"],
            f"{100 * r['refused'] / r['count']:.1f}%",
            r.get("lowest_top3_mass", "-"),
            r.get("median_top3_mass", "-"),
            r.get("most_loops", "-"),
        ]
        for name, r in result["rows"].items()
    ]
    return (
        f'Model `{result["model"]}`: how often the single-character view answers "not a character" '
        f"(bounds in `model/ink/rejection.py`: top-3 mass below {MIN_TOP3_MASS}, or more than {MAX_LOOPS} loops "
        f"below {LOOPY_MIN_TOP3_MASS}; dots, blobs and faces by shape).\n\n"
        + table(
            rows,
            [
                "pictures",
                "kind",
                "count",
                "refused",
                "share refused",
                "lowest top-3 mass",
                "median top-3 mass",
                "most loops",
            ],
        )
    )
