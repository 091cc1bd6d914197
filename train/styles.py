"""Handwriting styles EMNIST's American forms lack, drawn onto real EMNIST glyphs: a bar through 7s and Zs, a slash
through 0s, a flag on 1s. Styled copies are added to the training split (``--style-mix``), never to validation.

How often people write them, from the UJI pen digits (60 writers; a second stroke is the mark): 90% of 7s and 6% of
0s have two or more strokes, 1s almost never (their flag is part of the single stroke). ``RATES`` follow that for
the digits seen there and take a middle value for Z, which the pen data does not have.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from model.ink.orientation import emnist_to_upright, upright_to_emnist
from model.labels import index_of

#: Styled copies to add, as a share of each class's training images (before --style-mix scales them all).
RATES = {"7": 0.9, "Z": 0.5, "0": 0.1, "1": 0.5}
WIDTH = 3  # px before the blur: EMNIST's strokes are 2-3 px wide at 28x28
BLUR = 0.6


def _ink_box(upright: np.ndarray) -> tuple[int, int, int, int] | None:
    rows, cols = np.flatnonzero((upright > 100).any(axis=1)), np.flatnonzero((upright > 100).any(axis=0))
    if len(rows) < 6 or len(cols) < 2:
        return None
    return int(cols[0]), int(rows[0]), int(cols[-1]), int(rows[-1])


def mark(upright: np.ndarray, label: str, rng: np.random.Generator) -> np.ndarray | None:
    """One styled copy of an upright uint8 glyph (light on black), or None where the glyph gives no place for it."""
    box = _ink_box(upright)
    if box is None:
        return None
    left, top, right, bottom = box
    height, width = bottom - top + 1, right - left + 1
    image = Image.new("L", upright.shape[::-1], 0)  # the mark alone, blurred like EMNIST's strokes, then merged
    pen = ImageDraw.Draw(image)
    level = int(np.percentile(upright[upright > 100], 90))
    if label in ("7", "Z"):  # a bar across the middle, centred on the ink there
        y = int(round(top + height * rng.uniform(0.45, 0.6)))
        row = np.flatnonzero(upright[y] > 100)
        centre = float(row.mean()) if len(row) else (left + right) / 2
        half = max(3.0, width * rng.uniform(0.25, 0.35))
        pen.line([(centre - half, y), (centre + half, y)], fill=level, width=WIDTH)
    elif label == "0":  # a slash from lower left to upper right, inside the loop and a little beyond
        inset = rng.uniform(0.05, 0.2)
        pen.line(
            [(left + inset * width, bottom - inset * height), (right - inset * width, top + inset * height)],
            fill=level,
            width=WIDTH,
        )
    elif label == "1":  # a flag: from the top of the stem, down to the left
        row = np.flatnonzero(upright[top] > 100)
        x = float(row.mean()) if len(row) else (left + right) / 2
        length = height * rng.uniform(0.25, 0.4)
        pen.line([(x, top), (x - 0.8 * length, top + 0.6 * length)], fill=level, width=WIDTH)
    else:
        return None
    return np.maximum(upright, np.asarray(image.filter(ImageFilter.GaussianBlur(BLUR))))


def styled_copies(x: np.ndarray, y: np.ndarray, share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Styled copies of training glyphs (EMNIST orientation, uint8): for each class in RATES, ``share * rate`` of its
    images, chosen at random, with the mark drawn on."""
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for label, rate in RATES.items():
        rows = np.flatnonzero(y == index_of(label))
        for row in rng.choice(rows, int(round(share * rate * len(rows))), replace=False) if len(rows) else []:
            styled = mark(emnist_to_upright(x[row]), label, rng)
            if styled is not None:
                images.append(upright_to_emnist(styled))
                labels.append(y[row])
    if not images:
        return x[:0], y[:0]
    return np.stack(images).astype(np.uint8), np.asarray(labels, dtype=y.dtype)
