"""Strings of characters written apart, composed from single ones as the benchmarks and tests need them: a picture
of dark ink on white paper with each character's true box, and the same string as the word pad would send it."""

from __future__ import annotations

import numpy as np
from PIL import Image

from harness.drawings import place, raster
from model.ink.orientation import emnist_to_upright

HEIGHT = 90  # px, a character's height on the composed page


def emnist_ink(glyph: np.ndarray) -> Image.Image:
    """An EMNIST glyph, upright, cropped to its ink, as an "L" ink image (light on black)."""
    upright = Image.fromarray(emnist_to_upright(glyph))
    return upright.crop(upright.point(lambda v: 255 if v > 60 else 0).getbbox())


def pen_ink(strokes, rng) -> tuple[Image.Image, list[np.ndarray], tuple[int, int, int, int], float]:
    """A pen digit drawn on the pad: its ink cropped, and the same trajectory, the crop box and the brush."""
    brush = float(rng.uniform(10, 24))
    rgba = raster(strokes, brush=brush, fraction=0.8, position=(0.5, 0.5))
    alpha = Image.fromarray(rgba[..., 3])
    box = alpha.getbbox()
    return alpha.crop(box), place(strokes, brush, fraction=0.8, position=(0.5, 0.5)), box, brush


def as_pad_strokes(pens: list, boxes: list, size: tuple[int, int]) -> tuple[dict, list[dict]]:
    """The composed page as the word pad would send it (and each digit alone): every trajectory moved and scaled
    from its crop box onto its box on the page; the pad has one brush, the median of the digits' scaled ones."""
    moved, brushes = [], []
    for (_, strokes, (left, top, _right, bottom), brush), (x0, y0, _x1, y1) in zip(pens, boxes):
        scale = (y1 - y0) / (bottom - top)
        moved.append([((s - [left, top]) * scale + [x0, y0]).round(2).tolist() for s in strokes])
        brushes.append(brush * scale)
    value = {"width": size[0], "height": size[1], "brush": float(np.median(brushes))}
    return {**value, "strokes": [s for m in moved for s in m]}, [{**value, "strokes": m} for m in moved]


def compose(inks: list[Image.Image], rng: np.random.Generator) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """Dark ink on white paper, left to right; returns the picture and each character's true box."""
    placed, x = [], 30
    for ink in inks:
        height = int(HEIGHT * rng.uniform(0.85, 1.15))
        width = max(2, int(ink.width * height / ink.height))
        ink = ink.resize((width, height), Image.Resampling.LANCZOS)
        y = 40 + int(HEIGHT * rng.uniform(-0.08, 0.08)) + (HEIGHT - height) // 2
        placed.append((ink, x, y))
        x += width + int(HEIGHT * rng.uniform(0.12, 0.5))  # at least a stroke width (about 1/8 of the height)
    page = Image.new("L", (x + 30, HEIGHT + 100), 0)
    for ink, px, py in placed:
        page.paste(ink, (px, py), ink)
    boxes = [(px, py, px + ink.width, py + ink.height) for ink, px, py in placed]
    return 255 - np.asarray(page), boxes


def overlap(a, b) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / max(1, (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)
