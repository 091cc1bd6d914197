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


def along_paths(
    strokes: Sequence[np.ndarray], spacing: float | np.ndarray, max_points: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(points (N, 2), how many of them lie on each stroke): points every ``spacing`` (one for all strokes, or one a
    stroke) along each non-empty stroke's own path, its first and last points kept (a dot stays a point). All
    strokes go through one interpolation, their paths laid end to end with a gap between that no point falls in;
    more than ``max_points`` is refused before any point is placed."""
    strokes = [np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in strokes]
    ink = np.concatenate(strokes)
    sizes = np.array([len(s) for s in strokes])
    firsts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    steps = np.hypot(*np.diff(ink, axis=0).T)
    steps[firsts[1:] - 1] = max(float(np.ptp(ink, axis=0).max()), 1e-6)  # between strokes
    along = np.concatenate([[0.0], np.cumsum(steps)])
    lengths = along[firsts + sizes - 1] - along[firsts]
    counts = np.where(lengths > 0, np.maximum(2, np.ceil(lengths / spacing) + 1), 1).astype(np.int64)
    if max_points is not None and counts.sum() > max_points:
        raise TrajectoryError(
            f"Too much writing for one reading (over {max_points:,} points at the model's spacing): "
            "write a word or a short line at a time."
        )
    owner = np.repeat(np.arange(len(strokes)), counts)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    share = (np.arange(counts.sum()) - starts[owner]) / np.maximum(counts - 1, 1)[owner]
    at = along[firsts][owner] + share * lengths[owner]
    return np.column_stack([np.interp(at, along, ink[:, 0]), np.interp(at, along, ink[:, 1])]), counts


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
    points, counts = along_paths([s for _, s in kept], step * height, MAX_POINTS)
    moves = np.diff(np.vstack([points[:1], points]), axis=0) / height
    lifted = np.zeros(len(points))
    lifted[np.cumsum(counts)[:-1]] = 1.0
    rows = np.column_stack([moves, lifted, (bottom - points[:, 1]) / height])
    return rows.astype(np.float32), points, np.repeat([i for i, _ in kept], counts)
