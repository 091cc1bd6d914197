"""Pen strokes in, the EMNIST 28x28 out, with no picture in between.

The drawing pad (and any API client) sends what the pen did: the canvas size, the brush width and, per pen-down,
the points it passed through. ``Strokes.parse`` checks that as untrusted input (bounded sizes, finite numbers,
a clear message for anything else); ``render`` draws a character's strokes straight into the EMNIST frame at
EMNIST's stroke width, with the blur and framing every picture gets (``preprocess.finish``), so no raster of a
brush has to be re-stroked after the fact; ``parts`` says which strokes belong to one character, for words.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image, ImageDraw
from scipy.spatial import cKDTree

from model.ink.canvas import BRUSH_SHARE
from model.ink.preprocess import (
    GLYPH_SPAN,
    STROKE_WIDTH,
    WORK_PAD,
    BlankImageError,
    Centre,
    Framed,
    PreprocessError,
    finish,
)

#: Limits on what a client may send (the pad stays far below them: it keeps a point every ~1.5 px).
MAX_STROKES = 500
MAX_POINTS = 20_000  # in all strokes together
MAX_CANVAS_SIDE = 10_000  # canvas units
MAX_JSON_CHARS = 1_000_000  # when the strokes arrive as a JSON string
#: Points may stray this far outside the canvas (a pen dragged off the pad's edge) and are then clipped to it;
#: beyond, as a share of the canvas side, the drawing is refused.
OUTSIDE_SHARE = 1.0
SUPERSAMPLE = 4  # strokes are drawn this much finer than the working frame, then box-reduced: antialiased ink
JOIN_TURN = 10.0  # degrees: where a stroke turns more than this, a disc rounds the join


class StrokesError(PreprocessError):
    """Strokes we cannot read; the message says what was wrong, for the person or program that sent them."""


@dataclass(frozen=True)
class Strokes:
    """What a pen drew: one (n, 2) array of (x, y) per pen-down, canvas units, y growing downwards."""

    width: float
    height: float
    strokes: tuple[np.ndarray, ...]
    brush: float

    @classmethod
    def parse(cls, value: Any) -> Strokes:
        """From the pad's value (or an API client's): ``{"width": W, "height": H, "brush": B, "strokes":
        [[[x, y], ...], ...]}``, as a dict or a JSON string; ``brush`` is optional. Raises StrokesError."""
        if isinstance(value, Strokes):
            return value
        if isinstance(value, (str, bytes)):
            if len(value) > MAX_JSON_CHARS:
                raise StrokesError(
                    f"The strokes are too large ({len(value):,} characters; the limit is {MAX_JSON_CHARS:,})."
                )
            try:
                value = json.loads(value)
            except ValueError:
                raise StrokesError("The strokes are not valid JSON.") from None
        if not isinstance(value, dict):
            raise StrokesError('Strokes must be an object: {"width": W, "height": H, "strokes": [[[x, y], ...], ...]}.')
        width, height = (_side(value.get(k), k) for k in ("width", "height"))
        raw = value.get("strokes")
        if not isinstance(raw, list):
            raise StrokesError('"strokes" must be a list of strokes, each a list of [x, y] points.')
        if len(raw) > MAX_STROKES:
            raise StrokesError(f"Too many strokes ({len(raw):,}); the limit is {MAX_STROKES:,}.")
        if not all(isinstance(s, list) for s in raw):
            raise StrokesError("Each stroke must be a list of [x, y] points.")
        total = sum(len(s) for s in raw)
        if total > MAX_POINTS:
            raise StrokesError(f"Too many points ({total:,}); the limit is {MAX_POINTS:,} in all strokes together.")
        brush = value.get("brush")
        brush = BRUSH_SHARE * min(width, height) if brush is None else _number(brush, "brush")
        if not 0 < brush <= max(width, height):
            raise StrokesError("The brush width must be above 0 and at most the canvas size.")
        strokes = tuple(_points(s, width, height) for s in raw if len(s))
        return cls(width, height, strokes, brush)

    def __len__(self) -> int:
        return len(self.strokes)

    def as_dict(self) -> dict:
        """The JSON the pad sends (round-trips through ``parse``)."""
        return {
            "width": self.width,
            "height": self.height,
            "brush": self.brush,
            "strokes": [np.round(s, 2).tolist() for s in self.strokes],
        }

    def subset(self, indices: Sequence[int]) -> Strokes:
        return Strokes(self.width, self.height, tuple(self.strokes[i] for i in indices), self.brush)

    def box(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) of the ink as drawn (points, plus half the brush each side)."""
        points = np.concatenate(self.strokes)
        (left, top), (right, bottom) = points.min(axis=0), points.max(axis=0)
        half = self.brush / 2
        return (float(left - half), float(top - half), float(right + half), float(bottom + half))


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise StrokesError(f'"{name}" must be a number.')
    if not np.isfinite(value):
        raise StrokesError(f'"{name}" must be a finite number.')
    return float(value)


def _side(value: Any, name: str) -> float:
    side = _number(value, name) if value is not None else None
    if side is None or not 1 <= side <= MAX_CANVAS_SIDE:
        raise StrokesError(f'The canvas "{name}" must be a number from 1 to {MAX_CANVAS_SIDE:,}.')
    return side


def _points(stroke: list, width: float, height: float) -> np.ndarray:
    try:
        points = np.asarray(stroke)
    except ValueError:  # ragged: points of different lengths
        raise StrokesError("Each point must be [x, y].") from None
    if points.dtype.kind not in "iuf":
        raise StrokesError("Point coordinates must be numbers.")
    if points.ndim != 2 or points.shape[1] != 2:
        raise StrokesError("Each point must be [x, y].")
    points = points.astype(np.float64)
    if not np.isfinite(points).all():
        raise StrokesError("Point coordinates must be finite numbers (no NaN or infinity).")
    size = np.array([width, height])
    if ((points < -OUTSIDE_SHARE * size) | (points > (1 + OUTSIDE_SHARE) * size)).any():
        raise StrokesError(
            "Some points lie far outside the canvas: send coordinates in canvas units, "
            "from 0 to the canvas width and height."
        )
    return np.clip(points, 0, size).astype(np.float32)


