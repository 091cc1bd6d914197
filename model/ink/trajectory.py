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


def features(strokes: Sequence[np.ndarray], step: float = STEP) -> np.ndarray:
    """(N, FEATURES) float32 for one word or line of strokes (canvas units, y down)."""
    return resampled(strokes, step)[0]


def resampled(strokes: Sequence[np.ndarray], step: float = STEP) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(features (N, FEATURES), the resampled points (N, 2) in the strokes' units, each point's stroke index):
    the points let a reading's characters be placed back on the ink.

    Each stroke is resampled along its own path (its first and last points kept; a dot stays a point), all strokes
    in one interpolation: their paths laid end to end with a gap between, which no resampled point falls in."""
    kept = [(i, np.asarray(s, dtype=np.float64).reshape(-1, 2)) for i, s in enumerate(strokes) if len(s)]
    if not kept:
        raise TrajectoryError("Nothing is drawn here: write a word.")
    ink = np.concatenate([s for _, s in kept])
    sizes = np.array([len(s) for _, s in kept])
    bottom, top = ink[:, 1].max(), ink[:, 1].min()
    height = max(bottom - top, 0.25 * (ink[:, 0].max() - ink[:, 0].min()), 1e-6)
    firsts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    lasts = firsts + sizes - 1
    steps = np.hypot(*np.diff(ink, axis=0).T)
    steps[firsts[1:] - 1] = height  # between strokes
    along = np.concatenate([[0.0], np.cumsum(steps)])
    lengths = along[lasts] - along[firsts]
    spacing = step * height
    counts = np.where(lengths > 0, np.maximum(2, np.ceil(lengths / spacing) + 1), 1).astype(np.int64)
    if counts.sum() > MAX_POINTS:
        raise TrajectoryError(
            f"Too much writing for one reading (over {MAX_POINTS:,} points at the model's spacing): "
            "write a word or a short line at a time."
        )
    owner = np.repeat(np.arange(len(kept)), counts)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    share = (np.arange(counts.sum()) - starts[owner]) / np.maximum(counts - 1, 1)[owner]
    at = along[firsts][owner] + share * lengths[owner]
    points = np.column_stack([np.interp(at, along, ink[:, 0]), np.interp(at, along, ink[:, 1])])
    moves = np.diff(np.vstack([points[:1], points]), axis=0) / height
    lifted = np.zeros(len(points))
    lifted[starts[1:]] = 1.0
    rows = np.column_stack([moves, lifted, (bottom - points[:, 1]) / height])
    return rows.astype(np.float32), points, np.array([i for i, _ in kept])[owner]
