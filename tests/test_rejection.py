"""The single-character view says "draw a character" to a tap, a blob, a doodle or a scribble, and never to a
real character (the bounds are chosen by python -m bench rejection, which prints the rates)."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bench import rejection as samples
from bench.pen import draw
from model import rejection
from model.orientation import emnist_to_upright

ROOT = Path(__file__).resolve().parents[1]
CROSSHATCH = [[[x, 100 + (i % 2) * 200] for i, x in enumerate(range(0, 300, 40))],
              [[100 + (i % 2) * 200, y] for i, y in enumerate(range(0, 300, 40))]]


@pytest.mark.parametrize("make, message", [(samples.tap, rejection.DOT), (samples.filled_blob, rejection.DOT),
                                           (samples.smiley, rejection.DOODLE)])
def test_taps_blobs_and_faces_are_refused(default_classifier, make, message):
    rng = np.random.default_rng(0)
    for _ in range(10):
        assert default_classifier.predict(make(rng)).refusal == message


def test_a_scribble_is_refused(default_classifier):
    """A dense back-and-forth scrawl crossing itself: more closed loops than any character, no clear reading."""
    prediction = default_classifier.predict(draw(CROSSHATCH, brush=18))
    assert prediction.refusal == rejection.SCRIBBLE
    assert rejection.shape_of(prediction.glyph).loops > rejection.MAX_LOOPS


@pytest.mark.parametrize("strokes", [[[[200, 40], [200, 360]]], [[[100, 350], [300, 50]]], [[[60, 200], [340, 200]]]])
def test_a_single_straight_stroke_is_a_character(default_classifier, strokes):
    """| / - are 1, I, l or a dash-like letter part: the model reads them, the rule must not refuse them."""
    assert default_classifier.predict(draw(strokes, brush=18)).refusal is None


def test_real_characters_are_never_refused(default_classifier):
    sample = np.load(ROOT / "tests" / "data" / "emnist47_test_sample.npz")["images"][::3]
    pictures = [255 - np.asarray(Image.fromarray(emnist_to_upright(g)).resize((280, 280), Image.Resampling.BICUBIC))
                for g in sample]
    refused = [i for i, picture in enumerate(pictures) if default_classifier.predict(picture).refusal]
    assert refused == []


def test_two_characters_side_by_side_are_sent_to_the_word_reader(default_classifier):
    a, b = (Image.open(ROOT / "examples" / "uppercase" / f"{c}_pen.png").convert("L") for c in "AB")
    pair = Image.new("L", (a.width + b.width, a.height), 255)
    pair.paste(a, (0, 0))
    pair.paste(b, (a.width, 0))
    prediction = default_classifier.predict(pair)
    assert prediction.characters == 2 and "2 characters" in prediction.refusal
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
