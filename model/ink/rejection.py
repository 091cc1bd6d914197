"""Is this one character at all? A tap, a dot, a blob, a doodle or a dense scribble gets "draw a character"
instead of a guess.

Signals measured on the 28x28 frame the model sees, with bounds chosen by ``python -m bench rejection`` so
that no real character is refused (real EMNIST test glyphs as pictures, the 1,200 UJI pen digits drawn on the
sketchpad at every brush width, the gallery). Dense scribbles are mostly let through: on these signals they
overlap real handwriting (slashed zeros, 8s with an extra loop, faint 1s), and a refused real character costs a
visitor more than a guessed scribble.

- shape: a dot or a blob fills its bounding box like a disc, without a loop (a stroke-drawn character leaves
  most of a roughly square box empty, or encloses a loop; a straight bar is full but not square), and its "stroke" is as wide as
  itself (drawn strokes of real characters stay under a third of the glyph's size, blobs start near 0.4);
- parts inside loops: eyes and a mouth inside a face; no character has two separate parts inside a loop;
- confidence and loops: on a scribble the calibrated probabilities spread over many classes, or it crosses
  itself into more closed loops than any character (B and 8 have two) without one reading standing out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from model.ink.preprocess import GLYPH_SPAN

#: A glyph whose bounding box is at least this square (short side / long side) ...
SQUARE_ENOUGH = 0.3
#: ... and whose box is filled at least this much is a dot or a blob (a disc fills 0.79; real glyphs measured up
#: to 0.63: an 8 drawn small with a fat finger, its loops closed).
MAX_FILL = 0.7
#: Drawn stroke width, as a share of the glyph's long side (before preprocessing sets it to EMNIST's), from which
#: ink is a blob: real characters' strokes stay under a third of it, blobs start near 0.4.
BLOB_STROKE_SHARE = 0.375
BLOB_STROKE_WIDTH = BLOB_STROKE_SHARE * GLYPH_SPAN  # px at 28x28
#: Below this probability mass in the top 3 classes, the picture does not look like any one character (real
#: characters measured down to 0.41: a pen-drawn 1 in a fine pen; scribbles: median 0.82).
MIN_TOP3_MASS = 0.38
#: More closed loops than this, without a reading above LOOPY_MIN_TOP3_MASS, is a scribble (real characters
#: measured up to 4 loops: a slashed zero drawn over itself, an 8 with a curl; those read above 0.9).
MAX_LOOPS = 3
LOOPY_MIN_TOP3_MASS = 0.9
#: Separate parts inside the loops of another part: a face, not a character.
MAX_ENCLOSED_PARTS = 1

#: Why a picture is not read as one character (``Prediction.refusal``); the page words each one (space/texts.py).
DOT = "dot"  # a tap, a dot or a filled blob
DOODLE = "doodle"  # a drawing with parts inside its loops, such as a face
SCRIBBLE = "scribble"  # no one reading stands out
SEVERAL = "several"  # several characters side by side: a word for Classifier.read
REASONS = (DOT, DOODLE, SCRIBBLE, SEVERAL)


@dataclass(frozen=True)
class Shape:
    fill: float  # share of the bounding box covered by ink
    squareness: float  # short side / long side of the bounding box
    loops: int  # closed holes in the ink
    enclosed_parts: int  # separate ink parts lying inside another part's loops


def shape_of(glyph: np.ndarray) -> Shape:
    """Measured on the 28x28 frame (upright or not: every number is symmetric)."""
    ink = np.asarray(glyph) >= 0.5
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if not len(rows):
        return Shape(0.0, 0.0, 0, 0)
    height, width = rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1
    box = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    background, count = ndimage.label(~ink)  # 4-connected background: holes are the parts off the border
    border = set(np.unique(np.concatenate([background[0], background[-1], background[:, 0], background[:, -1]])))
    sizes = ndimage.sum_labels(np.ones_like(background), background, index=np.arange(1, count + 1))
    loops = sum(1 for i, size in enumerate(sizes, 1) if i not in border and size >= 2)
    parts, n = ndimage.label(ink, structure=np.ones((3, 3)))
    enclosed = 0
    if n > 1:
        for i in range(1, n + 1):
            others_filled = ndimage.binary_fill_holes((parts > 0) & (parts != i))
            enclosed += bool((others_filled & (parts == i)).any())
    return Shape(float(box.mean()), min(height, width) / max(height, width), loops, enclosed)


def refusal(glyph: np.ndarray, probabilities: np.ndarray, drawn_stroke_width: float = 0.0) -> str | None:
    """Why this is not one character (DOT, DOODLE or SCRIBBLE), or None when it is."""
    shape = shape_of(glyph)
    solid = (
        shape.squareness >= SQUARE_ENOUGH and shape.fill >= MAX_FILL and shape.loops == 0
    )  # a narrow 0 or 8 has loops
    if solid or drawn_stroke_width >= BLOB_STROKE_WIDTH:
        return DOT
    if shape.enclosed_parts > MAX_ENCLOSED_PARTS:
        return DOODLE
    mass = float(np.sort(probabilities)[-3:].sum())
    if mass < MIN_TOP3_MASS or (shape.loops > MAX_LOOPS and mass < LOOPY_MIN_TOP3_MASS):
        return SCRIBBLE
    return None
