"""Test-time augmentation for the served model: the candidate sets of ``train/views.py`` (each the glyph plus a few
small transforms, the temperature refitted on the averages over the validation split) on the bundled model's
network alone, with test accuracy, ECE, the pen digits through the pad's path and the cost per answer.

``python -m train`` makes the same choice on validation and records it in metrics.json; the Space serves what it
records. This benchmark shows every candidate beside the choice.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from harness import data
from harness.drawings import pad_value
from model.classifier import Classifier
from model.ink.orientation import upright_to_emnist
from model.ink.preprocess import as_batch
from model.labels import index_of
from model.network.views import Views

from .common import table
from .pen import placements


def _ece(labels, probabilities) -> float:
    from train.evaluate import expected_calibration_error

    return round(float(expected_calibration_error(labels, probabilities)), 4)


def run(model=None, variant: str | None = None, data_options=None, quick: bool = False) -> dict:
    from train.data import DataOptions, hold_out, load_splits
    from train.views import SETS, fitted

    served = Classifier.load(model, variant=variant)
    classifier = replace(served, views=Views())  # the network alone
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
        views, val = fitted(classifier.engine, x_val, y_val, transforms)

        def answers(glyphs, views=views):
            return views(classifier.engine, as_batch(glyphs))

        test, pen_p = answers(x_test), answers(pen_glyphs)
        one = as_batch(x_test[:1])
        answers(one)
        start = time.perf_counter()
        for _ in range(200):
            answers(one)
        rows.append(
            {
                "name": name,
                "answers_averaged": 1 + len(transforms),
                "temperature": round(views.temperature, 4),
                "val_accuracy": round(float(np.mean(val.argmax(1) == y_val)), 4),
                "test_accuracy": round(float(np.mean(test.argmax(1) == y_test)), 4),
                "test_ece": _ece(y_test, test),
                "pen_top1": round(float(np.mean(pen_p.argmax(1) == pen_labels)), 4),
                "ms_per_answer": round((time.perf_counter() - start) / 200 * 1e3, 3),
            }
        )
    best = max(rows, key=lambda r: r["val_accuracy"])
    return {
        "model": served.source,
        "served": served.metrics.views.name,
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
        f"bold: the best there). Test: {result['test']:,} images; pen: {result['pen']} through the pad's path. "
        f"Served (as its metrics.json records, chosen there by `python -m train`): **{result.get('served') or 'none'}**.\n\n"
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
