"""Ink as the picture word model reads it: a strip HEIGHT pixels high, the ink's height filling it but for a margin,
as wide as the ink then is (a multiple of the model's horizontal stride), ink 1 on a background of 0.

Pen strokes (the training words) are drawn straight into a strip; a picture's word is cut from its ink and scaled
into one. Both meet at the same scale and brightness, so a model trained on drawn words
reads pictures of them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw

HEIGHT = 32
MARGIN = 2
#: The picture model's frames are this many strip columns apart.
STRIDE = 4
#: Pen strokes (no brush of their own) drawn into a strip with no other choice made, as training's validation words
#: are, get a brush this share of their height wide: a pen on paper, the middle of what the picture model learns from.
PEN_BRUSH = 0.06
#: The ink's height for scaling is at least this share of its width, so a dash or a line of dots is not blown up,
#: and no strip is wider than (HEIGHT - 2 * MARGIN) / FLAT + 2 * MARGIN, however long the ink.
FLAT = 0.08


class StripError(ValueError):
    """Nothing to read; the message says so."""


def _scale(width: float, height: float) -> float:
    return (HEIGHT - 2 * MARGIN) / max(height, FLAT * width, 1e-6)


def _columns(ink_width: float) -> int:
    columns = int(np.ceil(ink_width - 1e-6)) + 2 * MARGIN
    return max(STRIDE, -(-columns // STRIDE) * STRIDE)


def from_strokes(strokes: Sequence[np.ndarray], brush: float, supersample: int = 2) -> tuple[np.ndarray, tuple]:
    """(the strip, (scale, left, top): strip x = (x - left) * scale + MARGIN) for pen strokes drawn with a round
    brush ``brush`` times the ink's height wide; the ink's edges, not its middle lines, fill the strip's height."""
    points = [np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in strokes if len(s)]
    if not points:
        raise StripError("Nothing is drawn here: write a word.")
    ink = np.concatenate(points)
    low, high = ink.min(axis=0), ink.max(axis=0)
    thick = brush * max(float(high[1] - low[1]), FLAT * float(high[0] - low[0]), 1e-6)
    low, high = low - thick / 2, high + thick / 2  # the ink's edges, as a picture of it shows them
    scale = _scale(*(high - low))
    columns = _columns((high[0] - low[0]) * scale)
    top = (HEIGHT - (high[1] - low[1]) * scale) / 2
    big = Image.new("L", (columns * supersample, HEIGHT * supersample), 0)
    pen = ImageDraw.Draw(big)
    radius = max(0.5 * supersample, thick * scale * supersample / 2)
    for stroke in points:
        xy = [tuple(p) for p in ((stroke - low) * scale + (MARGIN, top)) * supersample]
        if len(xy) > 1:
            pen.line(xy, fill=255, width=max(1, round(2 * radius)), joint="curve")
        for x, y in {xy[0], xy[-1]}:
            pen.ellipse([x - radius, y - radius, x + radius, y + radius], fill=255)
    strip = np.asarray(big.resize((columns, HEIGHT), Image.Resampling.BOX), dtype=np.float32) / 255.0
    return strip, (scale, float(low[0]), float(low[1]))


def from_pixels(pixels: np.ndarray, level: float) -> tuple[np.ndarray, tuple]:
    """(the strip, (scale, left, top) as ``from_strokes`` gives them) for a picture's word: ``pixels`` (H, W) with
    ink bright on 0 (``level``: the ink's full brightness), everything else already cleared."""
    rows, cols = np.nonzero(pixels)
    if not len(rows):
        raise StripError("Nothing is drawn here: write a word.")
    top, bottom, left, right = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    scale = _scale(right - left, bottom - top)
    columns = _columns((right - left) * scale)
    size = (max(1, round((right - left) * scale)), max(1, round((bottom - top) * scale)))
    crop = np.clip(pixels[top:bottom, left:right] / max(level, 1e-6), 0, 1).astype(np.float32)
    small = np.asarray(Image.fromarray(crop, mode="F").resize(size, Image.Resampling.BOX), dtype=np.float32)
    strip = np.zeros((HEIGHT, columns), np.float32)
    y = (HEIGHT - size[1]) // 2
    strip[y : y + size[1], MARGIN : MARGIN + min(size[0], columns - MARGIN)] = small[:, : columns - MARGIN]
    return strip, (scale, float(left), float(top))
