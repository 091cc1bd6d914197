"""Pen trajectories put on the drawing pad the way a person would draw them, and handed to the model two ways: as
the strokes the pad sends (``model.ink.canvas.pad_value``) or as the picture a raster sketchpad would have sent
(``raster``), plus made-up non-characters.

Trajectories (UJI Pen Characters, UNIPEN, the gallery's Hershey letters, scribbles) come in any units;
``model.ink.canvas.place`` scales one so its long side spans ``fraction`` of the canvas, anywhere on it.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from model.ink.canvas import BRUSH, CANVAS, INK_RGB, pad_value, place, word_placing
from model.ink.orientation import emnist_to_upright

__all__ = [
    "pad_value",
    "place",
    "raster",
    "word_placing",
    "lay_out",
    "written",
    "page_of_words",
    "SIDE",
    "NEGATIVE_PICTURES",
    "NEGATIVE_STROKES",
]

SIDE = CANVAS[0]


def raster(
    strokes: list,
    brush: float,
    fraction: float = 0.6,
    position=(0.5, 0.5),
    canvas: int | tuple[int, int] = SIDE,
    supersample: int = 2,
) -> np.ndarray:
    """The trajectory as a raster sketchpad's composite: (height, width, 4) uint8, dark antialiased round strokes
    on a transparent background (what uploads and the old Sketchpad send)."""
    width, height = canvas if isinstance(canvas, tuple) else (canvas, canvas)
    big = Image.new("L", (width * supersample, height * supersample), 0)
    pen = ImageDraw.Draw(big)
    radius = brush * supersample / 2
    for stroke in place(strokes, brush, fraction, position, canvas):
        xy = [tuple(p) for p in stroke * supersample]
        if len(xy) > 1:
            pen.line(xy, fill=255, width=max(1, round(brush * supersample)), joint="curve")
        for x, y in {xy[0], xy[-1]}:  # round caps
            pen.ellipse([x - radius, y - radius, x + radius, y + radius], fill=255)
    rgba = np.zeros((height, width, 4), np.uint8)
    rgba[..., :3] = INK_RGB
    rgba[..., 3] = np.asarray(big.resize((width, height), Image.Resampling.BOX))
    return rgba


#: Simple pen strokes of a few characters, in a 100-unit-high box, as a person draws them stroke by stroke.
CHARACTER_STROKES = {
    "i": [[[50, 35], [50, 100]], [[50, 8], [51, 9]]],  # stem and a separate dot
    "j": [[[55, 35], [55, 110], [40, 120], [28, 112]], [[55, 8], [56, 9]]],  # hook below the line and a dot
    "t": [[[45, 5], [45, 95], [60, 100]], [[25, 35], [70, 35]]],  # stem and a crossing bar
    "x": [[[20, 35], [80, 100]], [[80, 35], [20, 100]]],
    "7": [[[15, 5], [85, 5], [40, 100]], [[35, 50], [75, 50]]],  # with a bar across
    "4": [[[55, 0], [15, 65], [85, 65]], [[65, 30], [65, 100]]],  # in two strokes
    "T": [[[10, 0], [90, 0]], [[50, 12], [50, 100]]],  # the bar drawn apart from the stem: a broken stroke
    "L": [[[30, 0], [30, 100], [80, 100]]],
    "1": [[[50, 0], [50, 100]]],
    ".": [[[50, 96], [51, 97]]],
}


def lay_out(lines: list[str], gap: float = 35, line_gap: float = 60, margin: float = 20) -> tuple[list, float, float]:
    """CHARACTER_STROKES written in lines, left to right (a space: a word gap): (strokes, right edge, bottom edge)."""
    strokes, y, right = [], margin, margin
    for text in lines:
        x = margin
        for char in text:
            if char == " ":
                x += 90
                continue
            strokes += [[[px + x, py + y] for px, py in stroke] for stroke in CHARACTER_STROKES[char]]
            x += 100 + gap
        right = max(right, x)
        y += 130 + line_gap
    return strokes, right, y


def written(lines: list[str], gap: float = 35) -> dict:
    """CHARACTER_STROKES laid out in lines (``lay_out``) as the word pad sends them, in the order a person writes
    them."""
    strokes, right, bottom = lay_out(lines, gap, line_gap=60, margin=40)
    return {"width": max(800, right + 60), "height": max(300, bottom), "brush": 12, "strokes": strokes}


def as_picture(glyph: np.ndarray) -> np.ndarray:
    """An EMNIST glyph as someone would photograph it: upright, dark ink on white paper, 10x the size."""
    upright = Image.fromarray(emnist_to_upright(glyph))
    return 255 - np.asarray(upright.resize((280, 280), Image.Resampling.BICUBIC))


def page_of_words(rows: int = 25, columns: int = 12) -> np.ndarray:
    """A picture of a page of short zigzag words (rows x columns of them, each its own piece of ink): more writing
    than one request may read."""
    t = np.linspace(0, 6 * np.pi, 60)
    strokes = [
        (np.stack([20 + t * 3, 20 + row * 40 + 8 * np.sin(t)], axis=1) + [col * 95, 0]).round(1).tolist()
        for row in range(rows)
        for col in range(columns)
    ]
    return raster(strokes, 4, fraction=1.0, canvas=(1200, 1200))


# What visitors draw besides a character, seeded. Each has a trajectory form (for the pad) where it has one.


def scribble_strokes(rng) -> list:
    """A random back-and-forth scrawl: many direction changes over a small area."""
    steps = rng.integers(25, 60)
    points = np.cumsum(rng.normal(0, 35, (steps, 2)), axis=0)
    points = points - points.mean(axis=0) + SIDE / 2
    return [np.clip(points, 20, SIDE - 20).tolist()]


def smiley_strokes() -> list:
    t = np.linspace(0, 2 * np.pi, 60)
    face = np.stack([np.cos(t), np.sin(t)], axis=1) * 100 + 200
    mouth_t = np.linspace(0.2 * np.pi, 0.8 * np.pi, 20)
    mouth = np.stack([np.cos(mouth_t), np.sin(mouth_t)], axis=1) * 55 + [200, 205]
    eyes = [[[165, 170], [166, 171]], [[235, 170], [236, 171]]]
    return [face.tolist(), mouth.tolist(), *eyes]


def _canvas() -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGBA", (SIDE, SIDE), (0, 0, 0, 0))
    return image, ImageDraw.Draw(image)


def tap(rng) -> np.ndarray:
    image, pen = _canvas()
    x, y, r = rng.uniform(60, 340), rng.uniform(60, 340), rng.uniform(5, 30)
    pen.ellipse([x - r, y - r, x + r, y + r], fill=(*INK_RGB, 255))
    return np.asarray(image)


def scribble(rng) -> np.ndarray:
    return raster(
        scribble_strokes(rng),
        brush=float(rng.uniform(10, 24)),
        fraction=rng.uniform(0.4, 0.8),
        position=rng.uniform(0, 1, 2),
    )


def smiley(rng) -> np.ndarray:
    return raster(
        smiley_strokes(),
        brush=float(rng.uniform(10, 24)),
        fraction=rng.uniform(0.4, 0.8),
        position=rng.uniform(0, 1, 2),
    )


def filled_blob(rng) -> np.ndarray:
    image, pen = _canvas()
    x, y = rng.uniform(120, 280, 2)
    rx, ry = rng.uniform(40, 110, 2)
    pen.ellipse([x - rx, y - ry, x + rx, y + ry], fill=(*INK_RGB, 255))
    return np.asarray(image)


def tap_value(rng) -> dict:
    """A tap on the pad: a pen-down and -up at one spot (or a wobble of a pixel or two)."""
    x, y = rng.uniform(60, 340, 2)
    wobble = rng.uniform(0, 2, (int(rng.integers(1, 4)), 2))
    return {"width": SIDE, "height": SIDE, "brush": BRUSH, "strokes": [(np.array([x, y]) + wobble).round(2).tolist()]}


def scribble_value(rng) -> dict:
    return pad_value(scribble_strokes(rng), fraction=rng.uniform(0.4, 0.8), position=rng.uniform(0, 1, 2))


def smiley_value(rng) -> dict:
    return pad_value(smiley_strokes(), fraction=rng.uniform(0.4, 0.8), position=rng.uniform(0, 1, 2))


#: Not characters, as pictures (the raster path) ...
NEGATIVE_PICTURES = {"tap or dot": tap, "scribble": scribble, "smiley": smiley, "filled blob": filled_blob}
#: ... and as pad strokes (a filled blob has no stroke form: a pen cannot fill a disc in one gesture).
NEGATIVE_STROKES = {"tap or dot": tap_value, "scribble": scribble_value, "smiley": smiley_value}
