"""Test-time augmentation for the served model: average its calibrated probabilities over small transforms of the
framed 28x28 glyph, with the temperature refitted on the averaged outputs (validation split), and see whether it is
worth its cost.

Transform sets (each includes the glyph itself) are chosen on validation accuracy; test accuracy, ECE, the pen
digits through the pad's path and the cost per answer are only reported. The Space uses TTA only if this says so.
"""

from __future__ import annotations

import time

import numpy as np
from scipy.ndimage import affine_transform
from scipy.special import softmax

from harness import data
from harness.drawings import pad_value
from model.classifier import Classifier
from model.labels import index_of
from model.orientation import upright_to_emnist
from model.preprocess import as_batch

from .common import table
from .pen import placements

#: name -> list of (rotation degrees, zoom, shift rows, shift cols); the identity is always included.
SETS = {
    "none": [],
    "half-pixel shifts": [(0, 1, 0.5, 0), (0, 1, -0.5, 0), (0, 1, 0, 0.5), (0, 1, 0, -0.5)],
    "rotations ±6°, zooms 0.92/1.08": [(6, 1, 0, 0), (-6, 1, 0, 0), (0, 0.92, 0, 0), (0, 1.08, 0, 0)],
    "both": [
        (0, 1, 0.5, 0),
        (0, 1, -0.5, 0),
        (0, 1, 0, 0.5),
        (0, 1, 0, -0.5),
        (6, 1, 0, 0),
        (-6, 1, 0, 0),
        (0, 0.92, 0, 0),
        (0, 1.08, 0, 0),
    ],
}


def transformed(glyphs: np.ndarray, rotation: float, zoom: float, dy: float, dx: float) -> np.ndarray:
    """(N, 28, 28) floats, each rotated, zoomed and shifted about the frame's centre (bilinear, zeros outside)."""
    angle = np.deg2rad(rotation)
    matrix = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]) / zoom
    centre = np.array([13.5, 13.5])
    offset = centre - matrix @ centre - np.array([dy, dx])
    return np.stack([affine_transform(g, matrix, offset=offset, order=1, mode="constant") for g in glyphs])


def averaged(classifier: Classifier, glyphs: np.ndarray, transforms: list) -> np.ndarray:
    """Mean calibrated probabilities over the glyph and its transforms; glyphs (N, 28, 28) in EMNIST orientation."""
    glyphs = as_batch(glyphs)[..., 0]
    outputs = [classifier.predict_batch(glyphs)]
    outputs += [classifier.predict_batch(transformed(glyphs, *t)) for t in transforms]
    return np.mean(outputs, axis=0)


def refit(probabilities: np.ndarray, labels: np.ndarray) -> float:
    from train.calibrate import fit_temperature, logits_of

    return fit_temperature(logits_of(probabilities), labels)


def _ece(labels, probabilities) -> float:
    from train.evaluate import expected_calibration_error

    return round(float(expected_calibration_error(labels, probabilities)), 4)


def run(model=None, data_options=None, quick: bool = False) -> dict:
    from train.data import DataOptions, hold_out, load_splits

    classifier = Classifier.load(model)
    options = data_options or DataOptions()
    splits = load_splits(options)
    held = hold_out(splits.x_train, splits.y_train, options.val_fraction, options.seed)
    x_val, y_val = (held.x_val[:2000], held.y_val[:2000]) if quick else (held.x_val, held.y_val)
    x_test, y_test = (splits.x_test[:2000], splits.y_test[:2000]) if quick else (splits.x_test, splits.y_test)
    pen, pen_name = data.pen_drawings(full=False if quick else None)
    pen_labels = np.array([index_of(d["label"]) for d in pen])
    pen_glyphs = np.stack(
        [
            upright_to_emnist(classifier.predict_strokes(pad_value(d["strokes"], fraction=f, position=p)).glyph)
            for d, (f, p) in zip(pen, placements(len(pen)))
        ]
    )
    rows = []
    for name, transforms in SETS.items():
        val = averaged(classifier, x_val, transforms)
        temperature = refit(val, y_val) if transforms else 1.0

        def calibrated(p, t=temperature):
            return softmax(np.log(np.clip(p, 1e-30, 1)) / t, axis=1)

        test = calibrated(averaged(classifier, x_test, transforms))
        pen_p = calibrated(averaged(classifier, pen_glyphs, transforms))
        one = x_test[:1]
        averaged(classifier, one, transforms)
        start = time.perf_counter()
        for _ in range(200):
            averaged(classifier, one, transforms)
        rows.append(
            {
                "name": name,
                "answers_averaged": 1 + len(transforms),
                "temperature": round(temperature, 4),
                "val_accuracy": round(float(np.mean(calibrated(val).argmax(1) == y_val)), 4),
                "test_accuracy": round(float(np.mean(test.argmax(1) == y_test)), 4),
                "test_ece": _ece(y_test, test),
                "pen_top1": round(float(np.mean(pen_p.argmax(1) == pen_labels)), 4),
                "ms_per_answer": round((time.perf_counter() - start) / 200 * 1e3, 3),
            }
        )
    best = max(rows, key=lambda r: r["val_accuracy"])
    return {
        "model": classifier.source,
        "data": splits.info.name,
        "pen": pen_name,
        "validation": int(len(y_val)),
        "test": int(len(y_test)),
        "rows": rows,
        "chosen_on_validation": best["name"],
    }


def report(result: dict) -> str:
    rows = [
        [
            ("**" + r["name"] + "**") if r["name"] == result["chosen_on_validation"] else r["name"],
            r["answers_averaged"],
            r["temperature"],
            f"{100 * r['val_accuracy']:.2f}%",
            f"{100 * r['test_accuracy']:.2f}%",
            r["test_ece"],
            f"{100 * r['pen_top1']:.1f}%",
            r["ms_per_answer"],
        ]
        for r in result["rows"]
    ]
    return (
        f"Model `{result['model']}`: calibrated probabilities averaged over transforms of the framed 28x28, the "
        f"temperature refitted on the averages ({result['validation']:,} validation images of {result['data']}; "
        f"bold: the best there). Test: {result['test']:,} images; pen: {result['pen']} through the pad's path.\n\n"
        + table(
            rows,
            [
                "transforms",
                "answers averaged",
                "temperature",
                "validation accuracy",
                "test accuracy",
                "test ECE",
                "pen top-1",
                "model ms per answer",
            ],
        )
    )
