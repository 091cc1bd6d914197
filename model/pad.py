"""The drawing pads' geometry, in one place: the page draws with it, the server reads strokes against it, and the
benchmarks and tests draw real pen trajectories the way the page does."""

from __future__ import annotations

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
#: An API client that sends no brush width is taken to draw like the pad: this share of the canvas's short side.
BRUSH_SHARE = BRUSH / min(CANVAS)
