"""The picture word model's input (``model.ink.strip``): a word drawn from its strokes (training) and the same word
cut from a picture of it (serving) meet at the same size and place, and bad ink is refused quickly."""

from __future__ import annotations

import time

import numpy as np
import pytest
from scipy import ndimage

from harness.drawings import raster, word_placing
from model.ink import strip
from model.ink.canvas import WORD_CANVAS
from model.ink.preprocess import find_ink, open_image


def _joined_word() -> list[np.ndarray]:
    """A joined-up wave with a tall stroke and a dot: three pieces of ink, some taller than the rest."""
    x = np.linspace(0, 300, 120)
    wave = np.column_stack([x, 60 + 20 * np.sin(x / 12)])
    return [wave, np.array([[320.0, 0.0], [322.0, 80.0]]), np.array([[340.0, 30.0], [341.0, 31.0]])]


def test_a_drawn_word_and_its_picture_meet_in_the_same_strip():
    strokes = _joined_word()
    drawn, _ = strip.from_strokes(strokes, brush=0.05)
    picture = raster(strokes, brush=6, canvas=WORD_CANVAS, **word_placing(strokes))
    ink = find_ink(open_image(picture))
    pixels = np.asarray(ink.image, dtype=np.float32)
    pictured, _ = strip.from_pixels(pixels, ink.level)
    assert drawn.shape[0] == pictured.shape[0] == strip.HEIGHT
    assert abs(drawn.shape[1] - pictured.shape[1]) <= strip.STRIDE
    assert drawn.shape[1] % strip.STRIDE == 0 and pictured.shape[1] % strip.STRIDE == 0
    width = min(drawn.shape[1], pictured.shape[1])
    for image in (drawn, pictured):  # the ink fills the height but for the margin
        rows = np.flatnonzero(image.max(axis=1) > 0.2)
        assert rows[0] <= strip.MARGIN + 1 and rows[-1] >= strip.HEIGHT - strip.MARGIN - 2
    drawn, pictured = (ndimage.gaussian_filter(image[:, :width], 1.5) for image in (drawn, pictured))
    assert np.corrcoef(drawn.ravel(), pictured.ravel())[0, 1] > 0.8


def test_the_placing_maps_ink_back_to_its_columns():
    strokes = _joined_word()
    drawn, (scale, left, _) = strip.from_strokes(strokes, brush=0.05)
    tall = strokes[1][:, 0].mean()  # the tall stroke's column in the strip
    column = int(round((tall - left) * scale + strip.MARGIN))
    assert drawn[:, column - 1 : column + 2].max(axis=1).sum() > 0.6 * strip.HEIGHT


def test_a_flat_line_is_not_blown_up_to_the_strips_height():
    dash, _ = strip.from_strokes([np.array([[0.0, 50.0], [400.0, 52.0]])], brush=0.05)
    assert np.count_nonzero(dash.max(axis=1) > 0.2) <= strip.HEIGHT // 3


def test_characters_written_apart_keep_their_gaps():
    ones = [np.array([[x, 0.0], [x, 100.0]]) for x in (0.0, 60.0, 120.0)]
    drawn, (scale, left, _) = strip.from_strokes(ones, brush=0.05)
    for gap in (30.0, 90.0):
        column = int(round((gap - left) * scale + strip.MARGIN))
        assert drawn[:, column].max() < 0.05


def test_nothing_is_refused_and_no_ink_makes_a_huge_strip():
    with pytest.raises(strip.StripError, match="Nothing is drawn"):
        strip.from_strokes([], brush=0.05)
    with pytest.raises(strip.StripError, match="Nothing is drawn"):
        strip.from_pixels(np.zeros((40, 40), np.float32), 255.0)
    long_line = [np.column_stack([np.arange(0, 200_000, 50.0), 10 * np.sin(np.arange(4_000))])]
    wide_picture = np.zeros((30, 20_000), np.float32)
    wide_picture[10:20] = 255.0
    started = time.perf_counter()
    for drawn, _ in (strip.from_strokes(long_line, brush=0.05), strip.from_pixels(wide_picture, 255.0)):
        assert drawn.shape[1] <= 400  # a few hundred frames at most, whatever the ink
    assert time.perf_counter() - started < 5.0
