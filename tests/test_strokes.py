"""Pen strokes in: untrusted input refused with a reason, the glyph drawn at EMNIST's width and framing, words split
by which strokes belong together."""

from __future__ import annotations

import json

import numpy as np
import pytest

from harness import data
from harness.drawings import pad_value, written
from model.ink import rejection
from model.ink.preprocess import STROKE_WIDTH, BlankImageError
from model.ink.stroke_width import stroke_width
from model.ink.strokes import MAX_JSON_CHARS, MAX_POINTS, MAX_STROKES, Strokes, StrokesError, render
from model.words import layout


def value(strokes, width=400, height=400, brush=18):
    return {"width": width, "height": height, "brush": brush, "strokes": strokes}


LINE = [[[200, 50], [200, 350]]]


def test_parse_round_trips_and_accepts_json_text():
    strokes = Strokes.parse(value(LINE))
    assert len(strokes) == 1 and strokes.strokes[0].shape == (2, 2)
    assert Strokes.parse(strokes.as_dict()).as_dict() == strokes.as_dict()
    assert Strokes.parse(json.dumps(value(LINE))).as_dict() == strokes.as_dict()
    no_brush = Strokes.parse({"width": 800, "height": 800, "strokes": LINE})
    assert no_brush.brush == 36  # the pad's share of the canvas


@pytest.mark.parametrize(
    "bad, message",
    [
        ("{not json", "not valid JSON"),
        ([1, 2, 3], "must be an object"),
        (value(LINE, width=0), 'canvas "width"'),
        (value(LINE, height=1e9), 'canvas "height"'),
        (value(LINE, width="400"), '"width" must be a number'),
        (value(LINE, brush=float("nan")), "finite"),
        (value("strokes"), "must be a list"),
        (value([[[1, 2]]] * (MAX_STROKES + 1)), "Too many strokes"),
        (value([[[200, 200]] * (MAX_POINTS + 1)]), "Too many points"),
        (value([[["a", "b"], ["c", "d"]]]), "must be numbers"),
        (value([[[1, 2, 3], [4, 5]]]), "[x, y]"),
        (value([[[True, False]]]), "must be numbers"),
        (value([[[float("nan"), 2]]]), "finite"),
        (value([[[float("inf"), 2]]]), "finite"),
        (value([[[-5000, 2]]]), "far outside"),
        (value([[[1e12, 2]]]), "far outside"),
        (value([5]), "Each stroke must be a list"),
    ],
)
def test_bad_strokes_are_refused_with_a_reason(bad, message):
    with pytest.raises(StrokesError, match=message.replace("[", r"\[").replace("]", r"\]")):
        Strokes.parse(bad)


def test_a_payload_of_several_megabytes_is_refused_before_parsing():
    huge = json.dumps(value([[[float(i % 400), 1.0] for i in range(300_000)]]))
    assert len(huge) > 2_000_000
    with pytest.raises(StrokesError, match="too large"):
        Strokes.parse(huge)
    assert len(huge) > MAX_JSON_CHARS


def test_points_just_off_the_pad_are_clipped_to_it():
    strokes = Strokes.parse(value([[[-30, 200], [430, 200]]]))
    assert strokes.strokes[0][:, 0].tolist() == [0, 400]


def test_no_strokes_is_nothing_drawn(default_classifier):
    with pytest.raises(BlankImageError):
        default_classifier.predict_strokes(value([]))
    with pytest.raises(BlankImageError):
        default_classifier.read_strokes(value([[]]))


@pytest.mark.parametrize("points", [[[200, 200]], [[200, 200], [201, 201]], [[200, 200], [205, 203], [202, 208]]])
def test_a_tap_is_a_dot_not_a_character(default_classifier, points):
    assert default_classifier.predict_strokes(value([points])).refusal == rejection.DOT


def test_a_straight_stroke_lands_at_emnist_width_and_span():
    """A vertical line, whatever canvas and brush drew it: 3 px strokes before the blur, the blurred ink as tall as
    EMNIST glyphs' long side (22-24 px, their 10th-90th percentile; python -m bench pen), centred in the frame."""
    glyphs = [
        render(Strokes.parse(value([[[x, 40 * k], [x, 340 * k]]], 400 * k, 400 * k, brush))).glyph
        for k, x, brush in [(1, 200, 18), (2, 150, 6), (0.5, 100, 30)]
    ]
    for glyph in glyphs:
        rows = np.flatnonzero((glyph >= 0.3).any(axis=1))
        assert 22 <= rows[-1] - rows[0] + 1 <= 24
        assert abs(stroke_width(glyph, upsample=4) - STROKE_WIDTH) <= 0.8  # after the EMNIST blur
        cols = np.flatnonzero((glyph >= 0.3).any(axis=0))
        assert abs((cols[0] + cols[-1]) / 2 - 13.5) <= 1
    assert max(float(np.abs(g - glyphs[0]).max()) for g in glyphs) < 0.05  # the same glyph at any scale or brush


def test_a_drawing_is_read_the_same_wherever_and_however_big_it_is(default_classifier):
    pen, _ = data.pen_drawings(full=False)
    labels = {
        default_classifier.predict_strokes(pad_value(pen[7]["strokes"], brush=b, fraction=f, position=p)).label
        for b, f, p in [(6, 0.45, (0, 0)), (18, 0.6, (0.5, 0.5)), (32, 0.8, (1, 1))]
    }
    assert labels == {pen[7]["label"]}


@pytest.mark.parametrize("text", ["i", "j", "t", "x", "7", "4", "T"])
def test_the_strokes_of_one_character_stay_together(text):
    lines = layout.segment_strokes(Strokes.parse(written([text])))
    assert [len(line) for line in lines] == [1]


def test_strokes_are_read_in_order_with_spaces_and_punctuation(default_classifier):
    lines = layout.segment_strokes(Strokes.parse(written(["it7", "jxT"])))
    assert [len(line) for line in lines] == [3, 3]
    for line in lines:
        lefts = [part.box[0] for part, _ in line]
        assert lefts == sorted(lefts)
    text = default_classifier.read_strokes(written(["LT LT"])).text
    assert text.count(" ") == 1 and len(text.replace(" ", "")) == 4
    dotted = default_classifier.read_strokes(written(["1.1"]))
    assert [c.label for c in dotted.characters][1] == "." and len(dotted.characters) == 3


def test_touching_characters_drawn_apart_in_time_are_one_character():
    """Segmentation is by ink, as on paper: strokes of two characters that touch are read as one."""
    touching = written(["LL"], gap=-45)
    assert len(layout.segment_strokes(Strokes.parse(touching))[0]) == 1


def test_several_characters_on_the_character_pad_are_sent_to_the_word_reader(default_classifier):
    prediction = default_classifier.predict_strokes(written(["LT"]))
    assert prediction.characters == 2 and prediction.refusal == rejection.SEVERAL