def render(strokes: Strokes, centre: Centre = "bbox") -> Framed:
    """The character these strokes draw, as the 28x28 upright EMNIST-style glyph.

    The strokes' centre lines are scaled so that the ink, drawn STROKE_WIDTH px wide, spans GLYPH_SPAN px on its
    long side, exactly the framing of a picture's ink; ``drawn_stroke_width`` is the brush at that scale (what the
    non-character rules read as "how fat was the pen for this size")."""
    if not strokes.strokes:
        raise BlankImageError("Nothing is drawn here: draw a character.")
    points = np.concatenate(strokes.strokes)
    low = points.min(axis=0)
    extent = points.max(axis=0) - low
    side = max(float(extent.max()), strokes.brush)  # ink smaller than the pen is drawn as a dot, not blown up
    scale = (GLYPH_SPAN - STROKE_WIDTH) / side  # final px per canvas unit
    outer = extent * scale + STROKE_WIDTH
    new_w, new_h = (max(1, round(float(v))) for v in outer)
    fine = 2 * SUPERSAMPLE  # the working frame is twice the final size
    offset = WORK_PAD + (np.array([new_w, new_h]) - outer) + STROKE_WIDTH  # centres the ink in its box
    image = Image.new("L", ((2 * new_w + 2 * WORK_PAD) * SUPERSAMPLE, (2 * new_h + 2 * WORK_PAD) * SUPERSAMPLE), 0)
    pen = ImageDraw.Draw(image)
    width = 2 * STROKE_WIDTH * SUPERSAMPLE
    radius = width / 2
    for stroke in strokes.strokes:
        xy = (stroke - low) * (scale * fine) + offset * SUPERSAMPLE
        if len(xy) > 1:
            pen.line(list(map(tuple, xy.tolist())), fill=255, width=round(width))
        for x, y in [xy[0].tolist(), *_turns(xy).tolist(), xy[-1].tolist()]:  # round caps; round joins at turns
            pen.ellipse([x - radius, y - radius, x + radius, y + radius], fill=255)
    work = np.asarray(image.reduce(SUPERSAMPLE), dtype=np.float32) * (1 / 255)
    return Framed(finish(work, new_w, new_h, centre), strokes.brush * scale)


def _turns(xy: np.ndarray) -> np.ndarray:
    """The inner points of a polyline where it turns by more than JOIN_TURN: a thick line needs a round join there
    (a smaller turn leaves no visible notch, and a disc per point would double the drawing time)."""
    if len(xy) < 3:
        return xy[:0]
    step = np.diff(xy, axis=0)
    length = np.linalg.norm(step, axis=1)
    cos = (step[:-1] * step[1:]).sum(axis=1) / np.maximum(length[:-1] * length[1:], 1e-12)
    return xy[1:-1][(cos < np.cos(np.deg2rad(JOIN_TURN))) | (length[:-1] == 0) | (length[1:] == 0)]


@dataclass
class StrokeGroup:
    """Strokes that touch each other (as drawn, brush width included): the stroke counterpart of a connected
    blob of ink. ``box`` is the ink's, ``area`` its approximate ink area (length x brush), canvas units."""

    box: tuple[float, float, float, float]
    area: float
    labels: list[int]  # stroke indices


def touching_groups(strokes: Strokes) -> list[StrokeGroup]:
    """Strokes whose inks overlap or touch, joined (union-find over the strokes' resampled points)."""
    n = len(strokes.strokes)
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    dense = [_resample(s, strokes.brush / 2) for s in strokes.strokes]
    trees = [cKDTree(p) for p in dense]
    boxes = [(p.min(axis=0), p.max(axis=0)) for p in dense]
    reach = strokes.brush  # two pen-widths of ink touch when their centre lines come within one brush width
    for i in range(n):
        for j in range(i + 1, n):
            if root(i) == root(j):
                continue
            (lo_i, hi_i), (lo_j, hi_j) = boxes[i], boxes[j]
            if (lo_i > hi_j + reach).any() or (lo_j > hi_i + reach).any():
                continue
            if trees[i].query(dense[j], k=1, distance_upper_bound=reach)[0].min() <= reach:
                parent[root(j)] = root(i)
    members: dict[int, list[int]] = {}
    for i in range(n):
        members.setdefault(root(i), []).append(i)
    groups = []
    for labels in members.values():
        part = strokes.subset(labels)
        length = sum(float(np.linalg.norm(np.diff(s, axis=0), axis=1).sum()) for s in part.strokes)
        groups.append(StrokeGroup(part.box(), (length + strokes.brush) * strokes.brush, labels))
    return sorted(groups, key=lambda g: g.labels[0])


def _resample(points: np.ndarray, spacing: float) -> np.ndarray:
    """Points along the polyline no further apart than ``spacing`` (so touching is judged between lines)."""
    if len(points) < 2:
        return points
    steps = np.maximum(1, np.ceil(np.linalg.norm(np.diff(points, axis=0), axis=1) / spacing)).astype(int)
    segment = np.repeat(np.arange(len(steps)), steps)
    t = (np.arange(len(segment)) - np.repeat(np.cumsum(steps) - steps, steps)) / steps[segment]
    along = points[segment] + t[:, None] * (points[segment + 1] - points[segment])
    return np.concatenate([along, points[-1:]])
