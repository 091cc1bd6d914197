"""The files a training run produces; written atomically into the output folder, together or not at all."""

from __future__ import annotations

import json
from pathlib import Path

from model.architecture import build_lenet5
from model.loading import CARD_FILENAME, METRICS_FILENAME, MODEL_FILENAME

from . import plots
from .atomic import atomic_path, write_bytes

CONFUSION_PNG = "confusion_matrix.png"
CURVES_PNG = "training_curves.png"
ARTIFACTS = [MODEL_FILENAME, METRICS_FILENAME, CARD_FILENAME, CONFUSION_PNG, CURVES_PNG]


def write_all(output_dir: str | Path, model, metrics: dict, history: dict, card: str) -> list[Path]:
    """Render everything in memory first, then move each file into place.

    A failure before the moves leaves the previous artifacts untouched; each move is an atomic rename.
    """
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    staged = {
        METRICS_FILENAME: (json.dumps(metrics, indent=2) + "\n").encode(),
        CARD_FILENAME: card.encode(),
        CONFUSION_PNG: plots.confusion_png(metrics["test"]["confusion_matrix"], f"Confusion matrix: {metrics['data']['name']} test split"),
        CURVES_PNG: plots.curves_png(history),
    }
    export = build_lenet5()  # an uncompiled copy: the file holds weights, not optimizer state (3x smaller)
    export.set_weights(model.get_weights())
    with atomic_path(output_dir / MODEL_FILENAME) as tmp:
        export.save(tmp)
    for name, data in staged.items():
        write_bytes(output_dir / name, data)
    return [output_dir / name for name in ARTIFACTS]

