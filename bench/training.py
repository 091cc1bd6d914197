"""Training speed of the default recipe (``python -m train``) on a full-size dataset.

Real EMNIST (the copy in ../shared/data/emnist-47) when it is there; otherwise a synthetic set tiled to EMNIST's
size (timing does not depend on what the pixels show; generating 112,800 unique glyphs would time the generator).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from .common import table

FULL = 112_800
REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "emnist-47"


def run(quick: bool = False, epochs: int | None = None) -> dict:
    from train import data, synthetic
    from train.fit import fit
    from train.recipe import Recipe

    if REAL.is_dir() and not quick:
        from train.emnist import read_folder

        splits = read_folder(REAL)
        x, y, source = splits.x_train, splits.y_train, splits.info.name
    else:
        total, unique = (4_700, 940) if quick else (FULL, 11_280)
        x, y = synthetic.generate(unique, seed=0)
        reps = -(-total // unique)
        x, y, source = np.tile(x, (reps, 1, 1))[:total], np.tile(y, reps)[:total], "synthetic glyphs, tiled"
    recipe = Recipe()
    recipe.epochs = epochs or (1 if quick else recipe.epochs)
    held = data.hold_out(x, y, 0.1, recipe.seed)
    start = time.perf_counter()
    _, _, facts = fit(held, recipe, verbose=0)
    return {
        "data": source,
        "images": len(x),
        "train_images": len(held.x_train),
        "epochs": recipe.epochs,
        "epochs_run": facts["epochs_run"],
        "seconds_per_epoch": facts["seconds_per_epoch"],
        "images_per_second": facts["images_per_second"],
        "wall_time_s": round(time.perf_counter() - start, 1),
        "batch_size": recipe.batch_size,
        "augment": recipe.augment,
    }


def report(result: dict) -> str:
    rows = [
        [
            result["data"],
            f"{result['train_images']:,}",
            result["batch_size"],
            result["augment"],
            result["seconds_per_epoch"],
            f"{result['images_per_second']:,}",
            f"{result['epochs_run']}/{result['epochs']}",
            result["wall_time_s"],
        ]
    ]
    return table(
        rows, ["data", "train images", "batch", "augmentation", "s/epoch", "images/s", "epochs run", "fit wall time s"]
    )
