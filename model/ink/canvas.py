"""The drawing pads' geometry, in one place: the page draws with it, the server reads strokes against it, and the
benchmarks and tests draw real pen trajectories the way the page does."""

from __future__ import annotations

import numpy as np

#: The character pad: a square, in canvas units (the page scales it to the screen; points arrive in these units).
CANVAS = (400, 400)
#: The word pad: wide enough for a word, and on a phone it still spans the screen's width.
WORD_CANVAS = (720, 288)
#: Pen width in canvas units, on both pads. Strokes are re-drawn at EMNIST's width whatever it is; it only
#: decides what the visitor sees and when ink is too small to be a character (a tap).
BRUSH = 18
#: The pen's colour on the page (and in the benchmarks' raster drawings of the same strokes).
INK_COLOUR = "#1a1a1a"
INK_RGB = tuple(int(INK_COLOUR[i : i + 2], 16) for i in (1, 3, 5))
#: The pad keeps a point only this far (canvas units) from the last one kept, and rounds points to 1/100.
MIN_STEP = 1.5
#: An API client that sends no brush width is taken to draw like the pad: this share of the canvas's short side.
BRUSH_SHARE = BRUSH / min(CANVAS)


def place(
    strokes: list,
    brush: float = BRUSH,
    fraction: float = 0.6,
    position=(0.5, 0.5),
    canvas: int | tuple[int, int] = CANVAS,
) -> list[np.ndarray]:
    """A trajectory in any units (a tablet's, a font's) as someone would draw it on the pad: scaled so its long side
    spans ``fraction`` of the canvas's short side, at ``position`` in [0, 1]^2 of the free room, inside the canvas
    by half a brush; canvas units, before the pad thins it (``recorded``)."""
    size = np.asarray(canvas if isinstance(canvas, tuple) else (canvas, canvas), dtype=float)
    points = [np.asarray(s, dtype=float) for s in strokes]
    low = np.min([p.min(axis=0) for p in points], axis=0)
    high = np.max([p.max(axis=0) for p in points], axis=0)
    scale = fraction * float(size.min()) / max(float((high - low).max()), 1.0)
    free = size - (high - low) * scale - brush
    origin = brush / 2 + np.clip(np.asarray(position) * free, 0, None)
    return [(p - low) * scale + origin for p in points]


def recorded(stroke: np.ndarray) -> list[list[float]]:
    """One stroke as the pad's script records it: a point only MIN_STEP from the last one kept, to 1/100."""
    points = np.round(np.asarray(stroke, dtype=float), 2)
    kept = [points[0]]
    for point in points[1:]:
        if np.hypot(*(point - kept[-1])) >= MIN_STEP:
            kept.append(point)
    return np.asarray(kept).tolist()


def pad_value(strokes: list, brush: float = BRUSH, canvas: int | tuple[int, int] = CANVAS, **placing) -> dict:
    """What the pad sends after the last pen-up for this trajectory (``placing``: see ``place``)."""
    width, height = canvas if isinstance(canvas, tuple) else (canvas, canvas)
    placed = place(strokes, brush, canvas=canvas, **placing)
    return {"width": width, "height": height, "brush": brush, "strokes": [recorded(p) for p in placed]}


def word_placing(strokes: list, rng: np.random.Generator | None = None, canvas: tuple[int, int] = WORD_CANVAS) -> dict:
    """Where someone writes a word on the word pad, as ``place``'s ``fraction`` and ``position``: at 60-100% of the
    size that fits it (90% of the width, 70% of the height), anywhere; without ``rng``, the whole size, centred."""
    points = np.concatenate([np.asarray(s, dtype=float) for s in strokes])
    width, height = np.ptp(points, axis=0) + 1e-9
    fits = min(0.9 * canvas[0] / width, 0.7 * canvas[1] / height) * max(width, height) / min(canvas)
    if rng is None:
        return {"fraction": fits, "position": (0.5, 0.5)}
    return {"fraction": rng.uniform(0.6, 1.0) * fits, "position": rng.uniform(0, 1, 2)}
