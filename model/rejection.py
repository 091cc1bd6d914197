"""Is this one character at all? A tap, a dot or a scribble gets "draw a character" instead of a guess.

Two signals, each with a bound measured by ``python -m bench rejection`` so that no real character is refused
(the EMNIST test sample and every gallery example pass):

- shape: a dot or a blob fills its bounding box like a disc, whereas a stroke-drawn character, however thick,
  leaves most of a roughly square box empty;
- confidence: on a scribble the calibrated probabilities spread over many classes, whereas even an ambiguous
  real character puts nearly all its mass on a few look-alikes (O/0/D, 1/I/L, ...).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: A glyph whose bounding box is at least this square (short side / long side) ...
SQUARE_ENOUGH = 0.6
#: ... and whose box is filled at least this much (a disc fills 0.79) is a dot, not a character.
MAX_FILL = 0.62
#: Below this probability mass in the top 3 classes, the picture does not look like any one character.
MIN_TOP3_MASS = 0.5

DOT = "That looks like a dot or a filled blob, not a character: draw a letter or a digit with lines."
SCRIBBLE = "That does not look like one character to me. Draw a single letter or digit, a bit bigger and clearer."


@dataclass(frozen=True)
class Shape:
    fill: float  # share of the bounding box covered by ink
    squareness: float  # short side / long side of the bounding box


def shape_of(glyph: np.ndarray) -> Shape:
    """Measured on the 28x28 frame (upright or not: both numbers are symmetric)."""
    ink = np.asarray(glyph) >= 0.5
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if not len(rows):
        return Shape(fill=0.0, squareness=0.0)
    height, width = rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1
    box = ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    return Shape(fill=float(box.mean()), squareness=min(height, width) / max(height, width))


def several(count: int) -> str:
    return (f"That looks like {count} characters, and this view reads one. Write them in the Word tab to have "
            "each one read, or draw a single character here.")


def refusal(glyph: np.ndarray, probabilities: np.ndarray) -> str | None:
    """A message for the person when this is not one character; None when it is."""
    shape = shape_of(glyph)
    if shape.squareness >= SQUARE_ENOUGH and shape.fill >= MAX_FILL:
        return DOT
    if float(np.sort(probabilities)[-3:].sum()) < MIN_TOP3_MASS:
        return SCRIBBLE
    return None
