"""Real pen drawings as training glyphs: UJI-style trajectories ({"label", "writer", "strokes"}) drawn through the
pad's own path (``model.strokes.render``), so training sees exactly what the Space feeds the model.

Only the writers named are used, so the others stay unseen for measuring (``python -m bench ablation`` reports pen
accuracy on writers 30-59). The stroke path is blind to where and how big the drawing was, so one rendering per
drawing is enough; the training pipeline's augmentation varies it each epoch.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from model.labels import index_of
from model.orientation import upright_to_emnist
from model.strokes import Strokes, render

from .splits import DataError


def writers_of(spec: str) -> set[int]:
    """ "0-29" or "0-9,20-29" -> the writer numbers."""
    chosen: set[int] = set()
    try:
        for part in spec.split(","):
            low, _, high = part.partition("-")
            chosen |= set(range(int(low), int(high or low) + 1))
    except ValueError:
        raise DataError(f"--pen-writers wants ranges such as 0-29, not {spec!r}") from None
    return chosen


def pen_glyphs(path: str | Path, writers: str, repeat: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """(N, 28, 28) uint8 glyphs in EMNIST orientation and their labels, each drawing ``repeat`` times."""
    try:
        drawings = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise DataError(f"cannot read pen drawings from {path}: {exc}") from exc
    keep = writers_of(writers)
    images, labels = [], []
    for d in drawings:
        if d.get("writer", d.get("index", -2) // 2) not in keep:
            continue
        points = np.concatenate([np.asarray(s, float) for s in d["strokes"]])
        low = points.min(axis=0)
        strokes = [(np.asarray(s, float) - low).tolist() for s in d["strokes"]]
        size = float(np.ptp(points, axis=0).max()) + 1
        glyph = render(Strokes.parse({"width": size, "height": size, "strokes": strokes})).glyph
        images.append(np.round(upright_to_emnist(glyph) * 255).astype(np.uint8))
        labels.append(index_of(d["label"]))
    if not images:
        raise DataError(f"no pen drawings of writers {writers} in {path}")
    return np.repeat(np.stack(images), repeat, axis=0), np.repeat(np.asarray(labels, dtype=np.int64), repeat)
