"""The pictures the page shows: the 28x28 the model saw, and a drawing with a box around each character read."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from model.ink.canvas import INK_RGB
from model.ink.strokes import Strokes
from model.words.reading import Reading

READ_COLOUR = (37, 99, 235)  # a character as the model read it
CONTEXT_COLOUR = (217, 119, 6)  # a character the word's reading changed (O -> 0 in a number, ...)


def enlarge(glyph: np.ndarray, scale: int = 8) -> np.ndarray:
    """The 28x28 as the model saw it, blown up with hard pixel edges, light on black (uint8)."""
    pixels = np.clip(np.asarray(glyph, dtype=np.float32) * 255, 0, 255).astype(np.uint8)
    return np.kron(pixels, np.ones((scale, scale), dtype=np.uint8))


def on_paper(rgba: np.ndarray) -> Image.Image:
    """A drawing layer (transparent background) composited on white."""
    alpha = rgba[..., 3:4].astype(np.float32) / 255
    return Image.fromarray((255 * (1 - alpha) + rgba[..., :3] * alpha).astype(np.uint8))


def drawn(strokes: Strokes) -> Image.Image:
    """The strokes as the pad shows them: dark round-capped lines of the brush's width on white."""
    picture = Image.new("RGB", (round(strokes.width), round(strokes.height)), "white")
    pen = ImageDraw.Draw(picture)
    radius = strokes.brush / 2
    for stroke in strokes.strokes:
        points = [tuple(p) for p in stroke.tolist()]
        if len(points) > 1:
            pen.line(points, fill=INK_RGB, width=round(strokes.brush), joint="curve")
        for x, y in (points[0], points[-1]):
            pen.ellipse([x - radius, y - radius, x + radius, y + radius], fill=INK_RGB)
    return picture


def annotate(picture: Image.Image, reading: Reading) -> np.ndarray:
    """The drawing with a box around each character and, above it, what was read there."""
    picture = picture.convert("RGB")
    pen = ImageDraw.Draw(picture)
    size = max(14, int(0.08 * picture.height))
    font = ImageFont.load_default(size=size)
    for c in reading.characters:
        left, top, right, bottom = c.box
        colour = CONTEXT_COLOUR if c.changed_by_word else READ_COLOUR
        pen.rectangle([left - 3, top - 3, right + 3, bottom + 3], outline=colour, width=3)
        pen.text((left, max(0, top - size - 6)), c.label, fill=colour, font=font)
    return np.asarray(picture)
