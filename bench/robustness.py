"""Accuracy under what real pictures do: shifts, scale, rotation, stroke width, inverted polarity, JPEG noise,
and uneven light (a shadow over one corner, light falling off along one side).

Real EMNIST test glyphs (the 987-image sample in tests/data) are redrawn upright as dark ink on white paper
(a 200 px character on a 400 px canvas), transformed, and sent through the app's preprocessing, once per
centring rule. The drops show where preprocessing or training augmentation must improve.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageFilter

from harness.data import emnist_sample
from model.classifier import Classifier
from model.ink.orientation import emnist_to_upright
from model.ink.preprocess import PreprocessError, preprocess

from .common import table

CANVAS, GLYPH = 400, 200


def _paper(ink: Image.Image, offset=(0, 0)) -> Image.Image:
    canvas = Image.new("L", (CANVAS, CANVAS), 0)
    x = (CANVAS - ink.width) // 2 + offset[0]
    y = (CANVAS - ink.height) // 2 + offset[1]
    canvas.paste(ink, (x, y))
    return Image.eval(canvas, lambda v: 255 - v)  # dark ink on white


def _scaled(ink, factor):
    return ink.resize((round(GLYPH * factor), round(GLYPH * factor)), Image.Resampling.BICUBIC)


def _shadow(picture: Image.Image, depth: float) -> Image.Image:
    """A shadow over one corner, ``depth`` grey levels at its darkest (a phone held over the page)."""
    yy, xx = np.mgrid[0:CANVAS, 0:CANVAS] / CANVAS
    shade = depth * np.clip(1.6 - 1.4 * (xx + yy), 0, 1)
    return Image.fromarray(np.clip(np.asarray(picture, np.float32) - shade, 0, 255).astype(np.uint8))


def _gradient(picture: Image.Image, depth: float) -> Image.Image:
    """Light falling off along one side."""
    shade = np.linspace(0, depth, CANVAS)[None, :]
    return Image.fromarray(np.clip(np.asarray(picture, np.float32) - shade, 0, 255).astype(np.uint8))


def _jpeg_noise(picture: Image.Image, rng) -> Image.Image:
    noisy = np.asarray(picture, np.float32) + rng.normal(0, 12, (CANVAS, CANVAS))
    buffer = io.BytesIO()
    Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).save(buffer, format="JPEG", quality=15)
    return Image.open(io.BytesIO(buffer.getvalue()))


TRANSFORMS = {
    "baseline (centred, 200 px)": lambda ink, rng: _paper(ink),
    "shift up to 90 px": lambda ink, rng: _paper(ink, tuple(rng.integers(-90, 91, 2))),
    "scale 0.5x": lambda ink, rng: _paper(_scaled(ink, 0.5)),
    "scale 0.75x": lambda ink, rng: _paper(_scaled(ink, 0.75)),
    "scale 1.25x": lambda ink, rng: _paper(_scaled(ink, 1.25)),
    "scale 1.5x": lambda ink, rng: _paper(_scaled(ink, 1.5)),
    "rotate ±8°": lambda ink, rng: _paper(ink.rotate(8 * rng.choice([-1, 1]), Image.Resampling.BILINEAR, expand=True)),
    "rotate ±15°": lambda ink, rng: _paper(
        ink.rotate(15 * rng.choice([-1, 1]), Image.Resampling.BILINEAR, expand=True)
    ),
    "thin strokes (erode 5 px)": lambda ink, rng: _paper(ink.filter(ImageFilter.MinFilter(5))),
    "thick strokes (dilate 9 px)": lambda ink, rng: _paper(ink.filter(ImageFilter.MaxFilter(9))),
    "inverted polarity": lambda ink, rng: Image.eval(_paper(ink), lambda v: 255 - v),
    "JPEG q15 + noise": lambda ink, rng: _jpeg_noise(_paper(ink), rng),
    "shadow over a corner, 70 levels": lambda ink, rng: _shadow(_paper(ink), 70),
    "shadow over a corner, 90 levels": lambda ink, rng: _shadow(_paper(ink), 90),
    "shadow over a corner, 120 levels": lambda ink, rng: _shadow(_paper(ink), 120),
    "light falling off along one side, 90 levels": lambda ink, rng: _gradient(_paper(ink), 90),
}


def run(model=None, variant: str | None = None, quick: bool = False) -> dict:
    classifier = Classifier.load(model, variant=variant)
    images, all_labels = emnist_sample()
    step = 21 if quick else 1  # quick: one glyph per class
    glyphs, labels = images[::step], all_labels[::step]
    count = len(labels)
    inks = [Image.fromarray(emnist_to_upright(g)).resize((GLYPH, GLYPH), Image.Resampling.BICUBIC) for g in glyphs]
    as_is = float(np.mean(classifier.predict_batch(glyphs).argmax(1) == labels))
    rows = {}
    for name, transform in TRANSFORMS.items():
        rng = np.random.default_rng(1)
        pictures = [transform(ink, rng) for ink in inks]
        rows[name] = {}
        for centre in ("bbox", "mass"):
            batch, failed = [], 0
            for picture in pictures:
                try:
                    batch.append(preprocess(picture, centre=centre))
                except PreprocessError:
                    batch.append(np.zeros((28, 28), np.float32))
                    failed += 1
            predicted = classifier.predict_batch(np.stack(batch)).argmax(1)
            rows[name][centre] = {"accuracy": round(float(np.mean(predicted == labels)), 4), "unreadable": failed}
    return {
        "model": classifier.source,
        "data": "real EMNIST test sample (tests/data, 21 per class)",
        "samples": count,
        "dataset_glyphs_as_is": round(as_is, 4),
        "transforms": rows,
    }


def report(result: dict) -> str:
    rows = [
        [name, f"{100 * r['bbox']['accuracy']:.1f}%", f"{100 * r['mass']['accuracy']:.1f}%"]
        for name, r in result["transforms"].items()
    ]
    return (
        f"{result['samples']} glyphs of the {result['data']}; the same glyphs fed to the model directly: "
        f"{100 * result['dataset_glyphs_as_is']:.1f}%.\n\n"
        + table(
            rows,
            ["transformation (before preprocessing)", "accuracy, bbox centring (default)", "accuracy, centre of mass"],
        )
    )
