"""Training speed of the default recipe on a full-size (112,800-image) dataset.

Timing does not depend on what the pixels show, so a smaller synthetic set is generated and tiled
to EMNIST's size (generating 112,800 unique glyphs takes minutes and measures the generator instead).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from .common import table

FULL = 112_800


def run(quick: bool = False, epochs: int | None = None) -> dict:
    from train import data, synthetic
    from train.fit import Recipe, fit

    total = 4_700 if quick else FULL
    unique = 940 if quick else 11_280
    x, y = synthetic.generate(unique, seed=0)
    reps = -(-total // unique)
    x, y = np.tile(x, (reps, 1, 1))[:total], np.tile(y, reps)[:total]
    recipe = Recipe()
    recipe.epochs = epochs or (1 if quick else recipe.epochs)
    held = data.hold_out(x, y, 0.1, recipe.seed)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        _, _, facts = fit(held, recipe, checkpoint_dir=Path(tmp), verbose=0)
    return {"images": total, "train_images": len(held.x_train), "epochs_requested": recipe.epochs,
            "epochs_run": facts["epochs_run"], "seconds_per_epoch": facts["seconds_per_epoch"],
            "images_per_second": facts["images_per_second"], "wall_time_s": round(time.perf_counter() - start, 1),
            "batch_size": recipe.batch_size, "augment": recipe.augment, "strategy": facts["strategy"]}


def report(result: dict) -> str:
    rows = [[f"{result['train_images']:,}", result["batch_size"], "on" if result["augment"] else "off",
             result["seconds_per_epoch"], f"{result['images_per_second']:,}",
             f"{result['epochs_run']}/{result['epochs_requested']}", result["wall_time_s"]]]
    return table(rows, ["train images", "batch", "augmentation", "s/epoch", "images/s", "epochs run", "wall time s"])
