"""The single-character view says "draw a character" to a tap, a blob, a doodle or a scribble, and never to a
real character (the bounds are chosen by python -m bench rejection, which prints the rates)."""

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from harness import drawings as samples
from harness.data import emnist_sample
from harness.drawings import raster as draw
from model.ink import rejection
from model.ink.orientation import emnist_to_upright

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "make, message",
    [(samples.tap, rejection.DOT), (samples.filled_blob, rejection.DOT), (samples.smiley, rejection.DOODLE)],
)
def test_taps_blobs_and_faces_are_refused(default_classifier, make, message):
    rng = np.random.default_rng(0)
    for _ in range(10):
        assert default_classifier.predict(make(rng)).refusal == message


def test_a_scribble_is_refused_when_no_reading_stands_out(default_classifier):
    """A scrawl crossing itself into more loops than any character has: refused unless one reading is clear;
    any glyph whose probability is spread over many classes: refused. (This model reads a drawn crosshatch as a
    confident "g", which is why a grid is passed here with the probabilities such a scrawl usually gets.)"""
    glyph = np.zeros((28, 28), np.float32)
    for at in (4, 10, 16, 22):  # a 4 x 4 grid of lines: 9 closed cells
        glyph[at : at + 2, 4:24] = glyph[4:24, at : at + 2] = 1.0
    assert rejection.shape_of(glyph).loops == 9
    spread = np.full(47, 0.55 / 44)
    spread[:3] = 0.15
    assert rejection.refusal(glyph, spread) == rejection.SCRIBBLE
    confident = np.full(47, 0.04 / 46)
    confident[0] = 0.96
    assert rejection.refusal(glyph, confident) is None
    seven = default_classifier.predict(str(ROOT / "examples" / "digits" / "7_pen.png")).glyph
    assert rejection.refusal(seven, np.full(47, 1 / 47)) == rejection.SCRIBBLE


@pytest.mark.parametrize("strokes", [[[[200, 40], [200, 360]]], [[[100, 350], [300, 50]]], [[[60, 200], [340, 200]]]])
def test_a_single_straight_stroke_is_a_character(default_classifier, strokes):
    """| / - are 1, I, l or a dash-like letter part: the model reads them, the rule must not refuse them."""
    assert default_classifier.predict(draw(strokes, brush=18)).refusal is None


def test_real_characters_are_never_refused(default_classifier):
    sample = emnist_sample()[0][::3]
    pictures = [
        255 - np.asarray(Image.fromarray(emnist_to_upright(g)).resize((280, 280), Image.Resampling.BICUBIC))
        for g in sample
    ]
    refused = [i for i, picture in enumerate(pictures) if default_classifier.predict(picture).refusal]
    assert refused == []


@pytest.mark.parametrize("brush", [6, 10, 14, 18, 24, 32])
def test_hard_real_pen_digits_are_not_refused(default_classifier, brush):
    """Slashed zeros crossing themselves, an 8 with a curl, faint 1s: people write them, so they are characters."""
    drawings = json.loads((ROOT / "tests" / "data" / "uji_pen_hard_cases.json").read_text())
    rng = np.random.default_rng(brush)
    for d in drawings:
        picture = draw(d["strokes"], brush, fraction=rng.uniform(0.45, 0.8), position=rng.uniform(0, 1, 2))
        assert default_classifier.predict(picture).refusal is None, (d["index"], d["label"])


def test_a_fat_finger_eight_is_not_a_blob(default_classifier):
    """Drawn small with a 32 px brush, this 8's loops close and its box is 63% ink: still a character."""
    eight = json.loads((ROOT / "tests" / "data" / "uji_pen_hard_cases.json").read_text())[-1]
    assert eight["label"] == "8"  # position 1023 of the full set
    prediction = default_classifier.predict(
        draw(eight["strokes"], 32, fraction=0.5075833, position=(0.8694550, 0.1769044))
    )
    assert prediction.refusal is None and rejection.shape_of(prediction.glyph).fill > 0.6


def test_two_characters_side_by_side_are_sent_to_the_word_reader(default_classifier):
    a, b = (Image.open(ROOT / "examples" / "uppercase" / f"{c}_pen.png").convert("L") for c in "AB")
    pair = Image.new("L", (a.width + b.width, a.height), 255)
    pair.paste(a, (0, 0))
    pair.paste(b, (a.width, 0))
    prediction = default_classifier.predict(pair)
    assert prediction.characters == 2 and prediction.refusal == rejection.SEVERAL
    assert default_classifier.read(pair).text.replace(" ", "") == "AB"


def test_shape_measures():
    ring = np.zeros((28, 28), np.float32)
    yy, xx = np.mgrid[:28, :28]
    radius = np.hypot(yy - 13.5, xx - 13.5)
    ring[(radius > 8) & (radius < 11)] = 1.0
    ring[12:16, 10:12] = ring[12:16, 16:18] = 1.0  # two eyes inside
    shape = rejection.shape_of(ring)
    assert shape.loops == 1 and shape.enclosed_parts == 2 and shape.squareness == 1.0
    disc = (radius < 11).astype(np.float32)
    assert rejection.shape_of(disc).fill > rejection.MAX_FILL
