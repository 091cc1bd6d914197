"""Pen strokes as the word model reads them: the trajectory resampled at an even spacing along the ink, each point
as (dx, dy, pen lifted before it, height above the ink's bottom), in units of the ink's height.

An even spacing (Carbune et al. 2020, Graves et al. 2009) makes the sequence independent of how fast the pen moved
and how densely a device sampled it; units of the ink's height make it independent of the canvas and the writer's
size. The word model learns slant, size and style from augmented training words (``train.words``), so nothing here
normalises them by hand.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Resampling step, as a share of the ink's height.
STEP = 0.06
#: A word longer than this many points is refused (a pad's full line of writing is a few hundred).
MAX_POINTS = 2_400
FEATURES = 4


class TrajectoryError(ValueError):
    """Ink the word model cannot read (nothing drawn, or far too much); the message says why."""


def resample(stroke: np.ndarray, spacing: float) -> np.ndarray:
    """Points every ``spacing`` along the stroke's path (its first and last points kept; a dot stays a point)."""
    stroke = np.asarray(stroke, dtype=np.float64).reshape(-1, 2)
    steps = np.linalg.norm(np.diff(stroke, axis=0), axis=1)
    length = float(steps.sum())
    if len(stroke) < 2 or length <= 0:
        return stroke[:1]
    along = np.concatenate([[0.0], np.cumsum(steps)])
    count = max(2, int(np.ceil(length / spacing)) + 1)
    at = np.linspace(0.0, length, count)
    return np.stack([np.interp(at, along, stroke[:, 0]), np.interp(at, along, stroke[:, 1])], axis=1)


def features(strokes: Sequence[np.ndarray], step: float = STEP) -> np.ndarray:
    """(N, FEATURES) float32 for one word or line of strokes (canvas units, y down)."""
    return resampled(strokes, step)[0]


def resampled(strokes: Sequence[np.ndarray], step: float = STEP) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(features (N, FEATURES), the resampled points (N, 2) in the strokes' units, each point's stroke index):
    the points let a reading's characters be placed back on the ink."""
    kept = [(i, np.asarray(s, dtype=np.float64).reshape(-1, 2)) for i, s in enumerate(strokes) if len(s)]
    if not kept:
        raise TrajectoryError("Nothing is drawn here: write a word.")
    ink = np.concatenate([s for _, s in kept])
    bottom, top = ink[:, 1].max(), ink[:, 1].min()
    height = max(bottom - top, 0.25 * (ink[:, 0].max() - ink[:, 0].min()), 1e-6)
    rows, placed, owners, previous = [], [], [], None
    for index, stroke in kept:
        points = resample(stroke, step * height)
        start = points[0] if previous is None else previous
        moves = np.diff(np.vstack([start, points]), axis=0) / height
        lifted = np.zeros(len(points))
        lifted[0] = previous is not None
        rows.append(np.column_stack([moves, lifted, (bottom - points[:, 1]) / height]))
        placed.append(points)
        owners.append(np.full(len(points), index))
        previous = points[-1]
        if sum(len(r) for r in rows) > MAX_POINTS:
            raise TrajectoryError(
                f"Too much writing for one reading (over {MAX_POINTS:,} points at the model's spacing): "
                "write a word or a short line at a time."
            )
    return np.concatenate(rows).astype(np.float32), np.concatenate(placed), np.concatenate(owners)
